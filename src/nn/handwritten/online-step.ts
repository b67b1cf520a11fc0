/**
 * The hand-written engine's whole online (batch-1) SGD step, in single precision: every layer's
 * forward pass, backpropagation and update in one call, either in WebAssembly SIMD
 * (online-step.wat) or in the plain TypeScript kernel below (`plainStep`), which computes the same
 * numbers bit for bit (spec/engine-online-step.spec.ts). The engine (engine.ts) uses it for batch 1,
 * float32, momentum 0 and gradient normalisation 'none', when every activation has a code here
 * (`onlineActivationCode`); every other case takes the engine's general path.
 *
 * Arithmetic. Every product and sum is one float32 operation, as PyTorch's float32 CPU step makes
 * them (the general path sums in double instead): per column, z[j] = b[j] + x[0] W[0, j] + x[1]
 * W[1, j] + ... in row order; backpropagation's sums over a weight row in four lanes (columns j
 * mod 4, in order), then (s0 + s1) + (s2 + s3); the update W[i, j] - p[i] (lr delta[j]).
 * WebAssembly has no fused multiply-add that gives the same result on every machine, so every
 * product is rounded before it is added; sigmoid and tanh are Math.exp and Math.tanh in double,
 * rounded once.
 *
 * Layout. Parameters and vectors live in one memory (the kernel's, or a plain ArrayBuffer for the
 * plain kernel), each layer's rows padded with zeros to a multiple of four columns so the SIMD
 * loops run on whole vectors; the padding stays zero. Each layer's update is deferred to its next
 * forward pass (p, g: the input and lr delta of the last step), which applies it while it reads
 * the weights; `store` applies what is pending before it copies the parameters out. The SIMD
 * forward pass walks each layer in column panels (16 columns, then 8 and 4 for what is left), every
 * row of a panel in turn, with the panel's sums, g and bias held in registers, so out is written
 * once per panel. The first layer, which holds most of the weights (155k of the 7-layer network's
 * 176k) and is never read by backpropagation, is stored panel-major (`panelIndex`): each panel
 * whole, row after row, so that walk is one sequential stream at constant offsets. The other
 * layers stay row-major, the order backpropagation reads them in.
 */
import type { LayerActivation } from '../../config/schema.js';
import type { FloatArray } from './kernels.js';
import { ONLINE_STEP_WASM_BASE64 } from './online-step-wasm.js';
import { compileKernel, instantiate, type WasmModule } from '../wasm.js';

/**
 * The activations the online kernels implement, by the small integer they pass to the wasm
 * kernel (online-step.wat's $activate and $derive). The others ('relu-clipped', 'relu-scaled')
 * return null: the engine then takes its general path.
 */
export function onlineActivationCode(activation: LayerActivation): number | null {
  const codes: Partial<Record<LayerActivation, number>> = { sigmoid: 0, relu: 1, tanh: 2, linear: 3 };
  return codes[activation] ?? null;
}
const SIGMOID = 0;
const RELU = 1;
const TANH = 2;

/** One layer's place in the memory, in float32 elements (the wasm record holds the same, in bytes). */
interface LayerLayout {
  fanIn: number;
  fanOut: number;
  /** fanOut rounded up to a multiple of 4: the row length of W and the length of b, out, delta and g. */
  stride: number;
  /** fanIn rounded up to a multiple of 4: the length of p (and of the input buffer it copies). */
  inPadded: number;
  w: number;
  b: number;
  /** The layer's input: the example's buffer for the first layer, the layer below's out otherwise. */
  in: number;
  out: number;
  delta: number;
  p: number;
  g: number;
  activation: number;
  /** W panel-major (`panelIndex`): the first layer; the others are row-major with rows `stride` apart. */
  panelMajor: boolean;
}

/** Where W[i, j] of a layer is, in float32 elements. */
function weightIndex(l: LayerLayout, i: number, j: number): number {
  return l.panelMajor ? l.w + panelIndex(l.fanIn, l.stride, i, j) : l.w + i * l.stride + j;
}

