/**
 * Every activation the project knows, one entry each: what it computes, its derivative, its
 * output range, when a unit counts as saturated or off, and how each engine, the saved model
 * and the PyTorch fixture spell it. Everything else (the config schema's name lists, both
 * engines, the reference backpropagation, the probes, the saved LayersModel) looks its
 * activation up here; no other module decides anything per activation.
 *
 * It lives in config/, the lowest layer that names activations (a run config does), so the
 * schema can take its lists from it; it imports nothing of the project's and, from
 * TensorFlow.js, types only: the engines pass their ops in.
 *
 * Adding an activation: one entry below (a missing field is a compile error; `checkActivation`
 * repeats the check at run time, with numbers); if the PyTorch fixture should pin it, its
 * name in tools/torch-reference.py (`torch`) and the regenerated spec/fixtures file.
 *
 * Derivatives are written through the output a = f(z) (backpropagation stores outputs only).
 * At a kink there is no derivative; the one taken is 0, TensorFlow.js's convention for
 * relu'(0) (tf.step(0) = 0), applied to every kink.
 */
import type * as Tf from '@tensorflow/tfjs';

type FloatArray = Float32Array | Float64Array;

/**
 * The ops the TensorFlow.js engine passes to an entry: `fast` are its own kernel calls
 * (src/nn/tfjs/kernels.ts, the same kernels as their tf.* namesakes without the op wrapper),
 * `tf` is the whole library for anything else.
 */
export interface TfjsOps {
  tf: typeof Tf;
  fast: {
    sigmoid<T extends Tf.Tensor>(x: T): T;
    relu<T extends Tf.Tensor>(x: T): T;
    tanh<T extends Tf.Tensor>(x: T): T;
    step<T extends Tf.Tensor>(x: T): T;
    add<T extends Tf.Tensor>(a: T, b: Tf.Tensor): T;
    sub<T extends Tf.Tensor>(a: T, b: Tf.Tensor): T;
    mul<T extends Tf.Tensor>(a: T, b: Tf.Tensor): T;
  };
}

/** The activation argument of a Keras Dense layer (tf.layers.dense). */
type KerasDenseActivation = NonNullable<Parameters<typeof Tf.layers.dense>[0]['activation']>;

/** Whether a unit is working on an example: see `unitState`. */
export type UnitState = 'active' | 'off' | 'saturated';

export interface ActivationSpec {
  /** Which layers may use it: hidden layers, the output layer, or both. */
  use: 'hidden' | 'output' | 'both';
  /** One line for a reader: the formula and why the project has it. */
  description: string;
  /** a = f(z). */
  f(z: number): number;
  /** f'(z) written through a = f(z) (0 at a kink). */
  derivativeFromOutput(a: number): number;
  /** Where f has no derivative (the engines take 0 there; the PyTorch fixture keeps away from them). */
  kinks: readonly number[];
  /** The output range [lower, upper] (±Infinity when unbounded): what a unit could give at most. */
  bounds: { lower: number; upper: number };
  /**
   * 'saturated' at a bound of a bounded activation, 'off' at a rectifier's 0, 'active' on the
   * responsive part. Used by the training run's activation statistics and the landscape probe,
   * whose frozen rules these thresholds are part of.
   */
  unitState(a: number): UnitState;
  /** The hand-written engine's kernels, in place over `count` numbers (plain loops of f and f'). */
  handwritten: {
    activate(z: FloatArray, count: number): void;
    /** d *= f'(z), through the outputs a. */
    multiplyByDerivative(d: FloatArray, a: FloatArray, count: number): void;
  };
  /** The TensorFlow.js engine's ops: f on a tensor, and dL/dz from dL/dy and the output y. */
  tfjs: {
    forward(z: Tf.Tensor2D, ops: TfjsOps): Tf.Tensor2D;
    backwardFromOutput(dy: Tf.Tensor2D, y: Tf.Tensor2D, ops: TfjsOps): Tf.Tensor2D;
  };
  /**
   * The saved LayersModel (src/nn/tfjs/layers-model.ts): the Dense layer's own activation, and
   * the stock Keras layers that follow it when Dense has no such activation (null: none).
   * `layer` is the 1-based layer number, for the layers' names.
   */
  keras: { dense: KerasDenseActivation; after: ((layers: typeof Tf.layers, layer: number) => Tf.layers.Layer[]) | null };
  /** Its key in tools/torch-reference.py's ACTIVATIONS, or null when the PyTorch fixture does not pin it. */
  torch: string | null;
}

/**
 * Sigmoid's largest slope, σ'(0) = 1/4. relu-scaled takes it as its slope, so that it differs
 * from Sigmoid only in being unbounded.
 */
