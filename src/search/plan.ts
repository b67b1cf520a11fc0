/**
 * The search's plan builder: the grid, each stage's runs as a plan for the engine, and the
 * choice of stage C, all pure functions of the config and the records of the stages before
 * (configs/rules/search.json and configs/rules/README.md give the rules and why).
 *
 *   A       the hardest networks (sigmoid7) at every (batch, init, bias, rate), screening seeds,
 *           with the stall rule; a point is "learned" when every hardest network learns on
 *           either seed;
 *   B       the other networks at every point learned; and the networks of the other
 *           activation (ReLU) at every rate of each (batch, init, bias) where any point was
 *           learned, for the per-activation arm;
 *   audit   from the screen's runs that ended at or below the stall's accuracy bound (by stall or
 *           by patience): `random` drawn with the rules' sample seed, then the `nearestThreshold`
 *           highest, each run again to its maximum (no stall, no patience);
 *   extend  when an audited run learns: every stalled run of its (batch, init, bias), again to
 *           its maximum. A run that is run again counts by its longer run from then on;
 *   B2      the runs B would have held had the longer runs been known (points learned only by them);
 *   C       per (batch, init, bias) and arm, the rate(s) chosen on validation (chooseRate); the
 *           cell passes when every network learns at its chosen rate;
 *   D       at most maxPromoted passing cells, the highest smallest validation accuracy first, at
 *           their chosen rates on the promoted seeds (no stall rule: that is for the screen).
 * A network "learns" in a run when its validation accuracy at the epoch of lowest validation
 * loss is at least the rules' threshold; at a point, when it learns on either screening seed.
 */
import type { RunConfig } from '../config/schema.js';
import { parseConfig } from '../config/load.js';
import { planTrainRuns, trainJobId, type Plan } from '../experiment/job.js';
import type { TrainRecord } from '../experiment/store.js';
import { Rng } from '../util/rng.js';
import type { SearchConfig } from './config.js';
import type { SearchBias, SearchInit } from './rules.js';

/** A (batch, init, bias) of the grid. */
export interface Cell {
  id: string;
  batchSize: number;
  init: SearchInit;
  bias: SearchBias;
}

const ARMS = ['one-rate', 'per-activation'] as const;
type Arm = (typeof ARMS)[number];

/** How a run is trained: the screen (stall rule), again to its maximum (audit, extend), or on the promoted seeds. */
type Variant = 'screen' | 'full' | 'promoted';

/** One run of a stage. */
export interface SearchRun {
  network: string;
  cell: Cell;
  learningRate: number;
  seed: number;
  variant: Variant;
}

/** What a finished run says, for the rules. */
export interface RunOutcome {
  run: SearchRun;
  stopReason: string;
  /** Validation accuracy and loss at the epoch of lowest validation loss. */
  valAccuracy: number;
  bestValLoss: number;
  /** Validation accuracy at the last epoch trained. */
  finalValAccuracy: number;
  learned: boolean;
}

/** The search's stages, and `check`: the check of its early stops (check.ts), run after them. */
export type StageName = 'A' | 'B' | 'audit' | 'extend' | 'B2' | 'D' | 'check';

export interface Stage {
  name: StageName;
  runs: SearchRun[];
  plan: Plan;
  /** The run behind each job id. */
  byJob: ReadonlyMap<string, SearchRun>;
}

export function cellsOf(config: SearchConfig): Cell[] {
  const cells: Cell[] = [];
  for (const batchSize of config.axes.batchSize)
    for (const init of config.axes.init)
      for (const bias of config.axes.bias)
        cells.push({ id: `b${batchSize}-${init.name}-${bias === 'zero' ? 'zero' : 'lw'}`, batchSize, init, bias });
  return cells;
}

/** A run's key: the same network, point and seed whichever stage ran it. */
export function runKey(r: Pick<SearchRun, 'network' | 'cell' | 'learningRate' | 'seed'>): string {
  return `${r.cell.id}|${r.network}|${r.learningRate}|${r.seed}`;
}

function runName(r: SearchRun): string {
  return `${r.cell.id}-${r.network}-lr${r.learningRate}${r.variant === 'full' ? '-full' : ''}`;
}

/** A run's job id in its stage's plan (its folder under runs/). */
export function runId(r: SearchRun): string {
  return trainJobId(runName(r), r.seed);
}