/**
 * W[i, j]'s place in the panel-major layout: the columns cut into panels of 16 (then one of 8 and
 * one of 4 for what is left of the stride), each panel stored whole, row after row (`width`
 * numbers a row), panel after panel. online-step.wat's $panels walks the same panels.
 */
function panelIndex(fanIn: number, stride: number, i: number, j: number): number {
  const full = stride & ~15; // the columns in panels of 16
  const rest8 = (stride - full) & 8; // 8 when what is left holds a panel of 8
  const [start, width] = j < full ? [j & ~15, 16] : j < full + rest8 ? [full, 8] : [full + rest8, 4];
  return fanIn * start + i * width + (j - start);
}

/** Bytes per layer record (12 i32 fields; online-step.wat reads them at these byte offsets). */
const RECORD_BYTES = 48;

type StepKernel = (desc: number, layers: number, lr: number, y: number) => void;
type FlushKernel = (desc: number, layers: number) => void;
type StreamKernel = (desc: number, layers: number) => number;

let compiled: WasmModule | null | undefined;

export class OnlineStep {
  private readonly layers: LayerLayout[];
  private readonly f: Float32Array;
  private readonly input: Float32Array;
  private readonly wasm: { step: StepKernel; flush: FlushKernel; stream: StreamKernel } | null;

  private constructor(
    sizes: readonly number[],
    activations: number[],
    readonly kernel: 'simd' | 'plain',
    module: WasmModule | null,
  ) {
    const round4 = (n: number): number => Math.ceil(n / 4) * 4;
    let next = round4((RECORD_BYTES / 4) * (sizes.length - 1)); // the records come first
    const take = (n: number): number => {
      const at = next;
      next += n;
      return at;
    };
    const inputAt = take(round4(sizes[0]));
    this.layers = [];
    for (let k = 0; k + 1 < sizes.length; k++) {
      const [fanIn, fanOut] = [sizes[k], sizes[k + 1]];
      const stride = round4(fanOut);
      const inPadded = round4(fanIn);
      const input = k === 0 ? inputAt : this.layers[k - 1].out;
      this.layers.push({
        fanIn,
        fanOut,
        stride,
        inPadded,
        w: take(fanIn * stride),
        b: take(stride),
        in: input,
        out: take(stride),
        delta: take(stride),
        p: take(inPadded),
        g: take(stride),
        activation: activations[k],
        panelMajor: k === 0,
      });
    }
    const bytes = 4 * next;
    let buffer: ArrayBuffer;
    if (module) {
      // The kernel's memory never grows, so a view made once stays valid for the host's calls.
      let view: Float32Array | null = null;
      const activate = (at: number, n: number, activation: number): void => activateLayer(view!, at >> 2, n, activation);
      const instance = instantiate(module, bytes, { host: { activateLayer: activate } });
      buffer = instance.memory.buffer;
      view = new Float32Array(buffer);
      const e = instance.exports;
      this.wasm = { step: e.step as StepKernel, flush: e.flush as FlushKernel, stream: e.stream as StreamKernel };
    } else {
      buffer = new ArrayBuffer(bytes);
      this.wasm = null;
    }
    this.f = new Float32Array(buffer, 0, next);
    const records = new Int32Array(buffer, 0, (RECORD_BYTES / 4) * this.layers.length);
    this.layers.forEach((l, k) => {
      const fields = [l.fanIn, 4 * l.stride, 4 * l.w, 4 * l.b, 4 * l.in, 4 * l.out, 4 * l.delta, 4 * l.p, 4 * l.g, l.activation];
      records.set([...fields, l.fanOut, 4 * l.inPadded], (k * RECORD_BYTES) / 4);
    });
    this.input = this.f.subarray(inputAt, inputAt + sizes[0]);
  }

