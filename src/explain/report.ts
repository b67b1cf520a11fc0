/**
 * The explain experiment's outputs, from the records alone: explain.csv, the accuracy-by-depth
 * chart and explain.md with the section "The author's explanation" (the verdicts of decide.ts).
 */
import path from 'node:path';
import { writeFileAtomic } from '../util/atomic.js';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { UserError } from '../util/errors.js';
import { writeIntervalByDepthChart } from '../charts/charts.js';
import { meanInterval, type Estimate } from '../stats/stats.js';
import { runMetrics } from '../training/run-metrics.js';
import { cellRecords, groupDir, readGroupRecord, readProbeRecords } from '../experiment/tuned-groups.js';
import { runRowsOf, type RunRow } from '../reports/runs-table.js';
import { VARIANTS, type ExplainConfig, type VariantName } from './config.js';
import { variantStudyPlan } from './plan.js';
import { STILL_LEARNING, type Judgement } from './decide.js';
import { accuracyOn, EXPLAIN_RUN_COLUMNS, explainRunRows, judgeExplainRuns, testSetOf, verdictCsv, type ExplainRun } from './runs-file.js';

export const EXPLAIN_COLUMNS = ['variant', 'measure', 'layers', 'n', 'mean', 'ci_low', 'ci_high', 'learning_rate'] as const;

interface VariantResult {
  variant: VariantName;
  learningRate: number;
  /** Fraction of the tuning runs at the chosen rate whose best epoch is in their last tenth (still improving). */
  lateBestFraction: number;
  /** The chosen rate is the smallest or largest of the grid (the best may lie outside it). */
  atGridEdge: boolean;
  /** layers -> seed -> test accuracy in points (primary metric: at the epoch of lowest validation loss). */
  accuracy: Map<number, Map<number, number>>;
  /** The judged runs as explain-runs.csv holds them. */
  runs: ExplainRun[];
  /** The deepest network's judged runs with their probes (landscape, the author's explanation); empty when not probed. */
  probed: RunRow[];
}

/** Per-seed measures of the probed (deepest) network, as explain.csv names them: the seed is the unit. */
const PROBE_MEASURES: readonly { measure: string; label: string; value: (r: RunRow) => number | undefined; digits: number }[] = [
  {
    measure: 'landscape_interior_share',
    label: 'interior minima',
    value: (r) => share(r.landscape_inside_minima, r.landscape_curves),
    digits: 2,
  },
  {
    measure: 'landscape_edge_share',
    label: 'falling to an edge',
    value: (r) => share(r.landscape_edge_minima, r.landscape_curves),
    digits: 2,
  },
  { measure: 'landscape_flat_share', label: 'flat', value: (r) => share(r.landscape_flat, r.landscape_curves), digits: 2 },
  { measure: 'delta_log10_init', label: 'log10 δ top/first, init', value: (r) => r.delta_log10_init, digits: 2 },
  { measure: 'delta_log10_trained', label: 'log10 δ top/first, trained', value: (r) => r.delta_log10_trained, digits: 2 },
  { measure: 'saturated_trained', label: 'saturated, trained', value: (r) => r.saturated_trained, digits: 3 },
  { measure: 'need_outside_trained', label: 'would need beyond range, trained', value: (r) => r.need_outside_trained, digits: 2 },
];

function share(k: number | undefined, n: number | undefined): number | undefined {
  return k === undefined || n === undefined || n === 0 ? undefined : k / n;
}

function probeEstimate(rows: readonly RunRow[], value: (r: RunRow) => number | undefined, confidence: number): Estimate | null {
  const values = rows.map(value).filter((v): v is number => v !== undefined && Number.isFinite(v));
  return values.length === 0 ? null : meanInterval(values, confidence);
}

