/**
 * What training does to the probed networks over the epochs: per run that recorded its units
 * (activations.csv: the 7-layer networks), per epoch, the share of (hidden unit, training image)
 * pairs at a Sigmoid's bound and at a rectifier's 0, pooled over the hidden layers, and each
 * layer's mean |gradient| (gradients.csv). Claim 8 reports its part (a) from it at the budgets and
 * at the stop epoch (configs/rules/confirmatory.json, claims.asymptote: reported, not judged), and
 * the report shows the trajectories as a table and charts.
 *
 * Kept beside runs.csv as trajectories.csv so that `report --runs` gives the same report:
 * config, seed, epoch, val_best (1 when the epoch's validation loss is lower than every earlier
 * one: the chosen epoch had training ended at any budget is the last such epoch up to it),
 * saturated, off (6 significant digits) and mean_abs_grad (per layer from the input, separated by
 * spaces, 4 significant digits). The file is checked before it is believed: every row belongs to
 * a run of the table, a run's epochs run from 0 without a gap, its last epoch is the table's
 * stop_epoch, its last val_best epoch the table's best_epoch, and its shares at epoch 0 and at the
 * chosen epoch are the table's saturated_init, saturated_trained and off_trained.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import { parseCsv, writeCsv } from '../util/csv.js';
import { readRegularFile } from '../util/regular-file.js';
import { ACTIVATION_COLUMNS } from '../nn/activation-stats.js';
import type { RunRow } from './runs-table.js';

export const TRAJECTORIES_FILE = 'trajectories.csv';
export const TRAJECTORY_COLUMNS = ['config', 'seed', 'epoch', 'val_best', 'saturated', 'off', 'mean_abs_grad'] as const;
/** Far above the 20 probed runs x 400 epochs of a reproduction: a bigger file is not ours. */
const MAX_FILE_BYTES = 32 * 1024 * 1024;
/** How far the file's rounded shares may lie from the runs table's. */
const SHARE_TOLERANCE = 1e-6;

export interface TrajectoryPoint {
  epoch: number;
  /** The validation loss is lower than at every earlier epoch. */
  valBest: boolean;
  saturated: number;
  off: number;
  /** Mean |dLoss/dW| per weight layer, from the input (empty when the run recorded no gradients). */
  meanAbsGrad: number[];
}

export interface RunTrajectory {
  config: string;
  seed: number;
  /** Epoch 0 (initialisation) to the last epoch trained, one point each. */
  points: TrajectoryPoint[];
}

/** The epoch a run would have chosen had training ended after `budget` epochs (the last new lowest validation loss up to it). */
export function chosenUpTo(t: RunTrajectory, budget: number): TrajectoryPoint {
  let chosen = t.points[0];
  for (const p of t.points) if (p.epoch <= budget && p.valBest) chosen = p;
  return chosen;
}

/** The chosen epoch of the whole run. */
export function chosenPoint(t: RunTrajectory): TrajectoryPoint {
  return chosenUpTo(t, Number.POSITIVE_INFINITY);
}

export function stopPoint(t: RunTrajectory): TrajectoryPoint {
  return t.points[t.points.length - 1];
}

const round = (x: number, digits: number): number => Number(x.toPrecision(digits));

/** One run's activations.csv, pooled over its hidden layers, by epoch. */
function pooledActivations(file: string): Map<number, { saturated: number; off: number }> {
  const text = readFileSync(file, 'utf8');
  if (!text.startsWith(ACTIVATION_COLUMNS.join(','))) throw new UserError(`${file}: expected the header ${ACTIVATION_COLUMNS.join(',')}`);
  const sums = new Map<number, { saturated: number; off: number; width: number }>();
  for (const [k, row] of parseCsv(text).entries()) {
    const epoch = Number(row.epoch);
    const width = Number(row.width);
    const saturated = Number(row.saturated_fraction);
    const off = Number(row.off_fraction);
    if (!Number.isInteger(epoch) || epoch < 0 || !(width > 0) || !(saturated >= 0 && saturated <= 1) || !(off >= 0 && off <= 1))
      throw new UserError(`${file}: row ${k + 2}: expected an epoch, a width and shares from 0 to 1`);
    const s = sums.get(epoch) ?? { saturated: 0, off: 0, width: 0 };
    s.saturated += saturated * width;
    s.off += off * width;
    s.width += width;
    sums.set(epoch, s);
  }
  return new Map([...sums.entries()].map(([epoch, s]) => [epoch, { saturated: s.saturated / s.width, off: s.off / s.width }]));
}

