/**
 * `search check`: the check of the screen's early stops (check.ts,
 * configs/rules/search-audit-check.json) on a complete search folder. Its runs are one more
 * plan on the engine, into OUT/check/ (resumed like every stage); then OUT/check.csv (one row per
 * run: its screen run and its run to the maximum) and OUT/check.md (per batch size, how many of
 * the sampled runs learn, with the interval and the rules' reading; the nearest; the fan-in
 * cells). The search's own files are not touched. No file holds a time, so a rerun writes the
 * same bytes.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { writeCsv, type CsvColumns } from '../util/csv.js';
import { WHOLE } from '../experiment/shard.js';
import type { SearchConfig } from './config.js';
import { runId, runKey, stageOf, type Outcomes } from './plan.js';
import { checkSearchFolder, readStageOutcomes, runStagePlan, searchStages, stageComplete, type RunSearchOptions } from './run-search.js';
import { checkRows, selectCheck, summariseCheck, type CheckRow, type CheckRules, type CheckSelection, type CheckSummary } from './check.js';

/** The search's options without the shard ones (the check runs on one machine), and the check's rules. */
export type RunCheckOptions = Omit<RunSearchOptions, 'after' | 'shard'> & { rules: CheckRules };

export interface RunCheckOutcome {
  interrupted: boolean;
  /** check.csv and check.md, once every run is complete. */
  files?: { csv: string; report: string };
}

const STAGE = 'check';

export async function runSearchCheck(opts: RunCheckOptions): Promise<RunCheckOutcome> {
  const { config, rules, outDir } = opts;
  if (!existsSync(outDir)) throw new UserError(`--out ${outDir}: no such folder (give a complete search's folder)`);
  await checkSearchFolder(outDir, config, '--out', false);
  const found = await searchStages(config, async (stage) => {
    const dir = path.join(outDir, stage.name);
    return stageComplete(dir, stage) ? readStageOutcomes(config, dir, stage) : null;
  });
  if (!found.done) {
    throw new UserError(
      `--out ${outDir}: the search there is not complete (stage ${found.next.name} is not); finish it first: node dist/run.js search --out ${outDir}`,
    );
  }
  const selection = selectCheck(config, rules, found.outcomes);
  const stage = stageOf(config, STAGE, selection.runs);
  const dir = path.join(outDir, STAGE);
  const counts = selection.samples.map((s) => `${s.drawn.length} of ${s.population} at batch ${s.batchSize}`).join(', ');
  opts.say(
    `search check: ${stage.plan.jobs.length} runs to their maximum (sample ${counts}; nearest ${selection.nearest.length}; fan-in ${selection.fanIn.length})`,
  );
  if (opts.dryRun) return { interrupted: false };
  if (!stageComplete(dir, stage)) {
    const outcome = await runStagePlan(opts, stage, {
      dir,
      shard: WHOLE,
      label: 'search check',
      settings: {
        stage: STAGE,
        rules: rules.file,
        rulesSha256: rules.sha256,
        searchRules: config.rules.file,
        searchRulesSha256: config.rules.sha256,
        quick: config.quick,
      },
    });
    if (outcome.interrupted) return { interrupted: true };
  }
  const full: Outcomes = new Map();
  for (const o of readStageOutcomes(config, dir, stage)) full.set(runKey(o.run), o);
  const rows = checkRows(selection, found.outcomes, full, found.choices);
  const summary = summariseCheck(rules, selection, rows);
  const csv = path.join(outDir, 'check.csv');
  await writeCsv(csv, CHECK_COLUMNS, rows.map(csvRow));
  const report = path.join(outDir, 'check.md');
  await writeFileAtomic(report, renderCheckReport(config, rules, selection, rows, summary));
  return { interrupted: false, files: { csv, report } };
}

export const CHECK_COLUMNS: CsvColumns = [
  'id',
  'groups',
  'batch_size',
  'cell',
  'network',
  'learning_rate',
  'seed',
  'screen_stop_reason',
  'screen_val_acc',
  'full_stop_reason',
  'full_val_acc',
  'learned',
  'chosen_rate',
];

function csvRow(r: CheckRow): Record<string, string | number | boolean> {
  return {
    id: runId(r.run),
    groups: r.groups.join(' '),
    batch_size: r.run.cell.batchSize,
    cell: r.run.cell.id,
    network: r.run.network,
    learning_rate: r.run.learningRate,
    seed: r.run.seed,
    screen_stop_reason: r.screen.stopReason,
    screen_val_acc: r.screen.valAccuracy,
    full_stop_reason: r.full.stopReason,
    full_val_acc: r.full.valAccuracy,
    learned: r.full.learned,
    chosen_rate: r.chosenRate,
  };
}