const SIGMOID_MAX_SLOPE = 0.25;
export const RELU_SCALED_SLOPE = SIGMOID_MAX_SLOPE;
/**
 * Sigmoid is saturated at y <= 0.02 or y >= 0.98, where σ' = y(1 - y) has fallen below 0.02, a
 * twelfth of its peak 0.25 (Glorot & Bengio 2010 count saturation near the bounds). tanh uses
 * the same points mapped through tanh(z) = 2σ(2z) - 1: |y| >= 0.96.
 */
const SIGMOID_SATURATED_BELOW = 0.02;
const SIGMOID_SATURATED_ABOVE = 0.98;
const TANH_SATURATED_ABOVE = 2 * SIGMOID_SATURATED_ABOVE - 1;

const rectifierState = (a: number): UnitState => (a > 0 ? 'active' : 'off');

/**
 * The table. Hidden activations: the article's two (Sigmoid, ReLU), tanh, and two ReLU
 * variants that separate the factors the explain command asks about: `relu-clipped` =
 * min(max(z, 0), 1) is bounded like Sigmoid but has slope 1 inside; `relu-scaled` =
 * 0.25 max(z, 0) is unbounded like ReLU but has slope 0.25, Sigmoid's maximum.
 * Key order is the order of the config schema's name lists (and of its error messages).
 */
const TABLE = {
  sigmoid: {
    use: 'both',
    description: 'σ(z) = 1 / (1 + e^-z), in (0, 1), slope at most 1/4',
    f: (z) => 1 / (1 + Math.exp(-z)),
    derivativeFromOutput: (a) => a * (1 - a),
    kinks: [],
    bounds: { lower: 0, upper: 1 },
    unitState: (a) => (a <= SIGMOID_SATURATED_BELOW || a >= SIGMOID_SATURATED_ABOVE ? 'saturated' : 'active'),
    handwritten: {
      activate(z, count) {
        for (let t = 0; t < count; t++) z[t] = 1 / (1 + Math.exp(-z[t]));
      },
      multiplyByDerivative(d, a, count) {
        for (let t = 0; t < count; t++) d[t] *= a[t] * (1 - a[t]);
      },
    },
    tfjs: {
      forward: (z, { fast }) => fast.sigmoid(z),
      backwardFromOutput: (dy, y, { fast }) => fast.mul(dy, fast.sub(y, fast.mul(y, y))),
    },
    keras: { dense: 'sigmoid', after: null },
    torch: 'sigmoid',
  },
  relu: {
    use: 'hidden',
    description: 'max(z, 0)',
    f: (z) => (z > 0 ? z : 0),
    derivativeFromOutput: (a) => (a > 0 ? 1 : 0),
    kinks: [0],
    bounds: { lower: 0, upper: Infinity },
    unitState: rectifierState,
    handwritten: {
      activate(z, count) {
        for (let t = 0; t < count; t++) if (!(z[t] > 0)) z[t] = 0;
      },
      multiplyByDerivative(d, a, count) {
        for (let t = 0; t < count; t++) if (!(a[t] > 0)) d[t] = 0;
      },
    },
    tfjs: {
      forward: (z, { fast }) => fast.relu(z),
      // relu'(z) = 1 where z > 0, i.e. where y > 0; tf.step gives 0 at 0, like relu's gradient.
      backwardFromOutput: (dy, y, { fast }) => fast.mul(dy, fast.step(y)),
    },
    keras: { dense: 'relu', after: null },
    torch: 'relu',
  },
  tanh: {
    use: 'hidden',
    description: 'tanh(z) = 2σ(2z) - 1, in (-1, 1)',
    f: Math.tanh,
    derivativeFromOutput: (a) => 1 - a * a,
    kinks: [],
    bounds: { lower: -1, upper: 1 },
    unitState: (a) => (Math.abs(a) >= TANH_SATURATED_ABOVE ? 'saturated' : 'active'),
    handwritten: {
      activate(z, count) {
        for (let t = 0; t < count; t++) z[t] = Math.tanh(z[t]);
      },
      multiplyByDerivative(d, a, count) {
        for (let t = 0; t < count; t++) d[t] *= 1 - a[t] * a[t];
      },
    },
    tfjs: {
      forward: (z, { fast }) => fast.tanh(z),
      backwardFromOutput: (dy, y, { fast }) => fast.sub(dy, fast.mul(dy, fast.mul(y, y))),
    },
    keras: { dense: 'tanh', after: null },
    torch: 'tanh',
  },
  'relu-clipped': {
    use: 'hidden',
    description: 'min(max(z, 0), 1): bounded like Sigmoid, slope 1 inside',
    f: (z) => (z > 0 ? (z < 1 ? z : 1) : 0),
    derivativeFromOutput: (a) => (a > 0 && a < 1 ? 1 : 0),
    kinks: [0, 1],
    bounds: { lower: 0, upper: 1 },
    unitState: (a) => (a <= 0 ? 'off' : a >= 1 ? 'saturated' : 'active'),
    handwritten: {
      activate(z, count) {
        for (let t = 0; t < count; t++) z[t] = z[t] > 0 ? (z[t] < 1 ? z[t] : 1) : 0;
      },
      multiplyByDerivative(d, a, count) {
        for (let t = 0; t < count; t++) if (!(a[t] > 0 && a[t] < 1)) d[t] = 0;
      },
    },
    tfjs: {
      forward: (z, { tf }) => tf.clipByValue(z, 0, 1),
      // 1 strictly inside (0, 1), 0 at and beyond both ends (tf.clipByValue's own gradient would pass 1 at the ends).
      backwardFromOutput: (dy, y, { tf }) => tf.mul(dy, tf.mul(tf.step(y), tf.step(tf.sub(1, y)))),
    },
    keras: { dense: 'linear', after: (layers, l) => [layers.reLU({ maxValue: 1, name: `relu_clipped_${l}` })] },
    torch: 'relu-clipped',
  },
  'relu-scaled': {
    use: 'hidden',
    description: `${RELU_SCALED_SLOPE} max(z, 0): unbounded like ReLU, with Sigmoid's largest slope`,
    f: (z) => (z > 0 ? RELU_SCALED_SLOPE * z : 0),
    derivativeFromOutput: (a) => (a > 0 ? RELU_SCALED_SLOPE : 0),
    kinks: [0],
    bounds: { lower: 0, upper: Infinity },
    unitState: rectifierState,
    handwritten: {
      activate(z, count) {
        for (let t = 0; t < count; t++) z[t] = z[t] > 0 ? RELU_SCALED_SLOPE * z[t] : 0;
      },
      multiplyByDerivative(d, a, count) {
        for (let t = 0; t < count; t++) d[t] = a[t] > 0 ? RELU_SCALED_SLOPE * d[t] : 0;
      },
    },
    tfjs: {
      forward: (z, { tf }) => tf.mul(tf.relu(z), RELU_SCALED_SLOPE),
      backwardFromOutput: (dy, y, { tf }) => tf.mul(dy, tf.mul(tf.step(y), RELU_SCALED_SLOPE)),
    },
    keras: {
      dense: 'linear',
      after: (layers, l) => [layers.reLU({ name: `relu_${l}` }), layers.rescaling({ scale: RELU_SCALED_SLOPE, name: `scaled_${l}` })],
    },
    torch: 'relu-scaled',
  },
  linear: {
    use: 'output',
    description: 'z itself (an output for targets beyond (0, 1))',
    f: (z) => z,
    derivativeFromOutput: () => 1,
    kinks: [],
    bounds: { lower: -Infinity, upper: Infinity },
    unitState: () => 'active',
    handwritten: {
      activate() {},
      multiplyByDerivative() {},
    },
    tfjs: {
      forward: (z) => z,
      backwardFromOutput: (dy) => dy,
    },
    keras: { dense: 'linear', after: null },
    torch: null,
  },
} as const satisfies Record<string, ActivationSpec>;

