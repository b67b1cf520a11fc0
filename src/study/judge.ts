/**
 * One cell of the study judged: its judged runs as runs.csv rows, through the project's one
 * verdict engine (src/reports/verdicts.ts) with the margins declared in src/reports/claim-margins.ts,
 * plus the few numbers the distance to the article needs.
 */
import { runRowsOf, type RunRow } from '../reports/runs-table.js';
import { judgeClaims, type ClaimResult } from '../reports/verdicts.js';
import { MARGINS } from '../reports/claim-margins.js';
import type { TrainRecord } from '../experiment/store.js';

export interface CellJudgement {
  claims: ClaimResult[];
  runs: RunRow[];
  /** Mean over the networks of each network's mean test accuracy (the primary metric), in points. */
  meanAccuracyPoints: number;
  /** The best network's mean test accuracy, in points. */
  bestAccuracyPoints: number;
  /** Depth (layers) of the best network of each activation, by mean test accuracy. */
  bestDepth: { sigmoid: number; relu: number };
  /** Mean Sigmoid accuracy minus mean ReLU accuracy over all their runs, in points. */
  sigmoidMinusReluPoints: number;
}

/** The study names its runs `<network>-lr<rate>`; the verdicts see the network's own name. */
function networkNameOf(configName: string): string {
  const k = configName.lastIndexOf('-lr');
  return k > 0 ? configName.slice(0, k) : configName;
}

function meanOf(xs: readonly number[]): number {
  return xs.length === 0 ? Number.NaN : xs.reduce((a, b) => a + b, 0) / xs.length;
}

export function judgeCell(records: readonly TrainRecord[]): CellJudgement {
  const runs = runRowsOf(records, []).map((r) => ({ ...r, config: networkNameOf(r.config) }));
  const networks = [...new Set(runs.map((r) => r.config))].map((config) => {
    const mine = runs.filter((r) => r.config === config);
    return { config, activation: mine[0].activation, layers: mine[0].layers, mean: 100 * meanOf(mine.map((r) => r.test_acc)) };
  });
  const bestOf = (activation: string): number => {
    const list = networks.filter((n) => n.activation === activation);
    return list.length === 0 ? Number.NaN : list.reduce((a, b) => (b.mean > a.mean ? b : a)).layers;
  };
  const accOf = (activation: string): number => 100 * meanOf(runs.filter((r) => r.activation === activation).map((r) => r.test_acc));
  return {
    claims: judgeClaims(runs, MARGINS),
    runs,
    meanAccuracyPoints: meanOf(networks.map((n) => n.mean)),
    bestAccuracyPoints: Math.max(...networks.map((n) => n.mean)),
    bestDepth: { sigmoid: bestOf('sigmoid'), relu: bestOf('relu') },
    sigmoidMinusReluPoints: accOf('sigmoid') - accOf('relu'),
  };
}
