/**
 * The study's pictures, one cell per column or panel: the verdicts as a heat map, accuracy
 * against depth with intervals per cell, and the paired Sigmoid - ReLU difference per cell.
 * Each is a Vega-Lite spec rendered by the project's one chart writer (src/charts/charts.ts).
 */
import type { TopLevelSpec } from 'vega-lite';
import { writeChart } from '../charts/charts.js';
import { meanInterval } from '../stats/stats.js';
import { CONFIDENCE } from '../reports/claim-margins.js';
import type { CellJudgement } from './judge.js';

export interface StudyChartCell {
  id: string;
  judgement: CellJudgement;
}

const VERDICT_COLOURS = {
  domain: ['agrees', 'mixed', 'inconclusive', 'contradicts', 'not measured', 'still learning'],
  range: ['#2ca02c', '#bcbd22', '#c7c7c7', '#d62728', '#ffffff'],
};

/** Writes the three charts into `dir`; returns their PNG files by name. */
export async function writeStudyCharts(dir: string, cells: readonly StudyChartCell[]): Promise<Record<string, string>> {
  const cellOrder = cells.map((c) => c.id);

  const allRows = cells.flatMap((c) =>
    c.judgement.claims.flatMap((claim) => [
      { cell: c.id, part: `${claim.number} all`, verdict: claim.verdict },
      ...claim.parts.map((p) => ({ cell: c.id, part: `${claim.number} ${p.part}`, verdict: p.verdict })),
    ]),
  );
  // Claims the study cannot measure in any cell (those judged on probed networks) would only add white rows.
  const measured = new Set(allRows.filter((r) => r.verdict !== 'not measured').map((r) => r.part.split(' ')[0]));
  const verdictRows = allRows.filter((r) => measured.has(r.part.split(' ')[0]));
  const unmeasured = [...new Set(allRows.map((r) => r.part.split(' ')[0]))].filter((n) => !measured.has(n));
  const heat = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: {
      text: 'Verdicts per claim part and setting',
      subtitle: [
        'rows: claim and part; columns: study cells (batch-init-arm)',
        ...(unmeasured.length > 0 ? [`claims ${unmeasured.join(', ')} are not measured by the study (probed networks only)`] : []),
      ],
    },
    data: { values: verdictRows },
    mark: { type: 'rect', stroke: '#888', strokeWidth: 0.5 },
    encoding: {
      x: { field: 'cell', type: 'nominal', sort: cellOrder, title: null, axis: { labelAngle: -35, labelLimit: 400 } },
      y: { field: 'part', type: 'nominal', title: null },
      color: { field: 'verdict', type: 'nominal', scale: VERDICT_COLOURS, title: 'verdict' },
      tooltip: [{ field: 'cell' }, { field: 'part' }, { field: 'verdict' }],
    },
    width: { step: 70 },
    height: { step: 16 },
  } as TopLevelSpec;

  const accuracyRows = cells.flatMap((c) => {
    const networks = [...new Set(c.judgement.runs.map((r) => r.config))];
    return networks.map((config) => {
      const runs = c.judgement.runs.filter((r) => r.config === config);
      const e = meanInterval(
        runs.map((r) => 100 * r.test_acc),
        CONFIDENCE,
      );
      return { cell: c.id, activation: runs[0].activation, layers: runs[0].layers, value: e.value, low: e.low, high: e.high, n: e.n };
    });
  });
  const accuracy = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Test accuracy against depth, per setting', subtitle: `mean over seeds with its ${100 * CONFIDENCE} % interval (t)` },
    data: { values: accuracyRows },
    facet: { column: { field: 'cell', type: 'nominal', sort: cellOrder, title: null } },
    spec: {
      width: 180,
      height: 180,
      layer: [
        {
          mark: { type: 'rule' },
          encoding: {
            x: {
              field: 'layers',
              type: 'quantitative',
              title: 'layers',
              axis: { format: 'd', values: [3, 4, 5, 6, 7] },
              scale: { padding: 8 },
            },
            y: { field: 'low', type: 'quantitative', title: 'test accuracy (%)', scale: { zero: false } },
            y2: { field: 'high' },
            color: { field: 'activation', type: 'nominal', scale: { domain: ['relu', 'sigmoid'], range: ['#d62728', '#1f77b4'] } },
          },
        },
        {
          mark: { type: 'line', point: true },
          encoding: {
            x: { field: 'layers', type: 'quantitative' },
            y: { field: 'value', type: 'quantitative' },
            color: { field: 'activation', type: 'nominal' },
          },
        },
      ],
    },
  } as TopLevelSpec;

  const diffRows = cells.flatMap((c) => {
    const part = c.judgement.claims.find((x) => x.id === 'sigmoid-vs-relu')?.parts.find((p) => p.part === 'sigmoid-relu');
    if (!part || !Number.isFinite(part.estimate.value)) return [];
    const e = part.estimate;
    return [{ cell: c.id, value: 100 * e.value, low: 100 * e.low, high: 100 * e.high, n: e.n }];
  });
  const diff = {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: { text: 'Sigmoid minus ReLU, per setting', subtitle: `paired by seed, mean over depths; ${100 * CONFIDENCE} % interval` },
    data: { values: diffRows },
    width: { step: 60 },
    height: 220,
    layer: [
      { mark: { type: 'rule', color: '#888', strokeDash: [4, 3] }, encoding: { y: { datum: 0 } } },
      {
        mark: { type: 'rule', strokeWidth: 2 },
        encoding: {
          x: { field: 'cell', type: 'nominal', sort: cellOrder, title: null, axis: { labelAngle: -35, labelLimit: 400 } },
          y: { field: 'low', type: 'quantitative', title: 'Sigmoid - ReLU (accuracy points)' },
          y2: { field: 'high' },
        },
      },
      {
        mark: { type: 'point', filled: true, size: 50 },
        encoding: { x: { field: 'cell', type: 'nominal', sort: cellOrder }, y: { field: 'value', type: 'quantitative' } },
      },
    ],
  } as TopLevelSpec;

  const files: Record<string, string> = {};
  files['verdicts'] = (await writeChart(dir, 'verdicts', heat)).png;
  files['accuracy by depth'] = (await writeChart(dir, 'accuracy-by-depth', accuracy)).png;
  files['Sigmoid minus ReLU'] = (await writeChart(dir, 'sigmoid-minus-relu', diff)).png;
  return files;
}