/**
 * The trajectories of a reproduction's runs that recorded activations (their folders'
 * activations.csv), with their histories' validation losses and their gradients by epoch.
 */
export function trajectoriesOfRuns(
  runs: readonly {
    configName: string;
    seed: number;
    dir: string;
    history: readonly { epoch: number; valLoss: number | null }[];
    gradients: readonly { epoch: number; layer: number; meanAbs: number }[];
  }[],
): RunTrajectory[] {
  const out: RunTrajectory[] = [];
  for (const run of runs) {
    const file = path.join(run.dir, 'activations.csv');
    if (!existsSync(file)) continue;
    const pooled = pooledActivations(file);
    let lowest = Number.POSITIVE_INFINITY;
    const points: TrajectoryPoint[] = [];
    for (const h of run.history) {
      const units = pooled.get(h.epoch);
      if (!units) continue;
      const valBest = typeof h.valLoss === 'number' && Number.isFinite(h.valLoss) && h.valLoss < lowest;
      if (valBest) lowest = h.valLoss!;
      const grads = run.gradients.filter((g) => g.epoch === h.epoch).sort((a, b) => a.layer - b.layer);
      points.push({
        epoch: h.epoch,
        valBest,
        saturated: round(units.saturated, 6),
        off: round(units.off, 6),
        meanAbsGrad: grads.map((g) => round(g.meanAbs, 4)),
      });
    }
    out.push({ config: run.configName, seed: run.seed, points });
  }
  return out;
}

export async function writeTrajectoriesCsv(outDir: string, trajectories: readonly RunTrajectory[]): Promise<string> {
  const file = path.join(outDir, TRAJECTORIES_FILE);
  await writeCsv(
    file,
    TRAJECTORY_COLUMNS,
    trajectories.flatMap((t) =>
      t.points.map((p) => ({
        config: t.config,
        seed: t.seed,
        epoch: p.epoch,
        val_best: p.valBest ? 1 : 0,
        saturated: p.saturated,
        off: p.off,
        mean_abs_grad: p.meanAbsGrad.map((g) => g.toExponential(3)).join(' '),
      })),
    ),
  );
  return file;
}

/**
 * trajectories.csv beside a runs table, checked against it; null when there is none. Refused with
 * one line: a file too big, a row of another run, a malformed cell, a gap in a run's epochs, or a
 * run whose last epoch, chosen epoch or shares differ from the table's.
 */