  /**
   * The online step for this network, or null when an activation has no code here. 'simd' falls
   * back to 'plain' (the same numbers) where WebAssembly SIMD is not available.
   */
  static create(
    sizes: readonly number[],
    hiddenActivation: LayerActivation,
    outputActivation: LayerActivation,
    kernel: 'simd' | 'plain',
  ): OnlineStep | null {
    const codes = sizes.slice(1).map((_, k) => onlineActivationCode(k === sizes.length - 2 ? outputActivation : hiddenActivation));
    if (codes.some((c) => c === null) || sizes[sizes.length - 1] !== 1) return null;
    if (kernel === 'simd' && compiled === undefined) compiled = compileKernel(ONLINE_STEP_WASM_BASE64);
    const module = kernel === 'simd' ? (compiled ?? null) : null;
    return new OnlineStep(sizes, codes as number[], module ? 'simd' : 'plain', module);
  }

  /** Copies the parameters in (Params layout) and forgets any pending update. */
  load(weights: readonly FloatArray[], biases: readonly FloatArray[]): void {
    const f = this.f;
    this.layers.forEach((l, k) => {
      for (let i = 0; i < l.fanIn; i++) for (let j = 0; j < l.fanOut; j++) f[weightIndex(l, i, j)] = weights[k][i * l.fanOut + j];
      f.set(biases[k].subarray(0, l.fanOut), l.b);
      f.fill(0, l.p, l.p + l.inPadded);
      f.fill(0, l.g, l.g + l.stride);
    });
  }

  /** Applies the pending updates, then copies the parameters out (Params layout). */
  store(weights: FloatArray[], biases: FloatArray[]): void {
    if (this.wasm) this.wasm.flush(0, this.layers.length);
    else plainFlush(this.f, this.layers);
    const f = this.f;
    this.layers.forEach((l, k) => {
      for (let i = 0; i < l.fanIn; i++) for (let j = 0; j < l.fanOut; j++) weights[k][i * l.fanOut + j] = f[weightIndex(l, i, j)];
      biases[k].set(f.subarray(l.b, l.b + l.fanOut));
    });
  }

  /** One SGD step on example x (its first sizes[0] numbers) with target y. */
  step(x: Float32Array, y: number, learningRate: number): void {
    // (x.subarray only when x is longer: a view is an allocation per step)
    this.input.set(x.length === this.input.length ? x : x.subarray(0, this.input.length));
    if (this.wasm) this.wasm.step(0, this.layers.length, learningRate, y);
    else plainStep(this.f, this.layers, Math.fround(learningRate), Math.fround(y));
  }

  /**
   * The floor of a step (SIMD only): one pass that moves exactly the weight traffic of a step (every
   * layer read and written, every layer but the first read again) and computes nothing. Leaves the
   * weights as they were.
   */
  streamWeights(): number {
    if (!this.wasm) throw new Error('online step: the weight-streaming floor exists only for the WebAssembly kernel');
    return this.wasm.stream(0, this.layers.length);
  }
}

// ---------------------------------------------------------------------------------------------
// The plain kernel: online-step.wat's arithmetic, one element at a time. Math.fround after every
// operation makes each one a float32 operation (a float32 sum, difference or product computed in
// double and rounded once is the float32 result); storing into the Float32Array rounds the same way.
// ---------------------------------------------------------------------------------------------

const fround = Math.fround;

/**
 * a = f(z) over a layer's n outputs from f[at]: sigmoid and tanh in double through Math.exp and
 * Math.tanh, rounded once to float32 by the store. Both kernels call it (the WebAssembly one
 * through its import, once per layer), so their activations agree by construction.
 */
function activateLayer(f: Float32Array, at: number, n: number, activation: number): void {
  if (activation === SIGMOID) for (let j = at; j < at + n; j++) f[j] = 1 / (1 + Math.exp(-f[j]));
  else if (activation === RELU) for (let j = at; j < at + n; j++) f[j] = f[j] > 0 ? f[j] : 0;
  else if (activation === TANH) for (let j = at; j < at + n; j++) f[j] = Math.tanh(f[j]);
}

