/**
 * Choosing learning rates on the validation split, never the test set.
 *
 * Each tuning run trains one network at one rate of the group's grid and records its lowest
 * validation loss over the epochs (the epoch a judged run would report). The rule, fixed before
 * any study ran:
 * - tuned arm: per activation, the rate whose mean lowest validation loss over that
 *   activation's networks (and tuning seeds) is smallest;
 * - one-rate arm: the one rate whose mean over all networks of both activations is smallest.
 * A run that diverged (no finite validation loss) counts as +Infinity, so a rate that breaks
 * any network is never chosen over one that trains them all. Ties go to the smaller rate.
 *
 * It also says whether the epochs were enough: when most tuning runs at a chosen rate reach
 * their best validation loss in the last tenth of their epochs, the loss was still falling and
 * the report flags the group as possibly under-trained.
 */

export interface TuningRun {
  network: string;
  activation: string;
  learningRate: number;
  seed: number;
  /** Lowest validation loss over the epochs (NaN or Infinity when the run diverged). */
  bestValLoss: number;
  /** The epoch of that loss (0 = at initialisation). */
  bestEpoch: number;
  epochs: number;
}

interface RateScore {
  activation: string | 'both';
  learningRate: number;
  meanBestValLoss: number;
  runs: number;
}

export interface LearningRateSelection {
  tuned: Record<string, number>;
  shared: number;
  /** Mean lowest validation loss per (activation, rate) and per rate for both: the table behind the choice. */
  scores: RateScore[];
  /** Fraction of the tuning runs at the chosen rates whose best epoch is in the last tenth of their epochs. */
  lateBestFraction: number;
}

/** The fraction of the epochs at the end of a run where a best epoch means "still improving". */
const LATE_FRACTION = 0.1;

function finiteOrInf(x: number): number {
  return Number.isFinite(x) ? x : Number.POSITIVE_INFINITY;
}

function scoresOf(runs: readonly TuningRun[], activation: string | 'both'): RateScore[] {
  const byRate = new Map<number, number[]>();
  for (const r of runs) {
    if (activation !== 'both' && r.activation !== activation) continue;
    const list = byRate.get(r.learningRate) ?? [];
    list.push(finiteOrInf(r.bestValLoss));
    byRate.set(r.learningRate, list);
  }
  return [...byRate.entries()]
    .sort(([a], [b]) => a - b)
    .map(([learningRate, losses]) => ({
      activation,
      learningRate,
      meanBestValLoss: losses.reduce((s, x) => s + x, 0) / losses.length,
      runs: losses.length,
    }));
}

function argmin(scores: readonly RateScore[]): number {
  let best = scores[0];
  for (const s of scores) if (s.meanBestValLoss < best.meanBestValLoss) best = s; // sorted by rate: ties keep the smaller
  return best.learningRate;
}

export function selectLearningRates(runs: readonly TuningRun[]): LearningRateSelection {
  if (runs.length === 0) throw new Error('selectLearningRates: no tuning runs');
  const activations = [...new Set(runs.map((r) => r.activation))].sort();
  const tuned: Record<string, number> = {};
  const scores: RateScore[] = [];
  for (const a of activations) {
    const s = scoresOf(runs, a);
    scores.push(...s);
    tuned[a] = argmin(s);
  }
  const both = scoresOf(runs, 'both');
  scores.push(...both);
  const shared = argmin(both);

  const chosen = runs.filter((r) => r.learningRate === tuned[r.activation] || r.learningRate === shared);
  const late = chosen.filter((r) => r.bestEpoch >= Math.ceil((1 - LATE_FRACTION) * r.epochs)).length;
  return { tuned, shared, scores, lateBestFraction: chosen.length > 0 ? late / chosen.length : 0 };
}
