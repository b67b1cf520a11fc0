/**
 * The study's matrix, charts and report, built from the records of a study folder alone.
 *
 * Every cell (a group under one arm) is judged by the project's one verdict engine
 * (src/reports/) on the cell's judged runs, exactly as `report --runs` judges a runs.csv: the
 * seed is the unit, comparisons are paired by seed, and every claim part carries its statistic,
 * interval and n. The study only lays the cells side by side:
 * - matrix.csv: one row per claim part x cell;
 * - charts: verdicts as a heat map (claims down, settings across), accuracy against depth per
 *   cell, the Sigmoid - ReLU paired difference per cell;
 * - study.md: per claim, under which settings it holds; which cell comes closest to all of the
 *   article's numbers at once (the distance is defined in `articleDistance`, fixed before any
 *   study ran); what is robust across settings and what hinges on one.
 */
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { writeCsv } from '../util/csv.js';
import { CLAIMS_COLUMNS, claimRows } from '../reports/claims-table.js';
import { parseStudyConfig, type StudyConfig } from './config.js';
import { cellsOf, fullGrid, groupLabels, groupSetting, quickGrid, type Cell } from './grid.js';
import { STUDY_FILE, cellRecords, readGroupRecord, readFolderIdentity, type GroupRecord } from '../experiment/tuned-groups.js';
import { judgeCell, type CellJudgement } from './judge.js';
import { studyAxes } from './axes.js';
import { writeStudyCharts } from './charts.js';

export const MATRIX_COLUMNS = [
  'cell',
  'batch_size',
  'init',
  'arm',
  'lr_sigmoid',
  'lr_relu',
  'epochs',
  'late_best_fraction',
  ...CLAIMS_COLUMNS,
] as const;

/** The label of a cell's value on the axis `ref` (matrix.csv's batch_size and init columns; other axes are named by the cell id). */
function labelOf(cell: Cell, ref: string): string {
  const k = studyAxes().findIndex((a) => a.ref === ref);
  return groupLabels(cell.group)[k].label;
}

/** A study folder's quick flag and its config, checked again by the study schema. */
function readIdentity(dir: string): { quick: boolean; config: StudyConfig } {
  const identity = readFolderIdentity(dir);
  return { quick: identity.quick, config: parseStudyConfig(identity.config, path.join(dir, STUDY_FILE)) };
}

/** The ids of a study's groups, from its folder's study.json. */
export function studyGroupIds(dir: string): string[] {
  const { quick, config } = readIdentity(dir);
  return (quick ? quickGrid(config) : fullGrid(config)).map((g) => g.id);
}

interface StudyCellResult {
  cell: Cell;
  group: GroupRecord;
  judgement: CellJudgement;
}

export interface StudyReportFiles {
  matrix: string;
  md: string;
}

function judgeStudy(dir: string): { config: StudyConfig; quick: boolean; cells: StudyCellResult[]; missing: string[] } {
  const { quick, config } = readIdentity(dir);
  const groups = quick ? quickGrid(config) : fullGrid(config);
  const cells: StudyCellResult[] = [];
  const missing: string[] = [];
  for (const cell of cellsOf(groups)) {
    const group = readGroupRecord(dir, cell.group.id);
    if (!group) {
      if (!missing.includes(cell.group.id)) missing.push(cell.group.id);
      continue;
    }
    cells.push({ cell, group, judgement: judgeCell(cellRecords(dir, cell.group.id, cell.arm, group)) });
  }
  return { config, quick, cells, missing };
}

export async function writeStudyReport(dir: string): Promise<StudyReportFiles> {
  const study = judgeStudy(dir);
  if (study.missing.length > 0) {
    throw new UserError(
      `${dir}: groups ${study.missing.join(', ')} are not complete; run the study (or its shards and \`study merge\`) to finish them`,
    );
  }
  const rows = study.cells.flatMap(({ cell, group, judgement }) =>
    claimRows(judgement.claims).map((p) => ({
      cell: cell.id,
      batch_size: labelOf(cell, 'batchSize'),
      init: labelOf(cell, 'init'),
      arm: cell.arm,
      lr_sigmoid: cell.arm === 'tuned' ? group.selection.tuned.sigmoid : group.selection.shared,
      lr_relu: cell.arm === 'tuned' ? group.selection.tuned.relu : group.selection.shared,
      epochs: groupSetting(cell.group, study.config).epochs,
      late_best_fraction: group.selection.lateBestFraction,
      ...p,
    })),
  );
  const matrix = path.join(dir, 'matrix.csv');
  await writeCsv(matrix, MATRIX_COLUMNS, rows);
  const charts = await writeStudyCharts(
    path.join(dir, 'charts'),
    study.cells.map((c) => ({ id: c.cell.id, judgement: c.judgement })),
  );
  const md = path.join(dir, 'study.md');
  await writeFileAtomic(md, renderStudyMarkdown(study.cells, study.config, study.quick, charts, dir));
  return { matrix, md };
}

/**
 * How far a cell is from all of the article's numbers at once, in accuracy points (fixed before
 * any study ran): the root of the sum of squares of
 *   mean test accuracy over the ten networks - 70, best network's mean - 72,
 *   2 x (depth of the best Sigmoid network - 5), 2 x (depth of the best ReLU network - 6),
 *   2 x how far ReLU's mean lies above Sigmoid's (0 when Sigmoid is ahead, as the article says).
 * A depth off by one weighs as much as 2 points of accuracy.
 */
