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
import { mean, sd } from '../stats/stats.js';

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

/**
 * The confirmatory rule (configs/rules/confirmatory.json, "learningRates"): a rate per network,
 * each tuning run trained to the stopping rule.
 *
 * - A run's score is the lowest 5-epoch trailing mean of its validation loss (the bare minimum of
 *   a noisy curve favours large, noisy rates); a run whose loss was ever non-finite diverged and
 *   makes its rate ineligible.
 * - A rate with `atMaximumLimit` or more of its runs at the epoch maximum is eligible only when
 *   no rate avoids that.
 * - Among the eligible rates, those whose mean score, paired by tuning seed, lies within one
 *   standard error of the lowest are tied; among them fewer runs at the maximum wins, then the
 *   smaller rate.
 * - `edge` says whether the choice sits at the end of the grid tried, and which rate beyond it
 *   (a factor of 3) the rule then adds, once.
 */
export interface PerNetworkTuningRun {
  network: string;
  learningRate: number;
  seed: number;
  /** Validation loss of epochs 1, 2, ... up to where the run stopped. */
  valLosses: readonly number[];
  atMaximum: boolean;
}

interface RateRow {
  network: string;
  learningRate: number;
  /** Score per tuning seed, in seed order (NaN: diverged). */
  scores: { seed: number; score: number; atMaximum: boolean }[];
  meanScore: number;
  /** Mean score minus the lowest mean, and that difference's standard error, paired by seed. */
  gap: number;
  gapStandardError: number;
  atMaximum: number;
  diverged: boolean;
  eligible: boolean;
  tied: boolean;
  chosen: boolean;
}

export interface NetworkRateChoice {
  network: string;
  learningRate: number;
  /** The rate beyond the grid's end the edge rule asks for, or null when the choice is inside. */
  edgeRate: number | null;
  rows: RateRow[];
}

/** Window of the trailing mean (epochs). */
const TRAILING_EPOCHS = 5;

/** The lowest mean of `window` consecutive values (of all of them when there are fewer); NaN if any value is not finite. */
export function lowestTrailingMean(values: readonly number[], window = TRAILING_EPOCHS): number {
  if (values.length === 0 || values.some((v) => !Number.isFinite(v))) return Number.NaN;
  const w = Math.min(window, values.length);
  let sum = 0;
  for (let i = 0; i < w; i++) sum += values[i];
  let lowest = sum / w;
  for (let i = w; i < values.length; i++) {
    sum += values[i] - values[i - w];
    lowest = Math.min(lowest, sum / w);
  }
  return lowest;
}

/** Standard error of a mean; 0 for a single seed, so a one-seed tuning ties nothing. */
function standardError(xs: readonly number[]): number {
  return xs.length < 2 ? 0 : sd(xs) / Math.sqrt(xs.length);
}

/** The rate a factor of 3 beyond `rate`, rounded to 6 significant digits so that names stay short. */
export function rateBeyond(rate: number, direction: 'below' | 'above'): number {
  return Number((direction === 'above' ? rate * 3 : rate / 3).toPrecision(6));
}

export function selectRatePerNetwork(
  runs: readonly PerNetworkTuningRun[],
  options: { atMaximumLimit: number; grid: readonly number[] },
): NetworkRateChoice[] {
  const networks = [...new Set(runs.map((r) => r.network))];
  return networks.map((network) => {
    const own = runs.filter((r) => r.network === network);
    const rates = [...new Set(own.map((r) => r.learningRate))].sort((a, b) => a - b);
    const seeds = [...new Set(own.map((r) => r.seed))].sort((a, b) => a - b);
    const rows: RateRow[] = rates.map((learningRate) => {
      const scores = seeds.map((seed) => {
        const run = own.find((r) => r.learningRate === learningRate && r.seed === seed);
        if (!run) throw new Error(`tuning run ${network} at ${learningRate}, seed ${seed} is missing`);
        return { seed, score: lowestTrailingMean(run.valLosses), atMaximum: run.atMaximum };
      });
      const diverged = scores.some((s) => Number.isNaN(s.score));
      const atMaximum = scores.filter((s) => s.atMaximum).length;
      return {
        network,
        learningRate,
        scores,
        meanScore: diverged ? Number.NaN : mean(scores.map((s) => s.score)),
        gap: Number.NaN,
        gapStandardError: Number.NaN,
        atMaximum,
        diverged,
        eligible: !diverged,
        tied: false,
        chosen: false,
      };
    });
    const finite = rows.filter((r) => r.eligible);
    if (finite.length === 0) throw new Error(`every rate of ${network} diverged in tuning`);
    // Rates mostly at the maximum were still learning when tuning stopped them; prefer rates that finished.
    const finished = finite.filter((r) => r.atMaximum < options.atMaximumLimit);
    const eligible = finished.length > 0 ? finished : finite;
    for (const r of rows) r.eligible = eligible.includes(r);
    const lowest = eligible.reduce((a, b) => (b.meanScore < a.meanScore ? b : a));
    for (const r of rows) {
      if (r.diverged) continue;
      const gaps = r.scores.map((s, i) => s.score - lowest.scores[i].score);
      r.gap = mean(gaps);
      r.gapStandardError = standardError(gaps);
      r.tied = r.eligible && r.gap <= r.gapStandardError;
    }
    const tied = eligible.filter((r) => r.tied);
    const chosen = tied.reduce((a, b) =>
      b.atMaximum < a.atMaximum || (b.atMaximum === a.atMaximum && b.learningRate < a.learningRate) ? b : a,
    );
    chosen.chosen = true;
    const lowestGrid = Math.min(...options.grid);
    const highestGrid = Math.max(...options.grid);
    const tried = new Set(rates);
    let edgeRate: number | null = null;
    if (chosen.learningRate === lowestGrid && rates[0] === lowestGrid) edgeRate = rateBeyond(lowestGrid, 'below');
    if (chosen.learningRate === highestGrid && rates[rates.length - 1] === highestGrid) edgeRate = rateBeyond(highestGrid, 'above');
    if (edgeRate !== null && tried.has(edgeRate)) edgeRate = null;
    return { network, learningRate: chosen.learningRate, edgeRate, rows };
  });
}
