/**
 * The author's explanation, second link: during training the weights chase an asymptote where
 * the gradient fades. Judged as the movement configs/rules/confirmatory.json registers
 * (claims.asymptote), per 7-layer network (the seed is the unit):
 *   (a) the share of (hidden unit, training image) pairs at a bound rises from initialisation to
 *       the probed (trained) network, and is at least the margin there;
 *   (b) the probed first-layer weights grow more in the Sigmoid network than in the ReLU network
 *       of the same seed, at the same positions (weights grow under any activation: only the
 *       difference speaks to an asymptote).
 * The claim agrees when all three parts do. Part (a) is also reported, not judged, at the
 * budgets and at the stop epoch, from the runs' trajectories (trajectories.csv) when recorded.
 */
import { mean, meanInterval } from '../../stats/stats.js';
import type { RunRow } from '../runs-table.js';
import { BUDGETS } from '../budgets.js';
import { chosenPoint, chosenUpTo, stopPoint, unitShareOf, type RunTrajectory, type TrajectoryPoint } from '../trajectories.js';
import { bySeed, configsOf, deepestWith, pairedPart, seedPart, type ConfigRuns } from './by-seed.js';
import { CONFIDENCE, defineClaim } from './claim.js';

/**
 * The rules' "(a) is also reported at the budgets 40, 100, 400 and at the stop epoch": per run of
 * `c`, its unit share at the epoch it would have chosen had training ended at each budget, and at
 * its last epoch; mean over seeds with a t interval. Null without trajectories of `c`.
 */
function atBudgets(c: ConfigRuns, trajectories: readonly RunTrajectory[] | undefined): string | null {
  const mine = (trajectories ?? []).filter((t) => t.config === c.config);
  if (mine.length === 0) return null;
  const { pick, words } = unitShareOf(c.activation);
  const at = (label: string, point: (t: RunTrajectory) => TrajectoryPoint): string => {
    const e = meanInterval(
      mine.map((t) => pick(point(t))),
      CONFIDENCE,
    );
    const show = (x: number) => (100 * x).toFixed(2);
    return `${label} ${show(e.value)} %${Number.isFinite(e.low) ? ` [${show(e.low)}, ${show(e.high)}]` : ''}`;
  };
  const epochs = (point: (t: RunTrajectory) => TrajectoryPoint) => mean(mine.map((t) => point(t).epoch)).toFixed(1);
  return (
    `${c.config}, share of pairs ${words} (n = ${mine.length} seeds, 95 % t interval): at initialisation ${at('', (t) => t.points[0]).trim()}; ` +
    BUDGETS.map((b) =>
      at(`had training ended at ${b} epochs (chosen epoch ${epochs((t) => chosenUpTo(t, b))} on average)`, (t) => chosenUpTo(t, b)),
    ).join('; ') +
    `; at the chosen epoch ${at('', chosenPoint).trim()}; at the stop epoch (${epochs(stopPoint)} on average) ${at('', stopPoint).trim()}.`
  );
}

/** log10 of how much the probed weights' mean |w| grew in training. */
const weightGrowth = (r: RunRow): number | undefined =>
  r.probed_abs_w_init !== undefined && r.probed_abs_w_trained !== undefined && r.probed_abs_w_init > 0
    ? Math.log10(r.probed_abs_w_trained / r.probed_abs_w_init)
    : undefined;

export const asymptote = defineClaim({
  id: 'asymptote',
  group: 'explanation',
  sentence:
    "The author's explanation, second link: the weights chase an asymptote where the gradient fades (training drives the Sigmoid network's units to their bounds and its probed weights outward, more than ReLU's).",
  // A paraphrase: the article's sentence is not quoted here.
  articleJa: {
    text: '著者の説明の 2 つ目：重みは勾配が消えていく漸近線を追いかける（学習によって Sigmoid のユニットは上限か下限に近づき、調べた重みは ReLU より大きく外へ動く）',
    verbatim: false,
  },
  columns: ['saturated_trained'],
  margins: {
    /**
     * "the weights chase an asymptote": at least this share of the trained Sigmoid network's
     * (unit, image) pairs sit at a bound (docs/probes.md).
     */
    saturated: {
      value: 0.1,
      alternatives: [0.05, 0.2],
      text: (v) => `"chasing an asymptote": at least ${(100 * v).toFixed(0)} % of the trained Sigmoid units' (unit, image) pairs saturated`,
    },
  },
  judge(runs, margins, context) {
    const configs = configsOf(runs);
    const saturated = (r: RunRow) => r.saturated_trained;
    const sig = deepestWith(configs, 'sigmoid', saturated);
    const relu = deepestWith(configs, 'relu', weightGrowth);
    const name = sig?.config ?? 'Sigmoid network';
    const parts = [
      pairedPart(sig, sig, saturated, (r) => r.saturated_init, {
        part: 'sigmoid-rise',
        statistic: `(a) share of (hidden unit, training image) pairs of ${name} at a bound (y <= 0.02 or >= 0.98), trained minus initial, paired by seed`,
        region: 'above 0',
        unit: 'share',
      }),
      seedPart(sig, saturated, {
        part: 'sigmoid',
        statistic: `(a) that share in the trained ${name}, pooled over the hidden layers`,
        region: `at least ${(100 * margins.saturated).toFixed(0)} %`,
        unit: 'share',
        bounds: { low: margins.saturated, high: 1 },
      }),
      pairedPart(sig && sig.runs.some((r) => weightGrowth(r) !== undefined) ? sig : null, relu, weightGrowth, weightGrowth, {
        part: 'sigmoid-relu-weights',
        statistic: `(b) log10 growth of the probed first-layer weights' mean |w| in training, ${name} minus ${relu?.config ?? 'the ReLU network'} of the same seed (same positions)`,
        region: 'above 0',
        unit: 'log10',
      }),
    ];
    const evidence: string[] = [];
    if (sig) {
      const avg = (pick: (r: RunRow) => number | undefined) => mean([...bySeed(sig, pick).values()]);
      evidence.push(
        `${name}: at initialisation ${(100 * avg((r) => r.saturated_init)).toFixed(2)} % of the pairs are saturated, trained ${(100 * avg(saturated)).toFixed(2)} % (means over seeds).`,
      );
      const unstable = sig.runs.filter((r) => r.unstable_end === 1).length;
      if (unstable > 0)
        evidence.push(
          `${unstable} of ${sig.runs.length} ${sig.config} runs ended unstable (src/probes/landscape-rules.ts unstableEnd): their trained state is a transient.`,
        );
    }
    const trajectory = [sig, relu].flatMap((c) => (c ? [atBudgets(c, context.trajectories)] : [])).filter((l) => l !== null);
    if (trajectory.length > 0)
      evidence.push(
        `(a) at other epochs, reported and not judged (configs/rules/confirmatory.json; the chosen epoch is judged; trajectories.csv): ${trajectory.join(' ')}`,
      );
    if (relu) {
      const avg = (pick: (r: RunRow) => number | undefined) => mean([...bySeed(relu, pick).values()]);
      evidence.push(
        `ReLU's counterpart, not judged: in the trained ${relu.config} ${(100 * avg((r) => r.off_trained)).toFixed(1)} % of the pairs are off and ${(100 * avg((r) => r.dead_units_trained)).toFixed(1)} % of the hidden units are dead (off on every training image); its probed weights grew by a factor ${(10 ** avg(weightGrowth)).toPrecision(3)}.`,
      );
    }
    return { parts, evidence };
  },
});
