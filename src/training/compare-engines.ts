/**
 * The comparison: the TensorFlow.js engine and the hand-written one, started from ONE draw of
 * initial parameters and trained on the SAME batches, side by side.
 *
 * How the same batches are guaranteed: both engines are trained by the project's own training
 * loop (src/training/loop.ts, `trainLoop`) with the same seed, so they see the batch order of
 * its 'shuffle' stream by construction; nothing here re-derives that order. The first batch
 * is captured by a thin Engine wrapper (`FirstStepRecorder`) that, on the first `step`, records
 * the batch, the outputs and loss of the forward pass and the gradients, then lets the step run.
 * The two recorded first batches are checked to be identical.
 *
 * What is compared:
 * - the first forward pass: every output and the loss;
 * - the first step's gradients, layer by layer, weights and biases: largest absolute difference,
 *   and largest relative difference among the entries that are not negligible;
 * - after every epoch: train loss, test loss, train/test accuracy of each, and the largest
 *   absolute difference between the two engines' weights (and biases).
 * Only the first step is judged against a tolerance: later, float32 rounding in different
 * summation orders makes the trajectories drift apart (docs/engines.md).
 */
import type { RunConfig } from '../config/schema.js';
import type { Subset } from '../data/types.js';
import { cloneParams, initParams, type Params, layerSizes } from '../nn/params.js';
import type { CsvRow } from '../util/csv.js';
import type { Batch, Engine, EngineKind, Evaluation, NetworkSpec, SgdSpec } from '../nn/engine.js';
import { sgdSpecOf } from '../nn/create-engine.js';
import { withTargets } from '../nn/targets.js';
import { trainLoop, type EpochRecord } from './loop.js';

/**
 * The tolerances of the first-step verdict, for float32 engines whose sums run in different
 * orders. An entry is within tolerance when |a - b| <= absolute + relative * scale, where the
 * scale of an output or the loss is its own size, and that of a gradient is the largest
 * |gradient| of its layer (a layer's tiny entries inherit rounding error from its large ones).
 */
export interface CompareTolerances {
  output: { absolute: number; relative: number };
  loss: { absolute: number; relative: number };
  gradient: { absolute: number; relative: number };
}

export const DEFAULT_TOLERANCES: CompareTolerances = {
  output: { absolute: 1e-6, relative: 1e-5 },
  loss: { absolute: 1e-7, relative: 1e-5 },
  gradient: { absolute: 1e-9, relative: 1e-4 },
};

/** Entries smaller than this fraction of their layer's largest are left out of the relative difference. */
const NEGLIGIBLE_FRACTION = 1e-2;

/** What the first step saw and computed, as recorded by FirstStepRecorder. */
interface FirstStep {
  batch: Batch;
  outputs: Float32Array;
  loss: number;
  gradients: Params;
}

export interface Difference {
  /** Largest |a - b|. */
  maxAbs: number;
  /** Largest |a - b| / max(|a|, |b|) over the entries that are not negligible. */
  maxRel: number;
  /** The size the tolerance is measured against (see CompareTolerances). */
  scale: number;
  tolerance: number;
  ok: boolean;
}

interface GradientComparison extends Difference {
  layer: number;
  kind: 'weights' | 'biases';
  /** fanIn x fanOut, or fanOut. */
  shape: string;
  /** L2 norms of the two gradients. */
  normTfjs: number;
  normHandwritten: number;
}

interface EpochComparison {
  epoch: number;
  tfjs: EpochRecord;
  handwritten: EpochRecord;
  /** Largest |W_tfjs - W_handwritten| over every weight and bias. */
  maxWeightDiff: number;
}

export interface ComparisonResult {
  network: NetworkSpec;
  sgd: SgdSpec;
  batchSize: number;
  seed: number;
  tolerances: CompareTolerances;
  firstBatchSize: number;
  outputs: Difference & { meanTfjs: number; meanHandwritten: number };
  loss: Difference & { tfjs: number; handwritten: number };
  gradients: GradientComparison[];
  epochs: EpochComparison[];
  /** Every first-step difference within tolerance. */
  firstStepOk: boolean;
}