function articleDistance(j: CellJudgement): { distance: number; terms: Record<string, number> } {
  const terms = {
    mean: j.meanAccuracyPoints - 70,
    best: j.bestAccuracyPoints - 72,
    sigmoidDepth: 2 * (j.bestDepth.sigmoid - 5),
    reluDepth: 2 * (j.bestDepth.relu - 6),
    reluAhead: 2 * Math.max(0, -j.sigmoidMinusReluPoints),
  };
  const distance = Math.sqrt(Object.values(terms).reduce((s, t) => s + t * t, 0));
  return { distance, terms };
}

function renderStudyMarkdown(
  cells: readonly StudyCellResult[],
  config: StudyConfig,
  quick: boolean,
  charts: Record<string, string>,
  dir: string,
): string {
  const lines: string[] = [];
  lines.push(`# Which settings make the article true (${quick ? 'quick grid' : 'full grid'})`, '');
  lines.push(
    `${cells.length} cells (${[...new Set(cells.map((c) => c.cell.group.id))].length} groups); ${config.networks.length} networks x ${config.seeds} seeds in each; ` +
      `learning rates chosen on the validation split (${config.validationPerClass} images per class after the training images), never on the test set.`,
    '',
  );
  for (const [name, file] of Object.entries(charts)) lines.push(`![${name}](${path.relative(dir, file)})`, '');

  // A column per axis (axes.ts), in the order of the group ids.
  const titles = cells.length > 0 ? groupLabels(cells[0].cell.group).map((l) => l.title) : [];
  lines.push(
    '## The cells',
    '',
    `| cell | ${titles.join(' | ')} | arm | lr Sigmoid | lr ReLU | epochs | best epoch in last tenth | distance to the article |`,
    `| --- | ${titles.map(() => '---').join(' | ')} | --- | --- | --- | --- | --- | --- |`,
  );
  for (const c of cells) {
    const d = articleDistance(c.judgement);
    const lrS = c.cell.arm === 'tuned' ? c.group.selection.tuned.sigmoid : c.group.selection.shared;
    const lrR = c.cell.arm === 'tuned' ? c.group.selection.tuned.relu : c.group.selection.shared;
    lines.push(
      `| ${c.cell.id} | ${groupLabels(c.cell.group)
        .map((l) => l.label)
        .join(
          ' | ',
        )} | ${c.cell.arm} | ${lrS} | ${lrR} | ${groupSetting(c.cell.group, config).epochs} | ${(100 * c.group.selection.lateBestFraction).toFixed(0)} % | ${d.distance.toFixed(1)} |`,
    );
  }
  lines.push('');

  lines.push('## Each claim, cell by cell', '');
  lines.push('Each entry: the verdict, then the statistic and its 95 % interval (accuracy in points), n seeds.', '');
  lines.push(
    `| claim | part | ${cells.map((c) => c.cell.id).join(' | ')} | across settings |`,
    `| --- | --- | ${cells.map(() => '---').join(' | ')} | --- |`,
  );
  const keys =
    cells[0]?.judgement.claims.flatMap((c) => [
      { claim: c.number, part: 'all' },
      ...c.parts.map((p) => ({ claim: c.number, part: p.part })),
    ]) ?? [];
  for (const key of keys) {
    const found = cells.map((c) => {
      const claim = c.judgement.claims.find((x) => x.number === key.claim);
      if (!claim) return null;
      if (key.part === 'all') return { verdict: claim.verdict, text: claim.verdict };
      const p = claim.parts.find((x) => x.part === key.part);
      if (!p) return null;
      const scale = p.unit === 'points' ? 100 : 1;
      return {
        verdict: p.verdict,
        text: `${p.verdict} (${fmt(scale * p.estimate.value)} [${fmt(scale * p.estimate.low)}, ${fmt(scale * p.estimate.high)}], n=${p.estimate.n})`,
      };
    });
    const distinct = new Set(found.map((f) => f?.verdict ?? 'n/a'));
    const across = distinct.size === 1 ? `robust: ${[...distinct][0]} everywhere` : `hinges on the setting (${[...distinct].join(', ')})`;
    lines.push(`| ${key.claim} | ${key.part} | ${found.map((f) => f?.text ?? 'n/a').join(' | ')} | ${across} |`);
  }
  lines.push('');

  lines.push('## Where each claim holds', '');
  for (const claimNumber of [...new Set(keys.map((k) => k.claim))]) {
    const claimIn = (c: (typeof cells)[number]) => c.judgement.claims.find((x) => x.number === claimNumber);
    const holds = cells.filter((c) => claimIn(c)?.verdict === 'agrees').map((c) => c.cell.id);
    const text = claimIn(cells[0])?.claim ?? '';
    const measured = cells.some((c) => claimIn(c)?.verdict !== 'not measured');
    // The study trains and judges accuracies; claims measured only on probed networks are not "false here".
    const where = !measured
      ? 'not measured by the study (it probes no network: see the reproduction report and `explain`)'
      : holds.length > 0
        ? `agrees under ${holds.join(', ')}`
        : 'agrees under none of these settings';
    lines.push(`- **Claim ${claimNumber}** (${text}): ${where}.`);
  }
  lines.push('');

  const ranked = [...cells].sort((a, b) => articleDistance(a.judgement).distance - articleDistance(b.judgement).distance);
  if (ranked.length > 0) {
    const best = ranked[0];
    const d = articleDistance(best.judgement);
    lines.push(
      '## Closest to the article',
      '',
      `${best.cell.id} comes closest to all of the article's numbers at once: distance ${d.distance.toFixed(1)} ` +
        `(terms in points: ${Object.entries(d.terms)
          .map(([k, v]) => `${k} ${v.toFixed(1)}`)
          .join(', ')}; the distance is defined in src/study/report.ts, articleDistance).`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

function fmt(x: number): string {
  if (!Number.isFinite(x)) return 'n/a';
  return Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2);
}
