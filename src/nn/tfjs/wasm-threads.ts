/**
 * Starting TensorFlow.js's multithreaded WebAssembly build under Node (issue 15).
 *
 * `@tensorflow/tfjs-backend-wasm` ships a threaded build (`tfjs-backend-wasm-threaded-simd`,
 * XNNPACK splitting each large product over a pthreadpool), but switches it off in Node
 * (tfjs#3830). Three things stand in its way there, and this module answers each without
 * changing a file of the package:
 *
 * 1. The flag `WASM_HAS_MULTITHREAD_SUPPORT` answers false in Node: it is set to true.
 * 2. The Emscripten glue starts its pthread workers with `new Worker(<blob: URL>)` and then
 *    posts them the glue itself as a `Blob`; Node's `worker_threads.Worker` can open neither.
 *    While the build loads, the global `Worker` is a subclass of Node's that starts the
 *    package's own worker script (`wasm-out/…threaded-simd.worker.js`, which already knows
 *    Node) from source, and hands it the path of the package's glue file instead of the Blob.
 *    Its `ref()` does nothing: the pool's threads only ever work while the main thread waits
 *    for them, so they must not keep a finished process alive (Emscripten refs a worker while
 *    a pthread runs on it, and the pool's pthreads never end).
 * 3. The backend caps its pool at half the logical cores ("many x86-64 processors have 2
 *    threads per core"), i.e. one thread on a 2-core machine whose cores are real. While the
 *    module initialises, `os.cpus()` reports 2 × threads entries, so the cap is the count asked
 *    for. It is restored as soon as the backend is ready.
 *
 * Determinism: XNNPACK splits a product by blocks of output, each computed whole by one thread
 * with the same kernel, so the numbers do not depend on the thread count; spec/wasm-threads.spec.ts
 * checks a training run bit for bit at 1 and 2 threads.
 */
import os from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker as NodeWorker, type TransferListItem } from 'node:worker_threads';

const require = createRequire(import.meta.url);

/** The package's Emscripten output folder (the glue and worker script of each build). */
function wasmOutDir(): string {
  return path.join(path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'wasm-out');
}

/** A pthread worker of the threaded build, started the way Node can start it. */
function pthreadWorkerClass(): typeof NodeWorker {
  const out = wasmOutDir();
  const glueFile = path.join(out, 'tfjs-backend-wasm-threaded-simd.js');
  // The worker script is exported as a template string whose "\n" escapes became real line
  // breaks; put them back, as the package itself does before making its Blob.
  const { wasmWorkerContents } = require(path.join(out, 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  const source = wasmWorkerContents.replace(/\n/g, '\\n');

  return class PthreadWorker extends NodeWorker {
    constructor() {
      super(source, { eval: true });
      this.unref();
    }

    override ref(): void {
      // Never keeps the process alive: see point 2 above.
    }

    override postMessage(message: unknown, transfer?: readonly TransferListItem[]): void {
      const m = message as { cmd?: string; urlOrBlob?: unknown } | null;
      // "load" carries the glue as a Blob, which a Node worker cannot import; the same glue is a file.
      const patched =
        m !== null && typeof m === 'object' && m.cmd === 'load' && typeof m.urlOrBlob !== 'string'
          ? { ...m, urlOrBlob: glueFile }
          : message;
      super.postMessage(patched, transfer);
    }
  };
}

interface WasmModule {
  setThreadsCount(n: number): void;
}
interface TfEnv {
  env(): { set(flag: string, value: boolean): void };
  setBackend(name: string): Promise<boolean>;
  ready(): Promise<void>;
}

/**
 * Initialises the wasm backend on its threaded build with `threads` threads (≥ 2). Must run
 * before the wasm backend is first initialised in this process; returns what `setBackend` did.
 */
export async function setThreadedWasmBackend(tf: TfEnv, wasm: WasmModule, threads: number): Promise<boolean> {
  if (!Number.isInteger(threads) || threads < 2) throw new Error(`setThreadedWasmBackend: threads must be an integer ≥ 2, got ${threads}`);
  const Worker = pthreadWorkerClass();
  // Kept for the life of the process: Emscripten looks the class up whenever it needs a worker.
  Object.defineProperty(globalThis, 'Worker', { configurable: true, get: () => Worker, set: () => undefined });
  tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
  wasm.setThreadsCount(threads);

  const realCpus = os.cpus;
  os.cpus = () => {
    const cpus = realCpus();
    return Array.from({ length: 2 * threads }, (_, i) => cpus[i % cpus.length]);
  };
  try {
    const ok = await tf.setBackend('wasm');
    await tf.ready();
    return ok;
  } finally {
    os.cpus = realCpus;
  }
}
