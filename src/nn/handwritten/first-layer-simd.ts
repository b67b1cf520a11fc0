/**
 * The first layer of the hand-written engine in WebAssembly SIMD (first-layer.wat): its forward
 * product for batches above one (evaluation, prediction, mini-batches), and the online-SGD hot loop
 * of the general path (the deferred update fused with the next forward pass; online steps with the
 * activations online-step.ts implements run there instead). The same numbers as the plain kernels
 * (kernels.ts), bit for bit: a 1,000-example forward pass in 0.44-0.60x the time
 * (`node tools/first-layer-ab.mjs`).
 *
 * The weights W_0 live in the kernel's own memory (the engine uses `weights` as its W_0, a view
 * of it, so every other code path reads and writes them as before); the vectors a call needs (the
 * previous input, the delta, the inputs, the outputs) are copied in and out. The memory is sized
 * once and never grows, so the views stay valid.
 */
import { affineColumns, descendThenAffineColumns, type FloatArray } from './kernels.js';
import { FIRST_LAYER_WASM_BASE64 } from './first-layer-wasm.js';
import { compileKernel, instantiate, type WasmModule } from '../wasm.js';

type Kernel = (p: number, d: number, lr: number, w: number, x: number, out: number, rows: number, fanOut: number, cols: number) => void;
type AffineKernel = (a: number, n: number, fanIn: number, w: number, out: number, rows: number, fanOut: number, cols: number) => void;

/** Examples per call of the affine kernel: bounds the kernel's memory (1 MB of inputs for the article's layer). */
const AFFINE_CHUNK = 256;

let compiled: WasmModule | null | undefined;

/** The compiled kernel, or null where WebAssembly SIMD is not available (then the plain kernel runs). */
function kernelModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileKernel(FIRST_LAYER_WASM_BASE64);
  return compiled;
}

export class FirstLayerSimd {
  /** W_0 [fanIn, fanOut], row-major: the engine's first-layer weights. */
  readonly weights: Float32Array;
  /** The previous example's input (the deferred update's p): the engine writes it here. */
  readonly pendingInput: Float32Array;
  private readonly delta: Float32Array;
  private readonly input: Float32Array;
  private readonly output: Float32Array;
  private readonly kernel: Kernel;
  private readonly affineKernel: AffineKernel;
  /** AFFINE_CHUNK examples' inputs and outputs. */
  private readonly chunkInputs: Float32Array;
  private readonly chunkOutputs: Float32Array;
  /** The rows and columns the kernel takes (multiples of 4); the plain kernel does the rest. */
  private readonly rows: number;
  private readonly cols: number;

  private constructor(
    module: WasmModule,
    private readonly fanIn: number,
    private readonly fanOut: number,
  ) {
    const floats = fanIn * fanOut + 2 * fanIn + 2 * fanOut + AFFINE_CHUNK * (fanIn + fanOut);
    const { memory, exports } = instantiate(module, 4 * floats);
    this.kernel = exports.descendThenAffine as Kernel;
    this.affineKernel = exports.affine as AffineKernel;
    let offset = 0;
    const take = (n: number): Float32Array => {
      const view = new Float32Array(memory.buffer, offset, n);
      offset += 4 * n;
      return view;
    };
    this.weights = take(fanIn * fanOut);
    this.pendingInput = take(fanIn);
    this.input = take(fanIn);
    this.delta = take(fanOut);
    this.output = take(fanOut);
    this.chunkInputs = take(AFFINE_CHUNK * fanIn);
    this.chunkOutputs = take(AFFINE_CHUNK * fanOut);
    this.rows = fanIn - (fanIn % 4);
    this.cols = fanOut - (fanOut % 4);
  }

  /** A first layer of this shape, or null where WebAssembly SIMD is not available. */
  static create(fanIn: number, fanOut: number): FirstLayerSimd | null {
    const module = kernelModule();
    return module ? new FirstLayerSimd(module, fanIn, fanOut) : null;
  }

  /**
   * kernels.ts descendThenAffine with p = pendingInput and W = weights: the deferred update
   * W -= lr p^T d, then out = b + x W. d, b, x and out are the engine's own arrays.
   */
  descendThenAffine(d: FloatArray, lr: number, b: FloatArray, x: FloatArray, out: FloatArray): void {
    const { fanIn, fanOut, rows, cols } = this;
    this.delta.set(d.subarray(0, fanOut));
    this.input.set(x.subarray(0, fanIn));
    this.output.set(b.subarray(0, fanOut));
    this.kernel(
      this.pendingInput.byteOffset,
      this.delta.byteOffset,
      lr,
      this.weights.byteOffset,
      this.input.byteOffset,
      this.output.byteOffset,
      rows,
      fanOut,
      cols,
    );
    // What the kernel leaves, in each column's own order: the kernel's columns from row `rows`
    // on, then the columns beyond `cols` from row 0.
    const args = [this.pendingInput, this.delta, lr, this.weights, this.input, this.output, fanIn, fanOut] as const;
    if (rows < fanIn) descendThenAffineColumns(...args, 0, cols, rows);
    if (cols < fanOut) descendThenAffineColumns(...args, cols, fanOut, 0);
    out.set(this.output);
  }

  /**
   * out = a W + b for n examples (a [n, fanIn], out [n, fanOut]): kernels.ts affine's numbers, bit
   * for bit, AFFINE_CHUNK examples per call of the kernel.
   */
  affine(a: FloatArray, b: FloatArray, out: FloatArray, n: number): void {
    const { fanIn, fanOut, rows, cols, chunkInputs, chunkOutputs } = this;
    for (let start = 0; start < n; start += AFFINE_CHUNK) {
      const m = Math.min(AFFINE_CHUNK, n - start);
      chunkInputs.set(a.subarray(start * fanIn, (start + m) * fanIn));
      for (let r = 0; r < m; r++) chunkOutputs.set(b.subarray(0, fanOut), r * fanOut);
      this.affineKernel(chunkInputs.byteOffset, m, fanIn, this.weights.byteOffset, chunkOutputs.byteOffset, rows, fanOut, cols);
      // The rest, in each element's own order: the kernel's columns from row `rows` on, then the other columns.
      if (rows < fanIn) affineColumns(chunkInputs, this.weights, chunkOutputs, m, fanIn, fanOut, 0, cols, rows);
      if (cols < fanOut) affineColumns(chunkInputs, this.weights, chunkOutputs, m, fanIn, fanOut, cols, fanOut, 0);
      out.set(chunkOutputs.subarray(0, m * fanOut), start * fanOut);
    }
  }
}
