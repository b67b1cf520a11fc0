/**
 * Stage E's files: per promoted (cell, arm) a folder E/<cell>-<arm>/ holding its runs.csv,
 * test-images.csv and claims.csv (so `report --runs E/<cell>-<arm>/runs.csv` judges it again to
 * the same verdicts); verdicts.csv, the matrix of promoted cells x claim parts; distance.csv,
 * every (cell, arm)'s distance to the article on the screening seeds and every promoted one's on
 * the promoted seeds; and two heat maps drawn by the project's one chart writer. No file holds a
 * time, so one machine and merged shards write the same bytes.
 */
import path from 'node:path';
import { promises as fs } from 'node:fs';
import type { TopLevelSpec } from 'vega-lite';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { writeChart } from '../charts/charts.js';
import { CLAIMS_COLUMNS, claimRows, writeClaimsCsv } from '../reports/claims-table.js';
import { writeRunsCsv } from '../reports/runs-table.js';
import { writeTestImagesCsv } from '../reports/test-images.js';
import type { ClaimResult, Verdict } from '../reports/claims/claim.js';
import type { SearchConfig } from './config.js';
import type { CellDistance } from './distance.js';
import type { Judgement, ScreenDistance } from './judge.js';
import { cellsOf, type CellChoice } from './plan.js';

/** verdicts.csv: a (cell, arm), then claims.csv's columns (one row per claim and per part), then the distance. */
export const SEARCH_VERDICT_COLUMNS = ['cell', 'arm', ...CLAIMS_COLUMNS, 'distance'] as const;

export const SEARCH_DISTANCE_COLUMNS = ['cell', 'arm', 'seeds', 'accuracy', 'claim', 'distance', 'parts', 'estimated', 'rank'] as const;

/** Stage E's folder of a promoted (cell, arm), relative to the search's folder. */
export function judgedFolder(choice: CellChoice): string {
  return path.join('E', `${choice.cell.id}-${choice.arm}`);
}

/** The claims a judgement measured: at least one part has a verdict other than "not measured". */
export function judgedClaims(claims: readonly ClaimResult[]): ClaimResult[] {
  return claims.filter((c) => c.parts.some((p) => p.verdict !== 'not measured'));
}

/** The claims judged in any promoted cell, by number. */
function claimsInAny(judgements: readonly Judgement[]): Set<number> {
  return new Set(judgements.flatMap((j) => judgedClaims(j.claims).map((c) => c.number)));
}

function verdictRows(judgements: readonly Judgement[]): CsvRow[] {
  const shown = claimsInAny(judgements);
  return judgements.flatMap((j) => {
    const claims = j.claims.filter((c) => shown.has(c.number));
    const rows = claimRows(claims);
    // Each row's distance: the claim's for its overall row, the part's for a part; empty for a claim the distance does not weigh.
    return rows.map((row) => {
      const id = claims.find((c) => c.number === row.claim)!.id;
      const weighed = j.distance.claims.find((c) => c.id === id);
      const distance = !weighed ? '' : row.part === 'all' ? weighed.distance : (weighed.byPart.get(String(row.part)) ?? '');
      return { cell: j.choice.cell.id, arm: j.choice.arm, ...row, distance };
    });
  });
}

/** Ranks by distance (1 = nearest), grid order on a tie. */
function ranks(distances: readonly number[]): number[] {
  const order = distances.map((d, i) => ({ d, i })).sort((a, b) => a.d - b.d || a.i - b.i);
  const rank = new Array<number>(distances.length);
  order.forEach(({ i }, k) => (rank[i] = k + 1));
  return rank;
}

function distanceRowsOf(choice: CellChoice, seeds: 'screen' | 'promoted', d: CellDistance, rank: number): CsvRow[] {
  const base = { cell: choice.cell.id, arm: choice.arm, seeds, accuracy: seeds === 'screen' ? 'validation' : 'test' };
  return [
    ...d.claims.map((c) => ({ ...base, claim: c.number, distance: c.distance, parts: c.parts, estimated: c.estimated, rank: '' })),
    {
      ...base,
      claim: 'all',
      distance: d.distance,
      parts: d.claims.reduce((a, c) => a + c.parts, 0),
      estimated: d.claims.reduce((a, c) => a + c.estimated, 0),
      rank,
    },
  ];
}

function distanceRows(screen: readonly ScreenDistance[], judgements: readonly Judgement[]): CsvRow[] {
  const screenRanks = ranks(screen.map((s) => s.distance.distance));
  const judgedRanks = ranks(judgements.map((j) => j.distance.distance));
  return [
    ...screen.flatMap((s, i) => distanceRowsOf(s.choice, 'screen', s.distance, screenRanks[i])),
    ...judgements.flatMap((j, i) => distanceRowsOf(j.choice, 'promoted', j.distance, judgedRanks[i])),
  ];
}

