/**
 * The part of the WebAssembly JavaScript API the project's kernels use, and the one place they
 * are compiled from their base64 bytes and instantiated: the hand-written engine's kernels on a
 * memory of their own (src/nn/handwritten/), the TensorFlow.js engine's step kernels on the wasm
 * backend's memory (src/nn/tfjs/step-kernels.ts). Node has all of it; TypeScript declares it only
 * in the DOM and worker libraries, which this Node program does not load.
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => WasmModule;
  Instance: new (module: WasmModule, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
  Memory: new (size: { initial: number; maximum: number }) => WasmMemory;
}
export interface WasmModule {
  readonly kind?: 'WebAssembly.Module';
}
export interface WasmMemory {
  readonly buffer: ArrayBuffer;
}
const wasm = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** Bytes of one WebAssembly page. */
const PAGE = 65_536;

/** The module of these base64 bytes, or null where this WebAssembly (SIMD) cannot run it (then the plain kernels run). */
export function compileKernel(base64: string): WasmModule | null {
  const bytes = Buffer.from(base64, 'base64');
  return wasm.validate(bytes) ? new wasm.Module(bytes) : null;
}

/** A memory of at least `bytes` bytes that never grows (so views of it stay valid), and the module instantiated on it. */
export function instantiate(
  module: WasmModule,
  bytes: number,
  imports: Record<string, Record<string, unknown>> = {},
): { memory: WasmMemory; exports: Record<string, unknown> } {
  const pages = Math.max(1, Math.ceil(bytes / PAGE));
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  return { memory, exports: instantiateOn(module, memory, imports) };
}

/** Whether `x` is a WebAssembly memory that is not shared between threads. */
export function isUnsharedMemory(x: unknown): x is WasmMemory {
  return x instanceof wasm.Memory && !((x as { buffer: unknown }).buffer instanceof SharedArrayBuffer);
}

/** The module's exports, instantiated on a memory that already exists (imported as env.memory). */
export function instantiateOn(
  module: WasmModule,
  memory: WasmMemory,
  imports: Record<string, Record<string, unknown>> = {},
): Record<string, unknown> {
  return new wasm.Instance(module, { ...imports, env: { memory } }).exports;
}