type ActivationName = keyof typeof TABLE;
type NamesFor<U extends 'hidden' | 'output'> = {
  [K in ActivationName]: (typeof TABLE)[K]['use'] extends U | 'both' ? K : never;
}[ActivationName];
/** What a hidden layer may apply. */
export type HiddenActivation = NamesFor<'hidden'>;
/** What the output layer may apply. */
export type OutputActivation = NamesFor<'output'>;

/** The live table: the entries above, and any added at run time by `addActivation`. */
const registry = new Map<string, ActivationSpec>();

const FIELDS: Record<keyof ActivationSpec, 'function' | 'object' | 'string' | 'string-or-null'> = {
  use: 'string',
  description: 'string',
  f: 'function',
  derivativeFromOutput: 'function',
  kinks: 'object',
  bounds: 'object',
  unitState: 'function',
  handwritten: 'object',
  tfjs: 'object',
  keras: 'object',
  torch: 'string-or-null',
};

/** Points where f and its derivative are compared (each at least 0.1 from every kink). */
const CHECK_POINTS = [-3.1, -1.3, -0.45, -0.05, 0.05, 0.3, 0.55, 0.8, 1.2, 2.7];
/** How far a derivative may be from the central difference quotient with step CHECK_STEP. */
const DERIVATIVE_TOLERANCE = 1e-6;
const CHECK_STEP = 1e-5;

/**
 * Throws one line naming the activation and what is wrong, or returns: every field present with
 * its kind, a valid `use` and bounds, f inside its bounds, the derivative through the output equal
 * to f's difference quotient, the hand-written kernels equal to f and f' (all away from kinks).
 */