export interface CompareOptions {
  config: RunConfig;
  subset: Subset;
  /** Builds an engine (the project's factory, src/nn/create-engine.ts, in the CLI). */
  createEngine: (kind: EngineKind, network: NetworkSpec, sgd: SgdSpec, params: Params) => Engine | Promise<Engine>;
  tolerances?: CompareTolerances;
  /** Progress lines, one per epoch of each engine. */
  log?: (line: string) => void;
}

/**
 * Wraps an engine so that its first step records the batch, the forward pass and the gradients
 * before stepping. Everything else passes straight through.
 */
class FirstStepRecorder implements Engine {
  first: FirstStep | null = null;
  constructor(private readonly inner: Engine) {}
  get kind(): EngineKind {
    return this.inner.kind;
  }
  get network(): NetworkSpec {
    return this.inner.network;
  }
  step(batch: Batch): void {
    if (this.first === null) {
      // The training loop reuses its batch buffers: keep copies.
      const copy: Batch = { x: batch.x.slice(0, batch.n * this.network.sizes[0]), y: batch.y.slice(0, batch.n), n: batch.n };
      const outputs = this.inner.predict(copy.x, copy.n);
      this.first = { batch: copy, outputs, loss: meanSquaredError(outputs, copy.y, copy.n), gradients: this.inner.gradients(copy) };
    }
    this.inner.step(batch);
  }
  evaluate(x: Float32Array, y: Float32Array, n: number): Evaluation {
    return this.inner.evaluate(x, y, n);
  }
  predict(x: Float32Array, n: number): Float32Array {
    return this.inner.predict(x, n);
  }
  gradients(batch: Batch): Params {
    return this.inner.gradients(batch);
  }
  getParams(): Params {
    return this.inner.getParams();
  }
  setParams(p: Params): void {
    this.inner.setParams(p);
  }
  dispose(): void {
    this.inner.dispose();
  }
}