/** Every variant's judged runs at its chosen rate; a variant not yet complete is a UserError naming it. */
function readResults(outDir: string, configFile: string, config: ExplainConfig): VariantResult[] {
  return config.variants.map((variant) => {
    const v = variantStudyPlan(config, variant, outDir);
    const group = v.groups[0];
    const record = readGroupRecord(v.outDir, group.id);
    if (record === null) throw new UserError(`${v.outDir}: variant ${variant} is not complete; run explain (every shard) to finish it`);
    const accuracy = new Map<number, Map<number, number>>(config.layers.map((l) => [l, new Map()]));
    const judged = cellRecords(v.outDir, group.id, 'tuned', record, () => variant);
    const runs: ExplainRun[] = judged
      .map((r) => {
        const m = runMetrics(r.history);
        return {
          variant,
          layers: r.config.hidden.length + 2,
          seed: r.seed,
          learningRate: r.config.learningRate,
          testAccuracy: 100 * m.testAccuracy,
          testFullAccuracy: typeof r.fullTestAccuracy === 'number' ? 100 * r.fullTestAccuracy : null,
          bestEpoch: m.selectedEpoch,
          stopEpoch: r.stopEpoch ?? r.history[r.history.length - 1].epoch,
          stopReason: r.stopReason ?? 'fixed',
        };
      })
      .sort((a, b) => a.layers - b.layers || a.seed - b.seed);
    for (const r of runs) accuracy.get(r.layers)?.set(r.seed, accuracyOn(r, testSetOf(config.decision), v.outDir));
    const probes = readProbeRecords(path.join(groupDir(v.outDir, group.id), 'judged'));
    const probed = runRowsOf(
      judged.filter((r) => probes.some((p) => p.trainId === r.id)),
      probes,
    );
    const learningRate = record.selection.tuned[variant];
    const grid = config.learningRates;
    return {
      variant,
      learningRate,
      lateBestFraction: record.selection.lateBestFraction,
      atGridEdge: learningRate === Math.min(...grid) || learningRate === Math.max(...grid),
      accuracy,
      runs,
      probed,
    };
  });
}

const fmt = (x: number, digits = 1): string => (Number.isFinite(x) ? x.toFixed(digits) : 'n/a');
const interval = (e: Estimate | null | undefined): string =>
  e ? `${fmt(e.value)} [${fmt(e.low)}, ${fmt(e.high)}] (n = ${e.n})` : 'not measured';

function csvRows(results: readonly VariantResult[], j: Judgement, span: string): CsvRow[] {
  const row = (variant: string, measure: string, layers: number | string, e: Estimate, lr: number): CsvRow => ({
    variant,
    measure,
    layers,
    n: e.n,
    mean: e.value,
    ci_low: e.low,
    ci_high: e.high,
    learning_rate: lr,
  });
  return results.flatMap((r) => [
    ...[...r.accuracy].map(([layers, seeds]) =>
      row(r.variant, 'test_accuracy', layers, meanInterval([...seeds.values()], j.confidence), r.learningRate),
    ),
    row(r.variant, 'depth_penalty', span, j.penalty.get(r.variant)!, r.learningRate),
    row(r.variant, 'slope_per_layer', span, j.slope.get(r.variant)!, r.learningRate),
    ...PROBE_MEASURES.flatMap((m) => {
      const e = probeEstimate(r.probed, m.value, j.confidence);
      return e ? [row(r.variant, m.measure, r.probed[0].layers, e, r.learningRate)] : [];
    }),
  ]);
}

/** The probed networks' table: per variant, each measure's mean over seeds with its interval. */
function probeTable(results: readonly VariantResult[], confidence: number): string[] {
  if (results.every((r) => r.probed.length === 0)) {
    return [
      'No network of this folder was probed (it was trained before explain probed its deepest networks); run explain again with `--reuse` on it to add the probes.',
    ];
  }
  const cell = (e: Estimate | null, digits: number) =>
    e ? `${e.value.toFixed(digits)} [${e.low.toFixed(digits)}, ${e.high.toFixed(digits)}]` : 'not measured';
  return [
    `| variant | network | ${PROBE_MEASURES.map((m) => m.label).join(' | ')} |`,
    `| --- | --- | ${PROBE_MEASURES.map(() => '---').join(' | ')} |`,
    ...results.map(
      (r) =>
        `| ${r.variant} | ${r.probed[0]?.config ?? '-'} (n = ${r.probed.length}) | ${PROBE_MEASURES.map((m) => cell(probeEstimate(r.probed, m.value, confidence), m.digits)).join(' | ')} |`,
    ),
  ];
}

/** The answer to "does Sigmoid lose accuracy?" under the judgement's margin. */
function sigmoidAnswer(j: Judgement): string {
  const nothing = 'the factors below then explain a failure these settings do not show.';
  switch (j.sigmoidFails) {
    case 'holds':
      return 'yes.';
    case 'contradicted':
      return j.margin > 0
        ? `no: less than the margin of ${j.margin} points, if any; ${nothing}`
        : `no, the deep networks are better; ${nothing}`;
    case STILL_LEARNING:
      return `${STILL_LEARNING}.`;
    default:
      return `no penalty detected; ${nothing}`;
  }
}

