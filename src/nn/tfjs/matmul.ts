/**
 * The small-batch product of the TensorFlow.js engine's step on the wasm backend: matmul.wat
 * instantiated against the backend's own memory, so it reads and writes the backend's tensors
 * in place, with the same numbers as the backend's BatchMatMul kernel, bit for bit (why, in
 * matmul.wat).
 *
 * Why: the backend's BatchMatMul (XNNPACK) packs its second operand into a buffer of its own on
 * every call with a tensor it has not seen, and at batch 32 that costs about as much as a third
 * of the product (measured CPU time, 150x1024·1024x32: 538 µs, of which 144 µs packing;
 * 150x32·32x1024: 619 µs, 255 µs packing; docs/benchmark.md).
 *
 * It runs only where it can: the wasm backend's single-threaded build with WebAssembly SIMD (the
 * threaded build's memory is shared, and there XNNPACK splits a product across threads, which
 * pays at the large batches that use threads). Elsewhere wasmMatMul() returns null and the
 * backend's kernel runs. Reads the wasm backend's internals (its module's memory, its data ids'
 * offsets), which @tensorflow/tfjs-backend-wasm 4.22 has: a version that moves them makes this
 * return null rather than fail (spec/tfjs-matmul.spec.ts pins that it runs on the installed one).
 */
import * as tf from '@tensorflow/tfjs';
import { MATMUL_WASM_BASE64 } from './matmul-wasm.js';

/**
 * The part of the WebAssembly JavaScript API used here (TypeScript declares it only in the DOM
 * and worker libraries, which this Node program does not load; the hand-written engine's
 * src/nn/handwritten/wasm.ts declares its own part the same way).
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: abstract new (...args: never[]) => { readonly buffer: ArrayBuffer | SharedArrayBuffer };
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The parts of @tensorflow/tfjs-backend-wasm's BackendWasm this uses. */
interface WasmBackendInternals {
  wasm?: { asm?: { memory?: unknown } };
  dataIdMap?: { get(dataId: tf.DataId): { memoryOffset: number } | undefined };
  makeOutput?(shape: number[], dtype: 'float32'): tf.TensorInfo;
}

/** C = A·B for float32 matrices on the backend; the output is a new tensor of the backend. */
export type MatMul = (a: tf.TensorInfo, b: tf.TensorInfo) => tf.TensorInfo;

type MatMulExport = (a: number, b: number, c: number, m: number, k: number, n: number) => void;

let compiled: object | null | undefined;
const byMemory = new WeakMap<object, MatMulExport>();

/** The compiled kernel, or null where this WebAssembly cannot run it (no SIMD). */
function compiledModule(): object | null {
  if (compiled === undefined) {
    const bytes = Buffer.from(MATMUL_WASM_BASE64, 'base64');
    compiled = wasm.validate(bytes) ? new wasm.Module(bytes) : null;
  }
  return compiled;
}

/** The kernel on the current backend, or null where it does not run (see the file comment). */
export function wasmMatMul(): MatMul | null {
  if (tf.getBackend() !== 'wasm') return null;
  const backend = tf.backend() as unknown as WasmBackendInternals;
  const memory = backend.wasm?.asm?.memory;
  const { dataIdMap } = backend;
  if (!(memory instanceof wasm.Memory) || memory.buffer instanceof SharedArrayBuffer || !dataIdMap || !backend.makeOutput) return null;
  const module = compiledModule();
  if (!module) return null;
  let matmul = byMemory.get(memory);
  if (!matmul) {
    matmul = new wasm.Instance(module, { env: { memory } }).exports.matmul as MatMulExport;
    byMemory.set(memory, matmul);
  }
  const run = matmul;
  const makeOutput = backend.makeOutput.bind(backend);
  const offset = (t: tf.TensorInfo): number => dataIdMap.get(t.dataId)!.memoryOffset;
  return (a, b) => {
    const [m, k] = a.shape;
    const n = b.shape[1];
    const out = makeOutput([m, n], 'float32');
    run(offset(a), offset(b), offset(out), m, k, n);
    return out;
  };
}