/** Trains both engines from one initial draw and the same batches, and compares them. */
export async function compareEngines(opts: CompareOptions): Promise<ComparisonResult> {
  const { config, subset } = opts;
  const tolerances = opts.tolerances ?? DEFAULT_TOLERANCES;
  const log = opts.log ?? (() => {});
  const sizes = layerSizes(subset.train.inputs, config.hidden);
  const network: NetworkSpec = { sizes, hiddenActivation: config.activation, outputActivation: config.outputActivation };
  const sgd: SgdSpec = sgdSpecOf(config);
  // The ONE draw of initial parameters; each engine gets its own copy.
  const initial = initParams(sizes, config.init, config.seed);

  const runOne = async (kind: EngineKind, onEpochParams: (epoch: number, p: Params) => void) => {
    const engine = new FirstStepRecorder(await opts.createEngine(kind, network, sgd, cloneParams(initial)));
    let records: EpochRecord[];
    try {
      ({ history: records } = await trainLoop({
        engine,
        train: withTargets(subset.train, config.targets),
        test: withTargets(subset.test, config.targets),
        epochs: config.epochs,
        batchSize: config.batchSize,
        seed: config.seed,
        onEpoch: (record) => {
          onEpochParams(record.epoch, engine.getParams());
          log(
            `${kind.padEnd(11)} epoch ${String(record.epoch).padStart(3)}: train loss ${record.trainLoss.toFixed(5)}, ` +
              `test loss ${record.testLoss.toFixed(5)}, test accuracy ${(100 * record.testAccuracy).toFixed(2)}% (${record.seconds.toFixed(1)} s)`,
          );
        },
      }));
    } finally {
      engine.dispose();
    }
    if (engine.first === null) throw new Error(`${kind}: the training loop took no step`);
    return { records, first: engine.first };
  };

  // The tfjs run keeps its parameters after every epoch; the hand-written run is compared to them as it goes.
  const tfjsParams = new Map<number, Params>();
  const tfjs = await runOne('tfjs', (epoch, p) => tfjsParams.set(epoch, p));
  const weightDiffs: number[] = [];
  const handwritten = await runOne('handwritten', (epoch, p) => {
    const theirs = tfjsParams.get(epoch);
    if (!theirs) throw new Error(`the tfjs run has no parameters for epoch ${epoch}`);
    weightDiffs.push(maxParamDiff(theirs, p));
    tfjsParams.delete(epoch); // compared: no longer needed
  });

  const a = tfjs.first;
  const b = handwritten.first;
  if (a.batch.n !== b.batch.n || !sameArray(a.batch.x, b.batch.x) || !sameArray(a.batch.y, b.batch.y)) {
    throw new Error('the two engines were given different first batches: the training loop is not deterministic');
  }

  const outputs = {
    ...difference(a.outputs, b.outputs, tolerances.output, 'own'),
    meanTfjs: mean(a.outputs),
    meanHandwritten: mean(b.outputs),
  };
  const loss = { ...difference([a.loss], [b.loss], tolerances.loss, 'own'), tfjs: a.loss, handwritten: b.loss };
  const gradients: GradientComparison[] = [];
  for (let k = 0; k + 1 < sizes.length; k++) {
    for (const kind of ['weights', 'biases'] as const) {
      const ga = a.gradients[kind][k];
      const gb = b.gradients[kind][k];
      gradients.push({
        layer: k,
        kind,
        shape: kind === 'weights' ? `${sizes[k]}x${sizes[k + 1]}` : `${sizes[k + 1]}`,
        normTfjs: norm(ga),
        normHandwritten: norm(gb),
        ...difference(ga, gb, tolerances.gradient, 'layer'),
      });
    }
  }
  const epochs: EpochComparison[] = tfjs.records.map((r, i) => ({
    epoch: r.epoch,
    tfjs: r,
    handwritten: handwritten.records[i],
    maxWeightDiff: weightDiffs[i],
  }));
  return {
    network,
    sgd,
    batchSize: config.batchSize,
    seed: config.seed,
    tolerances,
    firstBatchSize: a.batch.n,
    outputs,
    loss,
    gradients,
    epochs,
    firstStepOk: outputs.ok && loss.ok && gradients.every((g) => g.ok),
  };
}

/**
 * Differences between two arrays of the same quantity. `scaleBy` 'own': each entry's tolerance
 * scales with its own size; 'layer': with the largest entry of the array (for gradients).
 */
export function difference(
  a: ArrayLike<number>,
  b: ArrayLike<number>,
  tol: { absolute: number; relative: number },
  scaleBy: 'own' | 'layer',
): Difference {
  if (a.length !== b.length) throw new Error(`cannot compare arrays of ${a.length} and ${b.length} entries`);
  let largest = 0;
  for (let t = 0; t < a.length; t++) largest = Math.max(largest, Math.abs(a[t]), Math.abs(b[t]));
  let maxAbs = 0;
  let maxRel = 0;
  let ok = true;
  let worstTolerance = tol.absolute + tol.relative * largest;
  for (let t = 0; t < a.length; t++) {
    const d = Math.abs(a[t] - b[t]);
    const size = Math.max(Math.abs(a[t]), Math.abs(b[t]));
    const allowed = tol.absolute + tol.relative * (scaleBy === 'own' ? size : largest);
    if (d > allowed || Number.isNaN(d)) ok = false;
    if (d > maxAbs || Number.isNaN(d)) {
      maxAbs = d;
      worstTolerance = allowed;
    }
    if (size >= NEGLIGIBLE_FRACTION * largest && size > 0) maxRel = Math.max(maxRel, d / size);
  }
  return { maxAbs, maxRel, scale: largest, tolerance: worstTolerance, ok };
}

/** Largest |a - b| over every weight and bias of two parameter sets. */
function maxParamDiff(a: Params, b: Params): number {
  let m = 0;
  for (let k = 0; k < a.weights.length; k++) {
    for (let t = 0; t < a.weights[k].length; t++) m = Math.max(m, Math.abs(a.weights[k][t] - b.weights[k][t]));
    for (let t = 0; t < a.biases[k].length; t++) m = Math.max(m, Math.abs(a.biases[k][t] - b.biases[k][t]));
  }
  return m;
}