/** The family whose rate the per-activation arm chooses together: the network's hidden activation. */
export function familyOf(config: SearchConfig, network: string): string {
  return config.networks.get(network)!.activation;
}

/** A run's complete config: the network's architecture, the cell's training, checked by the run config's schema. */
export function runConfigOf(config: SearchConfig, r: SearchRun): RunConfig {
  const base = config.networks.get(r.network)!;
  const batch = config.perBatch.get(r.cell.batchSize)!;
  const { name: _n, ...init } = r.cell.init;
  const stopping =
    r.variant === 'screen'
      ? {
          patience: batch.patience,
          stall: { epoch: batch.stall.K, maxValAccuracy: batch.stall.maxValAccuracy, minLossRatio: batch.stall.minLossRatio },
        }
      : r.variant === 'full'
        ? { patience: batch.maxEpochs } // run to the maximum: no stall, and a patience the budget cannot exhaust
        : { patience: batch.patience };
  const name = runName(r);
  const raw = {
    name,
    hidden: base.hidden,
    activation: base.activation,
    outputActivation: base.outputActivation,
    targets: base.targets,
    gradientNormalisation: base.gradientNormalisation,
    init: { ...init, bias: r.cell.bias },
    learningRate: r.learningRate,
    momentum: 0,
    batchSize: r.cell.batchSize,
    epochs: batch.maxEpochs,
    stopping,
    evaluation: 'when-needed',
    seed: r.seed,
    engine: batch.engine,
    backend: base.backend,
    recordGradients: false,
    recordActivations: false,
    // The screen never looks at the test set; the promoted runs score the full test split for the judge.
    data: { ...base.data, ...config.data, fullTest: r.variant === 'promoted' },
  };
  return parseConfig(raw, `${config.source} (${name})`, name);
}

export function stageOf(config: SearchConfig, name: StageName, runs: readonly SearchRun[]): Stage {
  const byJob = new Map<string, SearchRun>();
  const planned = runs.map((r) => {
    const c = runConfigOf(config, r);
    return { configName: c.name, seed: r.seed, config: c, run: r };
  });
  const plan = planTrainRuns(planned);
  plan.jobs.forEach((job, k) => byJob.set(job.id, planned[k].run));
  return { name, runs: [...runs], plan, byJob };
}

/** A finished run's outcome, from its record. */
export function outcomeOf(run: SearchRun, record: TrainRecord, threshold: number): RunOutcome {
  let best = { loss: Number.POSITIVE_INFINITY, accuracy: Number.NaN };
  for (const e of record.history) {
    if (Number.isFinite(e.valLoss) && e.valLoss < best.loss) best = { loss: e.valLoss, accuracy: e.valAccuracy };
  }
  const last = record.history[record.history.length - 1];
  return {
    run,
    stopReason: record.stopReason ?? 'fixed',
    valAccuracy: best.accuracy,
    bestValLoss: best.loss,
    finalValAccuracy: last.valAccuracy,
    learned: best.accuracy >= threshold,
  };
}

/** The screen's outcomes by run key; a run again to its maximum replaces its screen run. */
export type Outcomes = Map<string, RunOutcome>;

const rates = (config: SearchConfig): number[] => [...config.axes.learningRate].sort((a, b) => a - b);

/** Stage A: the hardest networks at every point, on the screening seeds. */
export function stageA(config: SearchConfig): Stage {
  const runs: SearchRun[] = [];
  for (const cell of cellsOf(config))
    for (const learningRate of rates(config))
      for (const network of config.rules.hardestFirst)
        for (const seed of config.rules.seeds.screen) runs.push({ network, cell, learningRate, seed, variant: 'screen' });
  return stageOf(config, 'A', runs);
}

/** Whether `network` learns at the point on either screening seed (null: not run there). */
function learnsAt(config: SearchConfig, outcomes: Outcomes, network: string, cell: Cell, learningRate: number): boolean | null {
  const found = config.rules.seeds.screen.map((seed) => outcomes.get(runKey({ network, cell, learningRate, seed })));
  if (found.every((o) => o === undefined)) return null;
  return found.some((o) => o?.learned === true);
}

/** The rates of a cell at which every hardest network learned. */
export function learnedRates(config: SearchConfig, outcomes: Outcomes, cell: Cell): number[] {
  return rates(config).filter((lr) => config.rules.hardestFirst.every((n) => learnsAt(config, outcomes, n, cell, lr) === true));
}