const pct = (x: number): string => (Number.isFinite(x) ? `${(100 * x).toFixed(1)} %` : '');

function runLine(r: CheckRow): string {
  return `| ${r.run.cell.id} | ${r.run.network} | ${r.run.learningRate} | ${r.run.seed} | ${r.screen.stopReason}, ${pct(r.screen.valAccuracy)} | ${r.full.stopReason}, ${pct(r.full.valAccuracy)} | ${r.full.learned ? '**yes**' : 'no'} | ${r.chosenRate ? 'yes' : 'no'} |`;
}

const RUN_HEADER = [
  '| cell | network | rate | seed | screen (stop, validation accuracy) | to the maximum | learns | a rate stage C chose |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
];

function renderCheckReport(
  config: SearchConfig,
  rules: CheckRules,
  selection: CheckSelection,
  rows: readonly CheckRow[],
  summary: readonly CheckSummary[],
): string {
  const byKey = new Map(rows.map((r) => [runKey(r.run), r]));
  const learnsAt = pct(config.rules.learnsThreshold);
  const lines: string[] = [
    "# The check of the search's early stops",
    '',
    `Rules: \`${rules.file}\` (version ${rules.version}), SHA-256 \`${rules.sha256}\`; the search's rules \`${config.rules.file}\`, SHA-256 \`${config.rules.sha256}\`.${config.quick ? ' **The quick part** of the search, a smoke run.' : ''}`,
    '',
    `The population: the screen's runs that did not learn (validation accuracy below ${learnsAt} at the epoch of lowest validation loss) and stopped early, by patience or by the stall rule. Each run below was run again to its maximum epoch with its recorded config (no stall rule, patience equal to the maximum); it learns when the longer run reaches ${learnsAt}.`,
    '',
    '## The sample, per batch size',
    '',
    `| batch size | population | sampled | learn when run to the maximum | 95 % interval (Wilson) | ${[rules.threshold, ...rules.alternatives].map((t) => `against ${pct(t)}`).join(' | ')} |`,
    `| --- | --- | --- | --- | --- | ${[rules.threshold, ...rules.alternatives].map(() => '---').join(' | ')} |`,
    ...summary.map(
      (s) =>
        `| ${s.batchSize} | ${s.population} | ${s.sampled} | ${s.learned} (${pct(s.sampled > 0 ? s.learned / s.sampled : Number.NaN)}) | ${pct(s.low)} to ${pct(s.high)} | ${s.calls.map((c) => c.call).join(' | ')} |`,
    ),
    '',
    `How to read it (the rules, fixed before these runs): "credible" when the interval's upper end is below the threshold (the early stops hide little learning at that batch size), "understates" when its lower end is above it (the screen's failures there include networks that learn with a longer budget), otherwise "inconclusive". The rules' threshold is ${pct(rules.threshold)}; the others are shown beside it.`,
    '',
  ];
  const learned = rows.filter((r) => r.groups.includes('sample') && r.full.learned);
  lines.push(`Sampled runs that learn when run to the maximum: ${learned.length}.`, '');
  if (learned.length > 0) lines.push(...RUN_HEADER, ...learned.map(runLine), '');
  lines.push(
    '## The nearest to the threshold',
    '',
    `The ${selection.nearest.length} runs of the population with the highest validation accuracy, the reading the registered audit intended.`,
    '',
    ...RUN_HEADER,
    ...selection.nearest.map((o) => runLine(byKey.get(runKey(o.run))!)),
    '',
    `## The ${rules.fanInInit} cells`,
    '',
  );
  const fanIn = selection.fanIn.map((o) => byKey.get(runKey(o.run))!);
  if (fanIn.length === 0) lines.push(`The grid has no ${rules.fanInInit} cells.`);
  for (const batchSize of config.axes.batchSize) {
    const mine = fanIn.filter((r) => r.run.cell.batchSize === batchSize);
    if (mine.length === 0) continue;
    const rates = [...new Set(mine.filter((r) => r.full.learned).map((r) => r.run.learningRate))];
    lines.push(
      `- batch size ${batchSize}: ${mine.filter((r) => r.full.learned).length} of ${mine.length} runs learn when run to the maximum${
        rates.length > 0 ? ` (at rates ${rates.join(', ')})` : ''
      }.`,
    );
  }
  lines.push('', `Every run: \`check.csv\`; their folders: \`check/runs/\`.`, '');
  return lines.join('\n');
}
