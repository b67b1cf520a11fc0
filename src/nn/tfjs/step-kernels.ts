/**
 * The TensorFlow.js engine's small-batch step kernels on the wasm backend: step-kernels.wat
 * instantiated against the backend's own memory, so they read and write the backend's tensors in
 * place, each with the same numbers as the backend kernels it stands for, bit for bit (why, in
 * step-kernels.wat).
 *
 * Why: at batch 32 a step's cost is the backend's per-call cost and XNNPACK's packing, not its
 * arithmetic. BatchMatMul packs its second operand into a buffer of its own on every call with a
 * tensor it has not seen (measured CPU time, 150x1024·1024x32: 538 µs, of which 144 µs packing;
 * 150x32·32x1024: 619 µs, 255 µs packing); every other kernel call costs a few microseconds of
 * JavaScript (shape arrays copied onto the wasm stack, data-id look-ups) whatever its size. A call
 * here is one WebAssembly call, and the kernels fuse what the step runs back to back (the bias
 * after the product, sigmoid's derivative, the loss gradient).
 *
 * They run only where they can: the wasm backend's single-threaded build with WebAssembly SIMD
 * (the threaded build's memory is shared, and there XNNPACK splits products across threads, which
 * pays at the large batches that use threads). Elsewhere wasmStepKernels() returns null and the
 * backend's kernels run. This reads the wasm backend's internals (its module's memory, its data
 * ids' offsets, makeOutput), which @tensorflow/tfjs-backend-wasm 4.22 has: a version that moves
 * them makes this return null rather than fail (spec/tfjs-explicit-step.spec.ts pins that they
 * run on the installed one).
 */
import * as tf from '@tensorflow/tfjs';
import { STEP_KERNELS_WASM_BASE64 } from './step-kernels-wasm.js';
import { compileKernel, instantiateOn, isUnsharedMemory, type WasmMemory, type WasmModule } from '../wasm.js';

/** The parts of @tensorflow/tfjs-backend-wasm's BackendWasm this uses. */
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap?: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput?(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

type Info = tf.TensorInfo;

/**
 * The kernels, each on the backend's tensors, returning a new tensor of the backend (its one
 * reference owned by the caller); each gives the bits of the backend kernel named.
 */
export interface StepKernels {
  /** A·B (BatchMatMul). */
  matMul(a: Info, b: Info): Info;
  /** A·B + b, b a column [M, 1] (BatchMatMul, then Add). */
  matMulBias(a: Info, b: Info, bias: Info): Info;
  /** xᵀ of a matrix (Transpose). */
  transpose(x: Info): Info;
  /** a - b of equal shapes (Sub). */
  sub(a: Info, b: Info): Info;
  /** dy (y - y y): sigmoid's backwardFromOutput (Multiply, Sub, Multiply). */
  sigmoidBackward(dy: Info, y: Info): Info;
  /** (out - y) s, s a scalar tensor (Sub, then Multiply). */
  lossGradient(out: Info, y: Info, s: Info): Info;
  /** Sums of the rows of [M, N], as [M, 1] (Sum over axis 1, keeping it). */
  rowSums(x: Info): Info;
}

type Exported = (...args: number[]) => void;

let compiled: WasmModule | null | undefined;
const byMemory = new WeakMap<WasmMemory, Record<string, Exported>>();

/** The compiled kernels (once), or null where this WebAssembly cannot run them (no SIMD). */
function compiledModule(): WasmModule | null {
  if (compiled === undefined) compiled = compileKernel(STEP_KERNELS_WASM_BASE64);
  return compiled;
}

/** The kernels on the current backend, or null where they do not run (see the file comment). */
export function wasmStepKernels(): StepKernels | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const memory = backend.wasm?.asm?.memory;
  const { dataIdMap } = backend;
  if (!isUnsharedMemory(memory) || !dataIdMap || !backend.makeOutput) return null;
  const module = compiledModule();
  if (!module) return null;
  let k = byMemory.get(memory);
  if (!k) {
    k = instantiateOn(module, memory) as Record<string, Exported>;
    byMemory.set(memory, k);
  }
  const run = k;
  const makeOutput = backend.makeOutput.bind(backend);
  const at = (t: Info): number => dataIdMap.get(t.dataId)!.memoryOffset;
  const size = (t: Info): number => t.shape.reduce((p, d) => p * d, 1);
  return {
    matMul(a, b) {
      const out = makeOutput([a.shape[0], b.shape[1]], 'float32');
      run.matmul(at(a), at(b), at(out), a.shape[0], a.shape[1], b.shape[1]);
      return out;
    },
    matMulBias(a, b, bias) {
      const out = makeOutput([a.shape[0], b.shape[1]], 'float32');
      run.matmul_bias(at(a), at(b), at(out), a.shape[0], a.shape[1], b.shape[1], at(bias));
      return out;
    },
    transpose(x) {
      const out = makeOutput([x.shape[1], x.shape[0]], 'float32');
      run.transpose(at(x), at(out), x.shape[0], x.shape[1]);
      return out;
    },
    sub(a, b) {
      const out = makeOutput([...a.shape], 'float32');
      run.sub(at(a), at(b), at(out), size(a));
      return out;
    },
    sigmoidBackward(dy, y) {
      const out = makeOutput([...y.shape], 'float32');
      run.sigmoid_backward(at(dy), at(y), at(out), size(y));
      return out;
    },
    lossGradient(o, y, s) {
      const out = makeOutput([...o.shape], 'float32');
      run.loss_gradient(at(o), at(y), at(s), at(out), size(o));
      return out;
    },
    rowSums(x) {
      const out = makeOutput([x.shape[0], 1], 'float32');
      run.row_sums(at(x), at(out), x.shape[0], x.shape[1]);
      return out;
    },
  };
}