function meanSquaredError(out: ArrayLike<number>, y: ArrayLike<number>, n: number): number {
  let s = 0;
  for (let r = 0; r < n; r++) s += (out[r] - y[r]) ** 2;
  return s / n;
}

function mean(a: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t];
  return s / a.length;
}

function norm(a: ArrayLike<number>): number {
  let s = 0;
  for (let t = 0; t < a.length; t++) s += a[t] * a[t];
  return Math.sqrt(s);
}

function sameArray(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let t = 0; t < a.length; t++) if (a[t] !== b[t] && !(Number.isNaN(a[t]) && Number.isNaN(b[t]))) return false;
  return true;
}

// ------------------------------------------------------------------------------------------
// Presentation: the table printed by `compare`, and the rows of compare.csv.
// ------------------------------------------------------------------------------------------

export const COMPARE_COLUMNS = [
  'section',
  'epoch',
  'layer',
  'quantity',
  'tfjs',
  'handwritten',
  'max_abs_diff',
  'max_rel_diff',
  'tolerance',
  'within_tolerance',
] as const;

const g = (v: number): string => (Number.isFinite(v) ? v.toExponential(3) : String(v));

/** compare.csv: the first forward pass, the first step's gradients, then every epoch. */
export function comparisonRows(r: ComparisonResult): CsvRow[] {
  const rows: CsvRow[] = [];
  rows.push({
    section: 'first_forward',
    epoch: 0,
    layer: '',
    quantity: `outputs (mean of ${r.firstBatchSize})`,
    tfjs: r.outputs.meanTfjs,
    handwritten: r.outputs.meanHandwritten,
    max_abs_diff: r.outputs.maxAbs,
    max_rel_diff: r.outputs.maxRel,
    tolerance: r.outputs.tolerance,
    within_tolerance: r.outputs.ok,
  });
  rows.push({
    section: 'first_forward',
    epoch: 0,
    layer: '',
    quantity: 'loss',
    tfjs: r.loss.tfjs,
    handwritten: r.loss.handwritten,
    max_abs_diff: r.loss.maxAbs,
    max_rel_diff: r.loss.maxRel,
    tolerance: r.loss.tolerance,
    within_tolerance: r.loss.ok,
  });
  for (const d of r.gradients) {
    rows.push({
      section: 'first_step_gradient',
      epoch: 0,
      layer: d.layer,
      quantity: `${d.kind} ${d.shape} (L2 norm)`,
      tfjs: d.normTfjs,
      handwritten: d.normHandwritten,
      max_abs_diff: d.maxAbs,
      max_rel_diff: d.maxRel,
      tolerance: d.tolerance,
      within_tolerance: d.ok,
    });
  }
  for (const e of r.epochs) {
    const pair = (quantity: string, a: number, b: number): CsvRow => ({
      section: 'epoch',
      epoch: e.epoch,
      layer: '',
      quantity,
      tfjs: a,
      handwritten: b,
      max_abs_diff: Math.abs(a - b),
      max_rel_diff: '',
      tolerance: '',
      within_tolerance: '',
    });
    rows.push(pair('train_loss', e.tfjs.trainLoss, e.handwritten.trainLoss));
    rows.push(pair('test_loss', e.tfjs.testLoss, e.handwritten.testLoss));
    rows.push(pair('train_accuracy', e.tfjs.trainAccuracy, e.handwritten.trainAccuracy));
    rows.push(pair('test_accuracy', e.tfjs.testAccuracy, e.handwritten.testAccuracy));
    rows.push({
      section: 'epoch',
      epoch: e.epoch,
      layer: '',
      quantity: 'weights',
      tfjs: '',
      handwritten: '',
      max_abs_diff: e.maxWeightDiff,
      max_rel_diff: '',
      tolerance: '',
      within_tolerance: '',
    });
  }
  return rows;
}