/** Colours of the verdicts in the heat map: agreement green, contradiction red, the rest neutral. */
const VERDICT_COLOURS: readonly [Verdict, string][] = [
  ['agrees', '#1a9850'],
  ['inconclusive', '#d9d9d9'],
  ['mixed', '#fdae61'],
  ['contradicts', '#d73027'],
  ['still learning', '#abd9e9'],
  ['not measured', '#ffffff'],
];

export interface VerdictFiles {
  verdicts: string;
  distance: string;
  folders: string[];
  charts: string[];
}

export async function writeSearchVerdicts(
  dir: string,
  config: SearchConfig,
  screen: readonly ScreenDistance[],
  judgements: readonly Judgement[],
): Promise<VerdictFiles> {
  const folders: string[] = [];
  for (const j of judgements) {
    const folder = path.join(dir, judgedFolder(j.choice));
    await fs.mkdir(folder, { recursive: true });
    await writeRunsCsv(folder, j.rows);
    if (j.images) await writeTestImagesCsv(folder, j.rows, j.images);
    await writeClaimsCsv(folder, j.claims);
    folders.push(folder);
  }
  const rows = verdictRows(judgements);
  const verdicts = path.join(dir, 'verdicts.csv');
  await writeCsv(verdicts, SEARCH_VERDICT_COLUMNS, rows);
  const distance = path.join(dir, 'distance.csv');
  await writeCsv(distance, SEARCH_DISTANCE_COLUMNS, distanceRows(screen, judgements));

  const chartsDir = path.join(dir, 'charts');
  await fs.mkdir(chartsDir, { recursive: true });
  const charts: string[] = [];
  if (judgements.length > 0) {
    const parts = rows.filter((r) => r.part !== 'all');
    const columns = [...new Set(parts.map((r) => `${r.claim} ${r.part}`))];
    const cells = judgements.map((j) => `${j.choice.cell.id} ${j.choice.arm}`);
    const heat = {
      $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
      title: {
        text: 'The claims in the promoted cells: verdict per claim part (stage E)',
        subtitle: [
          `${config.rules.seeds.promoted.length} promoted seeds, full test split, 95 % intervals (uncorrected); label: the estimate, claim 1 in %, the others in points`,
          'the cells were selected so that every network learns (configs/rules/search.json)',
        ],
      },
      data: {
        values: parts.map((r) => ({
          cell: `${r.cell} ${r.arm}`,
          part: `${r.claim} ${r.part}`,
          verdict: r.verdict,
          label: typeof r.statistic === 'number' ? (100 * r.statistic).toFixed(1) : '',
        })),
      },
      encoding: {
        x: { field: 'part', type: 'nominal', sort: columns, title: 'claim and part', axis: { labelAngle: -30, labelLimit: 200 } },
        y: { field: 'cell', type: 'nominal', sort: cells, title: null, axis: { labelLimit: 400 } },
      },
      layer: [
        {
          mark: { type: 'rect', stroke: '#888', strokeWidth: 0.5 },
          encoding: {
            color: {
              field: 'verdict',
              type: 'nominal',
              scale: { domain: VERDICT_COLOURS.map(([v]) => v), range: VERDICT_COLOURS.map(([, c]) => c) },
              title: 'verdict',
            },
          },
        },
        { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'label', type: 'nominal' } } },
      ],
      width: { step: 80 },
      height: { step: 22 },
    } as TopLevelSpec;
    charts.push((await writeChart(chartsDir, 'verdicts', heat)).png);
  }

  const promoted = new Set(judgements.map((j) => `${j.choice.cell.id} ${j.choice.arm}`));
  const near = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Distance to the article on the screening seeds, per cell and arm',
      subtitle: [
        'claims 1-4, validation accuracy in place of test accuracy; 0 = every part inside its region, 3 = the cap',
        'label: the distance, * = promoted',
      ],
    },
    data: {
      values: screen.map((s) => ({
        cell: s.choice.cell.id,
        arm: s.choice.arm,
        distance: s.distance.distance,
        label: `${s.distance.distance.toFixed(2)}${promoted.has(`${s.choice.cell.id} ${s.choice.arm}`) ? ' *' : ''}`,
      })),
    },
    encoding: {
      x: { field: 'arm', type: 'nominal', title: null, axis: { labelAngle: 0 } },
      y: { field: 'cell', type: 'nominal', sort: cellsOf(config).map((c) => c.id), title: null, axis: { labelLimit: 400 } },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: '#888', strokeWidth: 0.5 },
        encoding: {
          color: { field: 'distance', type: 'quantitative', scale: { domain: [0, 3], scheme: 'blues', reverse: true }, title: 'distance' },
        },
      },
      { mark: { type: 'text', fontSize: 11 }, encoding: { text: { field: 'label', type: 'nominal' } } },
    ],
    width: { step: 110 },
    height: { step: 20 },
  } as TopLevelSpec;
  charts.push((await writeChart(chartsDir, 'distance', near)).png);
  return { verdicts, distance, folders, charts };
}
