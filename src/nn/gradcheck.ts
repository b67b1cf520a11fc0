/**
 * The finite-difference gradient check: validates an engine's backpropagation against the
 * definition of a derivative, independently of the other engine.
 *
 * For a parameter w and the batch loss L, the central difference
 *     (L(w + h) - L(w - h)) / (2h)  =  dL/dw + O(h^2)
 * needs nothing but the forward pass, so it is an independent witness of the gradient that
 * backpropagation computes. Each checked parameter passes when
 *     |analytic - numeric| <= absolute + relative * max(|analytic|, |numeric|).
 *
 * Two precisions:
 * - float64: the hand-written network's own code run on Float64Array (HandwrittenMlp), so the
 *   difference quotient is accurate to ~1e-9 and the tolerance can be tight;
 * - float32, through the Engine interface (setParams + predict): works for any engine, the
 *   TensorFlow.js one included, with a larger step and a looser tolerance, because float32
 *   rounding (~6e-8 relative) in L(w +- h) is divided by 2h.
 * The loss is always summed in float64 from the outputs, and h is the change actually stored
 * (a float32 parameter cannot hold w + 1e-2 exactly).
 *
 * ReLU has a kink at 0: if w +- h moves a unit across it, the difference quotient is not the
 * derivative on either side. Such points are detected (the one-sided quotients disagree by a
 * jump, or the central ones at h and h/2 disagree) and counted as skipped rather than failed;
 * too many skips fail the check.
 */
import type { Params } from './params.js';
import type { Batch, Engine, NetworkSpec } from './engine.js';
import { Rng } from '../util/rng.js';
import { HandwrittenMlp } from './handwritten/engine.js';

type ParamKind = 'weight' | 'bias';

/** What the check needs from a model: its gradients, its loss, and one parameter at a time. */
export interface GradientSubject {
  readonly description: string;
  readonly sizes: readonly number[];
  /** dL/dW and dL/db at the current parameters (backpropagation's answer). */
  gradients(): { weights: ArrayLike<number>[]; biases: ArrayLike<number>[] };
  /** The batch loss at the current parameters, in float64. */
  loss(): number;
  get(layer: number, kind: ParamKind, index: number): number;
  /** Stores a value and returns what was actually stored (rounded to the parameter's precision). */
  set(layer: number, kind: ParamKind, index: number, value: number): number;
}

export interface GradientCheckOptions {
  /** Finite-difference step h. */
  step: number;
  /** Tolerance: |analytic - numeric| <= absolute + relative * max(|analytic|, |numeric|). */
  relative: number;
  absolute: number;
  /** Check at most this many weights per layer (drawn from a seeded stream); biases are all checked. */
  maxWeightsPerLayer?: number;
  seed?: number;
  /** Fail when more than this fraction of the checked parameters sit on a kink. */
  maxSkippedFraction?: number;
}

/** Defaults for each precision, measured on small sigmoid/ReLU/tanh networks (see the tests). */
export const FLOAT64_CHECK: GradientCheckOptions = { step: 1e-5, relative: 1e-5, absolute: 1e-9 };
export const FLOAT32_CHECK: GradientCheckOptions = { step: 1e-2, relative: 5e-3, absolute: 2e-5 };

interface CheckedParameter {
  layer: number;
  kind: ParamKind;
  index: number;
  analytic: number;
  numeric: number;
  /** |analytic - numeric| / (absolute + relative * max(|analytic|, |numeric|)): > 1 fails. */
  ratio: number;
}

export interface GradientCheckResult {
  subject: string;
  options: GradientCheckOptions;
  checked: number;
  /** Parameters on a kink (difference quotients at h and h/2 disagree): not judged. */
  skipped: number;
  failures: CheckedParameter[];
  /** The judged parameter closest to (or furthest beyond) the tolerance. */
  worst: CheckedParameter | null;
  passed: boolean;
}