export function readTrajectoriesBeside(runsFile: string, runs: readonly RunRow[]): RunTrajectory[] | null {
  const file = path.join(path.dirname(runsFile), TRAJECTORIES_FILE);
  if (!existsSync(file)) return null;
  const text = readRegularFile(file, { what: 'trajectories file', maxBytes: MAX_FILE_BYTES }).toString('utf8');
  if (!text.startsWith(TRAJECTORY_COLUMNS.join(','))) throw new UserError(`${file}: expected the header ${TRAJECTORY_COLUMNS.join(',')}`);
  const byRun = new Map(runs.map((r) => [`${r.config}\u0000${r.seed}`, r]));
  const read = new Map<string, RunTrajectory>();
  for (const [k, row] of parseCsv(text).entries()) {
    const where = `${file}: row ${k + 2}`;
    const seed = Number(row.seed);
    const key = `${row.config}\u0000${seed}`;
    if (!byRun.has(key)) throw new UserError(`${where}: no run ${row.config} seed ${row.seed} in ${runsFile}`);
    const t = read.get(key) ?? { config: row.config, seed, points: [] };
    read.set(key, t);
    const epoch = Number(row.epoch);
    if (row.epoch === '' || epoch !== t.points.length)
      throw new UserError(
        `${where}: ${row.config} seed ${seed}'s epochs must run 0, 1, 2, ... without a gap (expected ${t.points.length})`,
      );
    const saturated = Number(row.saturated);
    const off = Number(row.off);
    if (row.saturated === '' || row.off === '' || !(saturated >= 0 && saturated <= 1) || !(off >= 0 && off <= 1))
      throw new UserError(`${where}: saturated and off must be shares from 0 to 1`);
    if (row.val_best !== '0' && row.val_best !== '1') throw new UserError(`${where}: val_best must be 0 or 1`);
    const meanAbsGrad = row.mean_abs_grad === '' ? [] : row.mean_abs_grad.split(' ').map(Number);
    if (!meanAbsGrad.every((g) => Number.isFinite(g) && g >= 0))
      throw new UserError(`${where}: mean_abs_grad must be non-negative numbers separated by spaces`);
    if (t.points.length > 0 && meanAbsGrad.length !== t.points[0].meanAbsGrad.length)
      throw new UserError(`${where}: ${meanAbsGrad.length} layers of gradients, the run's epoch 0 has ${t.points[0].meanAbsGrad.length}`);
    t.points.push({ epoch, valBest: row.val_best === '1', saturated, off, meanAbsGrad });
  }
  for (const t of read.values()) checkAgainstTable(file, runsFile, t, byRun.get(`${t.config}\u0000${t.seed}`)!);
  return [...read.values()];
}

function checkAgainstTable(file: string, runsFile: string, t: RunTrajectory, run: RunRow): void {
  const name = `${file}: ${t.config} seed ${t.seed}`;
  const chosen = chosenPoint(t);
  const same = (what: string, mine: number, column: keyof RunRow) => {
    const theirs = run[column];
    if (typeof theirs === 'number' && Math.abs(mine - theirs) > SHARE_TOLERANCE)
      throw new UserError(`${name}: ${what} is ${mine}, ${runsFile} says ${String(column)} = ${theirs}`);
  };
  if (run.stop_epoch !== undefined && stopPoint(t).epoch !== run.stop_epoch)
    throw new UserError(`${name}: its last epoch is ${stopPoint(t).epoch}, ${runsFile} says stop_epoch = ${run.stop_epoch}`);
  if (run.best_epoch !== undefined && chosen.epoch !== run.best_epoch)
    throw new UserError(
      `${name}: its chosen epoch (the last val_best) is ${chosen.epoch}, ${runsFile} says best_epoch = ${run.best_epoch}`,
    );
  same('the saturated share at epoch 0', t.points[0].saturated, 'saturated_init');
  same('the saturated share at the chosen epoch', chosen.saturated, 'saturated_trained');
  same('the off share at the chosen epoch', chosen.off, 'off_trained');
}

/** The mean over the runs of `config` that reached `epoch` (still training), and how many did. */
function meanAt(
  trajectories: readonly RunTrajectory[],
  epoch: number,
  pick: (p: TrajectoryPoint) => number,
): { mean: number; runs: number } {
  const values = trajectories
    .map((t) => t.points[epoch])
    .filter((p): p is TrajectoryPoint => p !== undefined)
    .map(pick);
  return { mean: values.length > 0 ? values.reduce((a, b) => a + b, 0) / values.length : Number.NaN, runs: values.length };
}