function markdown(config: ExplainConfig, results: readonly VariantResult[], judgements: readonly Judgement[], span: string): string {
  const j = judgements[0];
  const pct = (c: number): string => `${Math.round(100 * c)} %`;
  const S = j.shrinkingCell;
  const training =
    config.stopping !== undefined
      ? `trained until the validation loss has not improved for max(${config.stopping.patience}, ⌈${config.stopping.patienceFraction ?? 0} × best epoch⌉) epochs, at most ${config.epochs}`
      : `${config.epochs} epoch${config.epochs === 1 ? '' : 's'}`;
  const penaltyDefinition =
    config.layers.length > 1
      ? `Depth penalty = accuracy at ${config.layers[0]} layers minus at ${config.layers[config.layers.length - 1]} layers, per seed (positive: the deep network is worse).`
      : `Penalty = ReLU's accuracy at ${config.layers[0]} layers minus the variant's, per seed (one depth: the deficit against the network that keeps learning; ReLU's own is 0).`;
  const atMaximum = (r: VariantResult): string =>
    config.layers
      .map((l) => {
        const at = r.runs.filter((x) => x.layers === l);
        return `${l}: ${at.filter((x) => x.stopReason === 'maximum').length}/${at.length}`;
      })
      .join(', ');
  const lines: string[] = [
    '# The explain experiment',
    '',
    `Every variant at ${config.layers.join(', ')} layers (hidden widths: the first L - 2 of ${config.hidden.join(', ')}), ` +
      `${config.init.name} initialisation, batch ${config.batchSize}, ${training}, ${config.seeds} seeds from ${config.firstSeed}; ` +
      `the learning rate chosen per variant on the validation split from {${config.learningRates.join(', ')}} ` +
      `(${config.tuningSeeds} tuning seed${config.tuningSeeds === 1 ? '' : 's'}, never a judged one). ` +
      `Accuracy is the primary metric: test accuracy at the epoch of lowest validation loss, in points, on ${testSetOf(config.decision) === 'full' ? "the whole test split's two classes (1,000 + 1,000 images)" : 'the article-sized test set (200 + 200 images)'}. Intervals: ${pct(j.confidence)} t over seeds.`,
    '',
    '| variant | definition | learning rate | tuning runs still improving at the end | judged runs stopped at the maximum, per depth |',
    '| --- | --- | --- | --- | --- |',
    ...results.map(
      (r) =>
        `| ${r.variant} | ${VARIANTS[r.variant].describe} | ${r.learningRate}${r.atGridEdge ? ' (edge of the grid)' : ''} | ${fmt(100 * r.lateBestFraction, 0)} % | ${atMaximum(r)} |`,
    ),
    '',
    '## Accuracy against depth',
    '',
    `| variant | ${config.layers.map((l) => `${l} layers`).join(' | ')} | penalty ${span} | slope per layer${config.layers.length > 1 ? '' : ' (one depth: none)'} |`,
    `| --- | ${config.layers.map(() => '---').join(' | ')} | --- | --- |`,
    ...results.map(
      (r) =>
        `| ${r.variant} | ${config.layers.map((l) => interval(meanInterval([...r.accuracy.get(l)!.values()], j.confidence))).join(' | ')} | ` +
        `${interval(j.penalty.get(r.variant))} | ${interval(j.slope.get(r.variant))} |`,
    ),
    '',
    '![accuracy against depth per variant](charts/accuracy-by-depth.png)',
    '',
    "## The author's explanation",
    '',
    penaltyDefinition,
    '',
    ...(j.stillLearning.length > 0
      ? [`**Still learning** (more than the rule's share of runs at the maximum): ${j.stillLearning.join(', ')}.`, '']
      : []),
    ...(j.flagged.length > 0 ? [`Flagged (at least the rule's flag share at the maximum): ${j.flagged.join(', ')}.`, ''] : []),
    `- **Does Sigmoid lose accuracy ${config.layers.length > 1 ? 'with depth' : `at ${config.layers[0]} layers, against ReLU`}?** Sigmoid's penalty ${interval(j.penalty.get('sigmoid'))}: ` +
      sigmoidAnswer(j),
    `- **Bounded output** (Sigmoid and relu-clipped against relu and ${S}): effect on the penalty ${interval(j.bounded)}.`,
    `- **Shrinking derivative** (Sigmoid and ${S} against relu and relu-clipped): effect ${interval(j.shrinking)}.`,
    `- Interaction (Sigmoid's penalty beyond the sum of both factors): ${interval(j.interaction)}.`,
    `- **The data blames: ${j.blame}.**`,
    `- **"More than shrinking" (the bounded output matters where the slope stays 1): ${j.moreThanShrinking}.**`,
    ...(['sigmoid-reachable', 'sigmoid-normalised'] as const).map((fix) => {
      const f = j.fixes.get(fix)!;
      return `- **${fix}**: Sigmoid's penalty minus this variant's ${interval(f.difference)}: ${f.verdict}.`;
    }),
    '',
    config.decision !== undefined
      ? `The registered rule (this config's \`decision\`, committed before its run; configs/rules/README.md): margin m = ${config.decision.margin} points. A factor is blamed when its effect's interval lies above m; "more than shrinking" holds when the bounded effect's interval lies above m and is contradicted when it lies below m (the bound costs the deep networks less than m points, if anything); Sigmoid shows a failure when its penalty's interval lies above m. A verdict that uses a variant and depth with more than ${pct(config.decision.stillLearning)} of its judged runs at the maximum is not judged (still learning); at ${pct(config.decision.flag)} or more it is flagged.`
      : 'The rule (fixed in src/explain/decide.ts before any run): a factor is blamed when its effect\'s interval lies above 0; one blamed: that one, both: "both", neither: "inconclusive". ' +
        '"More than shrinking" holds when the bounded effect\'s interval lies above 0, is contradicted below 0. A fix removes the penalty when it lowers it (difference above 0) and its own penalty is not above 0; it reduces it when its own penalty stays above 0.',
    '',
    'How the conclusions move with the confidence level:',
    '',
    '| confidence | blamed | more than shrinking | sigmoid-reachable | sigmoid-normalised |',
    '| --- | --- | --- | --- | --- |',
    ...judgements.map(
      (k) =>
        `| ${pct(k.confidence)} | ${k.blame} | ${k.moreThanShrinking} | ${k.fixes.get('sigmoid-reachable')!.verdict} | ${k.fixes.get('sigmoid-normalised')!.verdict} |`,
    ),
    '',
    S === 'relu-scaled'
      ? 'Caveat: the scaled ReLU shrinks the forward signal by 0.25 per layer as well as the back-propagated error (Sigmoid does not shrink its output), so its "shrinking" mixes both.'
      : "Caveat: relu-scaled-matched keeps ReLU's forward pass at initialisation (weights after the first layer x 4), and with it ReLU's back-propagated error per pre-activation (the slope's 0.25 and the weights' 4 cancel). Since ReLU is positively homogeneous, it is exactly a ReLU network (weights after the first layer / 4) trained with another step per layer: those weights at the rate / 16, the first layer's weights and every bias at the rate. Its \"shrinking derivative\" is therefore a smaller step in the later layers, not an error that vanishes on its way down (docs/probes.md).",
    '',
    "## Each variant's deepest network: landscape and mechanism",
    '',
    `The trained deepest network of every judged seed, probed as \`npm start\` probes sigmoid7 and relu7 (docs/probes.md): shares of the swept first-layer weights' loss curves by the frozen shape rules; log10 of the back-propagated error's mean norm, top hidden layer over the first, at initialisation and after training; the share of (unit, image) pairs saturated after training; the share of sampled (unit, example) pairs whose loss-minimising output lies beyond the activation's range and gains there. Mean over seeds [${pct(j.confidence)} t interval]; not judged.`,
    '',
    ...probeTable(results, j.confidence),
    '',
  ];
  return lines.join('\n');
}

