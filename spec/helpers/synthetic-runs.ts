/**
 * Synthetic runs tables with a known truth, for the verdict engine: each run's test accuracy is
 * the configuration's true mean + a per-seed effect shared by all configurations of that seed
 * + independent noise, all drawn from a seeded stream.
 */
import { Rng } from '../../src/util/rng.js';
import type { RunRow } from '../../src/reports/runs-table.js';

export interface SyntheticTruth {
  /** True mean test accuracy per activation and depth. */
  accuracy: (activation: 'sigmoid' | 'relu', layers: number) => number;
  seeds: number;
  /** SD of each run around its configuration's mean (points as a fraction). */
  noise: number;
  /** SD of the effect a seed has on every configuration alike. */
  seedEffect?: number;
  /** Validation accuracy = the true mean + this noise (omit: no val_acc column). */
  valNoise?: number;
  /** log10 gradient ratio per activation (omit: no gradient column). */
  gradLog10?: (activation: 'sigmoid' | 'relu') => number;
  /**
   * The author's explanation per activation, on the 7-layer networks (omit: no such columns):
   * log10 δ ratio top/first hidden layer at init and trained, the "need" share, the saturated share (0.5 % at
   * initialisation), and log10 of how much the probed first-layer weights grow in training (default 0).
   */
  mechanism?: (activation: 'sigmoid' | 'relu') => {
    deltaInit: number;
    deltaTrained: number;
    need: number;
    saturated: number;
    weightGrowthLog10?: number;
  };
  /** Share of landscape curves with an interior minimum per activation, 5 curves per 7-layer network (omit: none). */
  interiorShare?: (activation: 'sigmoid' | 'relu') => number;
  rngSeed?: number;
}

export function syntheticRuns(t: SyntheticTruth): RunRow[] {
  const rng = new Rng(t.rngSeed ?? 1, 'synthetic runs');
  const rows: RunRow[] = [];
  for (let seed = 1; seed <= t.seeds; seed++) {
    const shared = (t.seedEffect ?? 0) * rng.normal();
    for (const activation of ['sigmoid', 'relu'] as const) {
      for (let layers = 3; layers <= 7; layers++) {
        const truth = t.accuracy(activation, layers);
        const row: RunRow = {
          config: `${activation}${layers}`,
          activation,
          layers,
          seed,
          test_acc: truth + shared + t.noise * rng.normal(),
        };
        if (t.valNoise !== undefined) row.val_acc = truth + t.valNoise * rng.normal();
        if (layers === 7 && t.gradLog10) row.grad_log10_last_over_first = t.gradLog10(activation) + 0.1 * rng.normal();
        if (layers === 7 && t.mechanism) {
          const m = t.mechanism(activation);
          const share = (v: number) => Math.min(1, Math.max(0, v + 0.02 * rng.normal()));
          row.delta_log10_init = m.deltaInit + 0.1 * rng.normal();
          row.delta_log10_trained = m.deltaTrained + 0.1 * rng.normal();
          row.need_outside_trained = share(m.need);
          row.saturated_trained = share(m.saturated);
          row.saturated_init = Math.max(0, 0.005 + 0.001 * rng.normal());
          row.probed_abs_w_init = 0.03 * (1 + 0.02 * rng.normal());
          row.probed_abs_w_trained = row.probed_abs_w_init * 10 ** ((m.weightGrowthLog10 ?? 0) + 0.02 * rng.normal());
        }
        if (layers === 7 && t.interiorShare) {
          row.landscape_curves = 5;
          row.landscape_inside_minima = Math.round(5 * t.interiorShare(activation));
        }
        rows.push(row);
      }
    }
  }
  return rows;
}