/** The share a trajectory table shows for an activation: at a bound for Sigmoid, at 0 for a rectifier. */
export function unitShareOf(activation: string): { pick: (p: TrajectoryPoint) => number; words: string } {
  return activation === 'sigmoid'
    ? { pick: (p) => p.saturated, words: 'at a bound (y <= 0.02 or >= 0.98)' }
    : { pick: (p) => p.off, words: 'off (y = 0)' };
}

export interface TrajectoryView {
  tables: { title: string; table: { headers: string[]; rows: string[][] } }[];
  /** Per configuration and epoch, the mean share over the runs still training. */
  shares: { config: string; epoch: number; share: number }[];
  /** Per configuration, layer and epoch, the mean over the runs still training of the layer's mean |gradient|. */
  gradients: { config: string; layer: number; epoch: number; meanAbs: number }[];
}

/** The trajectories as the report shows them: tables every `step` epochs, and every epoch for the charts. */
export function trajectoryView(trajectories: readonly RunTrajectory[], runs: readonly RunRow[], step = 10): TrajectoryView {
  const configs = [...new Set(trajectories.map((t) => t.config))];
  const activationOf = (c: string) => runs.find((r) => r.config === c)?.activation ?? '';
  const of = (c: string) => trajectories.filter((t) => t.config === c);
  const last = Math.max(0, ...trajectories.map((t) => t.points.length - 1));
  const epochs = Array.from({ length: last + 1 }, (_, e) => e);
  const shown = epochs.filter((e) => e % step === 0 || e === last);
  const pct = (x: number) => (Number.isFinite(x) ? (100 * x).toFixed(2) : '');
  const shares = configs.flatMap((c) =>
    epochs.map((epoch) => ({ config: c, epoch, share: meanAt(of(c), epoch, unitShareOf(activationOf(c)).pick).mean })),
  );
  const layers = Math.max(0, ...trajectories.map((t) => t.points[0]?.meanAbsGrad.length ?? 0));
  const gradients = configs.flatMap((c) =>
    Array.from({ length: layers }, (_, l) =>
      epochs.map((epoch) => ({
        config: c,
        layer: l + 1,
        epoch,
        meanAbs: meanAt(of(c), epoch, (p) => p.meanAbsGrad[l] ?? Number.NaN).mean,
      })),
    ).flat(),
  );
  const tables: TrajectoryView['tables'] = [
    {
      title: `Share (%) of (hidden unit, training image) pairs ${configs.map((c) => `${unitShareOf(activationOf(c)).words} in ${c}`).join(', ')}, pooled over the hidden layers; mean over the runs still training at the epoch (how many in brackets)`,
      table: {
        headers: ['epoch', ...configs],
        rows: shown.map((epoch) => [
          String(epoch),
          ...configs.map((c) => {
            const m = meanAt(of(c), epoch, unitShareOf(activationOf(c)).pick);
            return m.runs > 0 ? `${pct(m.mean)} (${m.runs})` : '';
          }),
        ]),
      },
    },
  ];
  if (layers > 0) {
    const gradientEpochs = shown.filter((e) => e % (2 * step) === 0 || e === last);
    tables.push({
      title: `Mean |dLoss/dW| of each weight layer (layer 1 next to the input) over the training set, every ${2 * step} epochs; mean over the runs still training`,
      table: {
        headers: ['epoch', 'network', ...Array.from({ length: layers }, (_, l) => `layer ${l + 1}`)],
        rows: gradientEpochs.flatMap((epoch) =>
          configs
            .filter((c) => meanAt(of(c), epoch, (p) => p.epoch).runs > 0)
            .map((c) => [
              String(epoch),
              c,
              ...Array.from({ length: layers }, (_, l) => {
                const m = meanAt(of(c), epoch, (p) => p.meanAbsGrad[l] ?? Number.NaN).mean;
                return Number.isFinite(m) ? m.toExponential(2) : '';
              }),
            ]),
        ),
      },
    });
  }
  return { tables, shares: shares.filter((s) => Number.isFinite(s.share)), gradients: gradients.filter((g) => Number.isFinite(g.meanAbs)) };
}