export interface ExplainFiles {
  csv: string;
  md: string;
  chart: string;
}

export async function writeExplainReport(outDir: string, configFile: string, config: ExplainConfig): Promise<ExplainFiles> {
  const results = readResults(outDir, configFile, config);
  const runs = results.flatMap((r) => r.runs);
  // The verdict is judged from explain-runs.csv's rows, so that file alone re-judges it (runs-file.ts).
  const judgements = judgeExplainRuns(runs, config.decision, outDir);
  const j = judgements[0];
  const span = config.layers.length > 1 ? `${config.layers[0]}-${config.layers[config.layers.length - 1]}` : `relu-${config.layers[0]}`;
  const csv = path.join(outDir, 'explain.csv');
  await writeCsv(csv, EXPLAIN_COLUMNS, csvRows(results, j, span));
  await writeCsv(path.join(outDir, 'explain-runs.csv'), EXPLAIN_RUN_COLUMNS, explainRunRows(runs));
  await writeFileAtomic(path.join(outDir, 'explain-verdict.csv'), verdictCsv(judgements));
  const points = results.flatMap((r) =>
    [...r.accuracy].map(([depth, seeds]) => {
      const e = meanInterval([...seeds.values()], j.confidence);
      return { series: r.variant, depth, value: e.value, low: e.low, high: e.high };
    }),
  );
  const chart = await writeIntervalByDepthChart(path.join(outDir, 'charts'), points, {
    name: 'accuracy-by-depth',
    title: 'Test accuracy against depth, per variant',
    subtitle: `mean over seeds with its ${Math.round(100 * j.confidence)} % interval (t); test accuracy at the lowest validation loss`,
    yTitle: 'test accuracy (%)',
  });
  const md = path.join(outDir, 'explain.md');
  await writeFileAtomic(md, markdown(config, results, judgements, span));
  return { csv, md, chart: chart.png };
}