export function checkGradients(subject: GradientSubject, options: GradientCheckOptions): GradientCheckResult {
  const grads = subject.gradients();
  const sizes = subject.sizes;
  const rng = Rng.stream(options.seed ?? 1, 'gradcheck');
  const failures: CheckedParameter[] = [];
  let worst: CheckedParameter | null = null;
  let checked = 0;
  let skipped = 0;

  /** L at w + delta (as stored), restoring w exactly afterwards. */
  const lossAt = (layer: number, kind: ParamKind, index: number, original: number, delta: number): { at: number; loss: number } => {
    const at = subject.set(layer, kind, index, original + delta);
    const loss = subject.loss();
    subject.set(layer, kind, index, original);
    return { at, loss };
  };
  const allowed = (a: number, b: number): number => options.absolute + options.relative * Math.max(Math.abs(a), Math.abs(b));

  const judge = (layer: number, kind: ParamKind, index: number, analytic: number): void => {
    checked++;
    const h = options.step;
    const w = subject.get(layer, kind, index);
    const here = subject.loss();
    const up = lossAt(layer, kind, index, w, h);
    const down = lossAt(layer, kind, index, w, -h);
    const upHalf = lossAt(layer, kind, index, w, h / 2);
    const downHalf = lossAt(layer, kind, index, w, -h / 2);
    const numeric = (up.loss - down.loss) / (up.at - down.at);
    const half = (upHalf.loss - downHalf.loss) / (upHalf.at - downHalf.at);
    // A kink between w - h and w + h (ReLU at 0) shows as one-sided slopes that disagree by
    // a jump, or as central differences at h and h/2 that disagree; on a smooth loss both
    // differences are O(h) and O(h^2), far below these bounds.
    const forward = (up.loss - here) / (up.at - w);
    const backward = (here - down.loss) / (w - down.at);
    const jump = Math.abs(forward - backward) > 0.1 * Math.max(Math.abs(forward), Math.abs(backward)) + 10 * allowed(forward, backward);
    if (jump || Math.abs(numeric - half) > allowed(numeric, half)) {
      skipped++;
      return;
    }
    const ratio = Math.abs(analytic - numeric) / allowed(analytic, numeric);
    const entry: CheckedParameter = { layer, kind, index, analytic, numeric, ratio };
    if (ratio > 1) failures.push(entry);
    if (worst === null || ratio > worst.ratio) worst = entry;
  };

  for (let layer = 0; layer + 1 < sizes.length; layer++) {
    const count = sizes[layer] * sizes[layer + 1];
    const limit = options.maxWeightsPerLayer ?? count;
    const indices = limit >= count ? Array.from({ length: count }, (_, t) => t) : rng.permutation(count).slice(0, limit);
    for (const t of indices) judge(layer, 'weight', t, grads.weights[layer][t]);
    for (let t = 0; t < sizes[layer + 1]; t++) judge(layer, 'bias', t, grads.biases[layer][t]);
  }
  const maxSkipped = options.maxSkippedFraction ?? 0.1;
  return {
    subject: subject.description,
    options,
    checked,
    skipped,
    failures,
    worst,
    passed: failures.length === 0 && skipped <= maxSkipped * checked && checked > skipped,
  };
}

/** One line for a result: what was checked, the worst agreement, the verdict. */
export function describeCheck(r: GradientCheckResult): string {
  const w = r.worst;
  const worst = w
    ? `worst ${w.kind} [layer ${w.layer}, #${w.index}]: backprop ${w.analytic.toExponential(4)} vs numeric ${w.numeric.toExponential(4)} (${(100 * w.ratio).toFixed(1)}% of tolerance)`
    : 'nothing judged';
  const o = r.options;
  return (
    `${r.passed ? 'PASS' : 'FAIL'} ${r.subject}: ${r.checked} parameters, ${r.failures.length} beyond tolerance, ` +
    `${r.skipped} on a kink; h=${o.step}, tolerance ${o.absolute} + ${o.relative}*|g|; ${worst}`
  );
}

/** The hand-written network's code on Float64Array: the precise witness. */
export function float64Subject(network: NetworkSpec, params: Params, batch: Batch): GradientSubject {
  const mlp = new HandwrittenMlp(network, params, 'float64');
  const arrays = (kind: ParamKind) => (kind === 'weight' ? mlp.weights : mlp.biases);
  return {
    description: `hand-written (float64) [${network.sizes.join(', ')}] ${network.hiddenActivation}, batch ${batch.n}`,
    sizes: network.sizes,
    gradients: () => {
      const g = mlp.computeGradients(batch);
      return { weights: g.weights.map((w) => w.slice()), biases: g.biases.map((b) => b.slice()) };
    },
    loss: () => mlp.errorTotals(batch.x, batch.y, batch.n).sumSquaredError / batch.n,
    get: (layer, kind, index) => arrays(kind)[layer][index],
    set: (layer, kind, index, value) => {
      arrays(kind)[layer][index] = value;
      return arrays(kind)[layer][index];
    },
  };
}

/**
 * Any Engine through its public interface, in float32: gradients() is the answer under test;
 * the loss comes from predict(), summed in float64; parameters change through setParams.
 */
export function engineSubject(engine: Engine, batch: Batch, label: string = engine.kind): GradientSubject {
  const current = engine.getParams();
  const arrays = (kind: ParamKind) => (kind === 'weight' ? current.weights : current.biases);
  return {
    description: `${label} (float32) [${engine.network.sizes.join(', ')}] ${engine.network.hiddenActivation}, batch ${batch.n}`,
    sizes: engine.network.sizes,
    gradients: () => engine.gradients(batch),
    loss: () => {
      const out = engine.predict(batch.x, batch.n);
      let sum = 0;
      for (let r = 0; r < batch.n; r++) sum += (out[r] - batch.y[r]) ** 2;
      return sum / batch.n;
    },
    get: (layer, kind, index) => arrays(kind)[layer][index],
    set: (layer, kind, index, value) => {
      arrays(kind)[layer][index] = value;
      engine.setParams(current);
      return arrays(kind)[layer][index];
    },
  };
}