/** s f'(z), through the output a = f(z), in PyTorch's order (see online-step.wat's $derive). */
function derive(s: number, a: number, activation: number): number {
  if (activation === SIGMOID) return fround(fround(s * fround(1 - a)) * a);
  if (activation === RELU) return a > 0 ? s : 0;
  if (activation === TANH) return fround(s * fround(1 - fround(a * a)));
  return s;
}

/** online-step.wat's $step. */
function plainStep(f: Float32Array, layers: LayerLayout[], lr: number, y: number): void {
  for (const l of layers) plainForward(f, l);
  const last = layers[layers.length - 1];
  const a = f[last.out];
  f[last.delta] = derive(fround(2 * fround(a - y)), a, last.activation);
  for (let k = layers.length - 1; k >= 0; k--) {
    const l = layers[k];
    if (k > 0) plainBackward(f, l, layers[k - 1]);
    for (let j = 0; j < l.stride; j++) {
      const g = fround(lr * f[l.delta + j]);
      f[l.g + j] = g;
      f[l.b + j] = fround(f[l.b + j] - g);
    }
    f.copyWithin(l.p, l.in, l.in + l.inPadded);
  }
}

/** The deferred update W -= p g applied while reading W, z = b + x W in row order, a = f(z). (The SIMD kernel goes panel by panel; each column's order is the same.) */
function plainForward(f: Float32Array, l: LayerLayout): void {
  const { fanIn, stride, in: x, out, p, g } = l;
  f.copyWithin(out, l.b, l.b + stride);
  for (let i = 0; i < fanIn; i++) {
    const [xi, pi] = [f[x + i], f[p + i]];
    for (let j = 0; j < stride; j++) {
      const at = weightIndex(l, i, j);
      const v = fround(f[at] - fround(pi * f[g + j]));
      f[at] = v;
      f[out + j] = fround(f[out + j] + fround(xi * v));
    }
  }
  activateLayer(f, out, l.fanOut, l.activation);
}

/** below[i] = f'(sum_j delta[j] W[i, j]) for the layer beneath, the sum in four lanes. */
function plainBackward(f: Float32Array, l: LayerLayout, under: LayerLayout): void {
  // Backpropagation reads W by rows (here and in online-step.wat's $backward): only the first
  // layer, which it never reads, may be panel-major.
  if (l.panelMajor) throw new Error('online step: backpropagation through a panel-major layer');
  const { fanIn, stride, w, delta } = l;
  for (let i = 0; i < fanIn; i++) {
    const row = w + i * stride;
    let [s0, s1, s2, s3] = [0, 0, 0, 0];
    for (let j = 0; j < stride; j += 4) {
      s0 = fround(s0 + fround(f[row + j] * f[delta + j]));
      s1 = fround(s1 + fround(f[row + j + 1] * f[delta + j + 1]));
      s2 = fround(s2 + fround(f[row + j + 2] * f[delta + j + 2]));
      s3 = fround(s3 + fround(f[row + j + 3] * f[delta + j + 3]));
    }
    f[under.delta + i] = derive(fround(fround(s0 + s1) + fround(s2 + s3)), f[l.in + i], under.activation);
  }
}

/** online-step.wat's $flush. */
function plainFlush(f: Float32Array, layers: LayerLayout[]): void {
  for (const l of layers) {
    for (let i = 0; i < l.fanIn; i++) {
      const pi = f[l.p + i];
      for (let j = 0; j < l.stride; j++) {
        const at = weightIndex(l, i, j);
        f[at] = fround(f[at] - fround(pi * f[l.g + j]));
      }
    }
    f.fill(0, l.g, l.g + l.stride);
    f.fill(0, l.p, l.p + l.inPadded);
  }
}