/** Stage B's runs given what the hardest networks did (without those already in `done`). */
export function stageBRuns(config: SearchConfig, outcomes: Outcomes): SearchRun[] {
  const hardest = new Set(config.rules.hardestFirst);
  const hardFamilies = new Set(config.rules.hardestFirst.map((n) => familyOf(config, n)));
  const others = config.rules.networks.filter((n) => !hardest.has(n));
  const runs: SearchRun[] = [];
  for (const cell of cellsOf(config)) {
    const learned = learnedRates(config, outcomes, cell);
    if (learned.length === 0) continue;
    for (const learningRate of rates(config)) {
      for (const network of others) {
        // At a learned point every network; elsewhere the other activation's, for the per-activation arm.
        if (!learned.includes(learningRate) && hardFamilies.has(familyOf(config, network))) continue;
        for (const seed of config.rules.seeds.screen) runs.push({ network, cell, learningRate, seed, variant: 'screen' });
      }
    }
  }
  return runs;
}

/** The audit: drawn from the screen's runs that ended at or below the stall's accuracy bound. */
export function auditRuns(config: SearchConfig, outcomes: Outcomes): SearchRun[] {
  const pool = [...outcomes.values()]
    .filter((o) => o.run.variant === 'screen')
    .filter((o) => o.finalValAccuracy <= config.perBatch.get(o.run.cell.batchSize)!.stall.maxValAccuracy)
    .sort((a, b) => compareIds(runKey(a.run), runKey(b.run)));
  const { random, nearestThreshold, sampleSeed } = config.rules.audit;
  const order = Rng.stream(sampleSeed, 'search-audit').permutation(pool.length);
  const drawn = [...order.slice(0, random)].map((i) => pool[i]);
  // Closest to the threshold from below: the highest validation accuracy (the earlier key on a tie).
  const nearest = highestValAccuracy(
    pool.filter((o) => !drawn.includes(o)),
    nearestThreshold,
  );
  return [...drawn, ...nearest].map((o) => ({ ...o.run, variant: 'full' }));
}

/** Code-unit order of two ids: the same on every machine and locale. */
export function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The `count` outcomes with the highest validation accuracy, highest first; the list's order breaks a tie. */
export function highestValAccuracy(outcomes: readonly RunOutcome[], count: number): RunOutcome[] {
  return outcomes
    .map((o, i) => ({ o, i }))
    .sort((a, b) => b.o.valAccuracy - a.o.valAccuracy || a.i - b.i)
    .slice(0, count)
    .map((x) => x.o);
}

/** The audit's consequence: every stalled run of each (batch, init, bias) where an audited run learned. */
export function extendRuns(config: SearchConfig, outcomes: Outcomes, audited: readonly RunOutcome[]): SearchRun[] {
  const cells = new Set(audited.filter((o) => o.learned).map((o) => o.run.cell.id));
  const done = new Set(audited.map((o) => runKey(o.run)));
  return [...outcomes.values()]
    .filter((o) => o.run.variant === 'screen' && o.stopReason === 'stalled' && cells.has(o.run.cell.id) && !done.has(runKey(o.run)))
    .map((o) => ({ ...o.run, variant: 'full' as const }));
}

/** A network's score at a rate: mean over its seeds of the lowest validation loss (a run that diverged counts as +Infinity). */
function scoreAt(config: SearchConfig, outcomes: Outcomes, network: string, cell: Cell, learningRate: number): number | null {
  const found = config.rules.seeds.screen.flatMap((seed) => {
    const o = outcomes.get(runKey({ network, cell, learningRate, seed }));
    return o ? [Number.isFinite(o.bestValLoss) ? o.bestValLoss : Number.POSITIVE_INFINITY] : [];
  });
  return found.length === 0 ? null : found.reduce((s, x) => s + x, 0) / found.length;
}

export interface RateChoice {
  learningRate: number;
  /** Networks of the group that learn at it. */
  learned: number;
  networks: number;
}

/**
 * Stage C's rule for one group of networks in a cell: the rates where most networks learn; among
 * them, those within one standard error (over the networks) of the lowest mean score are tied;
 * then the smaller rate. Only rates where some network of the group ran are candidates; null
 * when none ran (the ReLU networks of a cell where sigmoid7 never learned).
 */