/** The report printed by `compare`, ending with the verdict. */
export function formatComparison(r: ComparisonResult): string[] {
  const t = r.tolerances;
  const mark = (ok: boolean): string => (ok ? 'ok' : 'BEYOND TOLERANCE');
  const lines: string[] = [];
  lines.push(
    `network [${r.network.sizes.join(', ')}], ${r.network.hiddenActivation} hidden, ${r.network.outputActivation} output; ` +
      `lr ${r.sgd.learningRate}${r.sgd.momentum ? `, momentum ${r.sgd.momentum}` : ''}, batch ${r.batchSize}, seed ${r.seed}`,
  );
  lines.push('');
  lines.push(`first forward pass (batch of ${r.firstBatchSize}):           tfjs         handwritten   max |diff|   max rel diff`);
  lines.push(
    `  outputs (mean)                               ${r.outputs.meanTfjs.toFixed(7).padStart(12)} ${r.outputs.meanHandwritten.toFixed(7).padStart(12)}   ${g(r.outputs.maxAbs)}   ${g(r.outputs.maxRel)}  ${mark(r.outputs.ok)}`,
  );
  lines.push(
    `  loss                                         ${r.loss.tfjs.toFixed(7).padStart(12)} ${r.loss.handwritten.toFixed(7).padStart(12)}   ${g(r.loss.maxAbs)}   ${g(r.loss.maxRel)}  ${mark(r.loss.ok)}`,
  );
  lines.push('');
  lines.push('first step gradients:   layer  shape        |g| tfjs    |g| handwritten  max |diff|   max rel diff  max|g| of layer');
  for (const d of r.gradients) {
    lines.push(
      `  ${d.kind.padEnd(20)} ${String(d.layer).padStart(3)}  ${d.shape.padEnd(10)} ${g(d.normTfjs).padStart(11)}  ${g(d.normHandwritten).padStart(11)}      ` +
        `${g(d.maxAbs)}   ${g(d.maxRel)}     ${g(d.scale)}  ${mark(d.ok)}`,
    );
  }
  lines.push('');
  lines.push('epoch   train loss (tfjs / hand)   test loss (tfjs / hand)   test acc (tfjs / hand)   max |W_tfjs - W_hand|');
  for (const e of r.epochs) {
    lines.push(
      `${String(e.epoch).padStart(5)}   ${e.tfjs.trainLoss.toFixed(5)} / ${e.handwritten.trainLoss.toFixed(5)}        ` +
        `${e.tfjs.testLoss.toFixed(5)} / ${e.handwritten.testLoss.toFixed(5)}       ` +
        `${(100 * e.tfjs.testAccuracy).toFixed(2).padStart(6)}% / ${(100 * e.handwritten.testAccuracy).toFixed(2).padStart(6)}%      ${g(e.maxWeightDiff)}`,
    );
  }
  lines.push('');
  const last = r.epochs[r.epochs.length - 1];
  const maxAccGap = Math.max(...r.epochs.map((e) => Math.abs(e.tfjs.testAccuracy - e.handwritten.testAccuracy)));
  const maxLossGap = Math.max(...r.epochs.map((e) => Math.abs(e.tfjs.trainLoss - e.handwritten.trainLoss)));
  lines.push(
    `tolerances (first step only): outputs |diff| <= ${t.output.absolute} + ${t.output.relative}*|output|; ` +
      `loss |diff| <= ${t.loss.absolute} + ${t.loss.relative}*loss; gradients |diff| <= ${t.gradient.absolute} + ${t.gradient.relative}*max|g| of the layer`,
  );
  lines.push(
    `after ${last.epoch} epochs: largest weight difference ${g(last.maxWeightDiff)}; largest train-loss gap ${g(maxLossGap)}, ` +
      `largest test-accuracy gap ${(100 * maxAccGap).toFixed(2)} points over all epochs (not judged: float32 summation order makes runs drift)`,
  );
  lines.push(
    r.firstStepOk
      ? 'verdict: MATCH - the first forward pass and every first-step gradient agree within float32 tolerance'
      : 'verdict: MISMATCH - a first-step difference is beyond tolerance (see the lines marked BEYOND TOLERANCE)',
  );
  return lines;
}