export function checkActivation(name: string, spec: unknown): asserts spec is ActivationSpec {
  const fail = (what: string): never => {
    throw new Error(`activation table: "${name}": ${what}`);
  };
  if (typeof spec !== 'object' || spec === null) fail('the entry is not an object');
  const entry = spec as Record<string, unknown>;
  for (const [field, kind] of Object.entries(FIELDS)) {
    const value = entry[field];
    if (value === undefined) fail(`field "${field}" is missing`);
    const ok = kind === 'string-or-null' ? value === null || typeof value === 'string' : typeof value === kind && value !== null;
    if (!ok) fail(`field "${field}" must be ${kind === 'string-or-null' ? 'a string or null' : `a ${kind}`}`);
  }
  const s = spec as ActivationSpec;
  if (!['hidden', 'output', 'both'].includes(s.use)) fail(`field "use" must be "hidden", "output" or "both"`);
  for (const [field, fns] of [
    ['handwritten', ['activate', 'multiplyByDerivative']],
    ['tfjs', ['forward', 'backwardFromOutput']],
  ] as const) {
    for (const fn of fns) if (typeof (s[field] as Record<string, unknown>)[fn] !== 'function') fail(`field "${field}.${fn}" is missing`);
  }
  if (typeof s.keras.dense !== 'string' || (s.keras.after !== null && typeof s.keras.after !== 'function'))
    fail('field "keras" must be { dense: a Keras activation name, after: a function or null }');
  const { lower, upper } = s.bounds;
  if (!(typeof lower === 'number' && typeof upper === 'number' && lower < upper)) fail('field "bounds" must have lower < upper');
  const points = CHECK_POINTS.filter((z) => s.kinks.every((k) => Math.abs(z - k) >= 0.1));
  const a = Float64Array.from(points, (z) => z);
  s.handwritten.activate(a, a.length);
  const d = new Float64Array(points.length).fill(1);
  s.handwritten.multiplyByDerivative(d, a, d.length);
  points.forEach((z, i) => {
    const y = s.f(z);
    if (!(y >= lower && y <= upper)) fail(`f(${z}) = ${y} lies outside its bounds [${lower}, ${upper}]`);
    const slope = (s.f(z + CHECK_STEP) - s.f(z - CHECK_STEP)) / (2 * CHECK_STEP);
    const claimed = s.derivativeFromOutput(y);
    if (!(Math.abs(claimed - slope) <= DERIVATIVE_TOLERANCE * Math.max(1, Math.abs(slope))))
      fail(`derivativeFromOutput(f(${z})) = ${claimed}, but f's slope there is ${slope}`);
    if (a[i] !== y) fail(`handwritten.activate gives ${a[i]} at z = ${z}, f gives ${y}`);
    if (d[i] !== claimed) fail(`handwritten.multiplyByDerivative gives ${d[i]} at z = ${z}, derivativeFromOutput gives ${claimed}`);
  });
}

for (const [name, spec] of Object.entries(TABLE)) {
  checkActivation(name, spec);
  registry.set(name, spec);
}

/**
 * Adds an entry at run time (checked as at start; a name already in the table is refused).
 * Returns the function that removes it again. For tests that follow the recipe without
 * editing the table; a permanent activation belongs in the table above.
 */
export function addActivation(name: string, spec: ActivationSpec): () => void {
  if (registry.has(name)) throw new Error(`activation table: "${name}" is already in the table`);
  checkActivation(name, spec);
  registry.set(name, spec);
  return () => {
    registry.delete(name);
  };
}

/** The entry of an activation; an unknown name is an error, never a guess. */
export function activationSpec(name: string): ActivationSpec {
  const spec = registry.get(name);
  if (!spec) throw new Error(`unknown activation "${name}" (known: ${[...registry.keys()].join(', ')})`);
  return spec;
}

/** The names a hidden layer (or the output layer) may use, in table order, including added ones. */
export function activationNames(layer: 'hidden' | 'output'): string[] {
  return [...registry].filter(([, spec]) => spec.use === layer || spec.use === 'both').map(([name]) => name);
}

/** Whether `name` is in the table and usable for that layer. */
export function isActivationFor(layer: 'hidden', name: unknown): name is HiddenActivation;
export function isActivationFor(layer: 'output', name: unknown): name is OutputActivation;
export function isActivationFor(layer: 'hidden' | 'output', name: unknown): boolean {
  if (typeof name !== 'string') return false;
  const spec = registry.get(name);
  return spec !== undefined && (spec.use === layer || spec.use === 'both');
}

/** Whether a unit of `activation` is active, off or saturated at output y (the entry's rule). */
export function unitState(activation: string, y: number): UnitState {
  return activationSpec(activation).unitState(y);
}