export function chooseRate(config: SearchConfig, outcomes: Outcomes, cell: Cell, group: readonly string[]): RateChoice | null {
  const rows = rates(config).flatMap((learningRate) => {
    const scores = group.map((n) => scoreAt(config, outcomes, n, cell, learningRate)).filter((s): s is number => s !== null);
    if (scores.length === 0) return [];
    const learned = group.filter((n) => learnsAt(config, outcomes, n, cell, learningRate) === true).length;
    const mean = scores.reduce((s, x) => s + x, 0) / scores.length;
    const sd =
      scores.length > 1 && Number.isFinite(mean) ? Math.sqrt(scores.reduce((s, x) => s + (x - mean) ** 2, 0) / (scores.length - 1)) : 0;
    return [{ learningRate, learned, mean, se: sd / Math.sqrt(scores.length) }];
  });
  if (rows.length === 0) return null;
  const most = Math.max(...rows.map((r) => r.learned));
  const top = rows.filter((r) => r.learned === most);
  let best = top[0];
  for (const r of top) if (r.mean < best.mean) best = r;
  const bound = best.mean + (Number.isFinite(best.se) ? best.se : 0);
  const tied = top.filter((r) => r.mean <= bound || r === best);
  return { learningRate: tied[0].learningRate, learned: most, networks: group.length };
}

export interface CellChoice {
  cell: Cell;
  arm: Arm;
  /** The chosen rate per network (none for a network whose group never ran in the cell). */
  rates: Map<string, number>;
  /** Networks that learn at their chosen rate (on either screening seed). */
  learned: number;
  passed: boolean;
  /** The smallest over the networks of their validation accuracy at the chosen rate (mean over seeds); NaN when one did not run. */
  minValAccuracy: number;
  /** Whether any network besides the hardest ran in the cell (stage B reached it). */
  screened: boolean;
}

export function chooseCells(config: SearchConfig, outcomes: Outcomes): CellChoice[] {
  const networks = config.rules.networks;
  const families = [...new Set(networks.map((n) => familyOf(config, n)))];
  return cellsOf(config).flatMap((cell) =>
    ARMS.map((arm) => {
      const groups = arm === 'one-rate' ? [networks] : families.map((f) => networks.filter((n) => familyOf(config, n) === f));
      const rateOf = new Map<string, number>();
      for (const group of groups) {
        const choice = chooseRate(config, outcomes, cell, group);
        if (choice) for (const n of group) rateOf.set(n, choice.learningRate);
      }
      const at = (n: string): number => rateOf.get(n) ?? Number.NaN;
      const learned = networks.filter((n) => learnsAt(config, outcomes, n, cell, at(n)) === true).length;
      const accuracies = networks.map((n) => {
        const found = config.rules.seeds.screen.flatMap((seed) => {
          const o = outcomes.get(runKey({ network: n, cell, learningRate: at(n), seed }));
          return o ? [o.valAccuracy] : [];
        });
        return found.length === 0 ? Number.NaN : found.reduce((s, x) => s + x, 0) / found.length;
      });
      const hardest = new Set(config.rules.hardestFirst);
      const screened = [...outcomes.values()].some((o) => o.run.cell.id === cell.id && !hardest.has(o.run.network));
      return {
        cell,
        arm,
        rates: rateOf,
        learned,
        passed: learned === networks.length,
        minValAccuracy: accuracies.some(Number.isNaN) ? Number.NaN : Math.min(...accuracies),
        screened,
      };
    }),
  );
}

/** Stage D's cells: the passing ones, highest smallest validation accuracy first (grid order on a tie), at most maxPromoted. */
export function promotedCells(config: SearchConfig, choices: readonly CellChoice[]): CellChoice[] {
  return choices
    .map((c, i) => ({ c, i }))
    .filter(({ c }) => c.passed)
    .sort((a, b) => b.c.minValAccuracy - a.c.minValAccuracy || a.i - b.i)
    .slice(0, config.rules.maxPromoted)
    .map(({ c }) => c);
}

export function stageDRuns(config: SearchConfig, promoted: readonly CellChoice[]): SearchRun[] {
  const seen = new Set<string>();
  const runs: SearchRun[] = [];
  for (const choice of promoted) {
    for (const network of config.rules.networks) {
      for (const seed of config.rules.seeds.promoted) {
        const run: SearchRun = { network, cell: choice.cell, learningRate: choice.rates.get(network)!, seed, variant: 'promoted' };
        // Both arms of a cell may choose the same rate for a network: one run serves both.
        if (seen.has(runKey(run))) continue;
        seen.add(runKey(run));
        runs.push(run);
      }
    }
  }
  return runs;
}
