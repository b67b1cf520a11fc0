/**
 * Choosing the TensorFlow.js backend.
 *
 * `auto` takes the fastest that loads: native TensorFlow (`@tensorflow/tfjs-node-gpu`, then
 * `@tensorflow/tfjs-node`, both optional installs), else WebAssembly, else plain JavaScript.
 * On these machines the native package cannot install (its install script downloads
 * libtensorflow from a host that is unreachable), so `auto` lands on wasm here.
 */
import * as tf from '@tensorflow/tfjs';
import { UserError, messageOf } from '../../util/errors.js';
import { setThreadedWasmBackend } from './wasm-threads.js';

export type BackendChoice = 'auto' | 'tensorflow' | 'wasm' | 'cpu';
type BackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface BackendInfo {
  /** The backend in use, as TensorFlow.js names it. */
  name: BackendName;
  /** What was asked for. */
  requested: BackendChoice;
  /** Package and version that provides it, e.g. "@tensorflow/tfjs-backend-wasm 4.22.0". */
  provider: string;
  /** Threads the backend computes with. */
  threads: number;
  /** Version of @tensorflow/tfjs-core. */
  tfjsVersion: string;
  /** Why faster backends were passed over (for `auto`). */
  skipped: string[];
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

async function tryNative(): Promise<{ info?: Omit<BackendInfo, 'requested' | 'skipped'>; why: string }> {
  const reasons: string[] = [];
  for (const pkg of NATIVE_PACKAGES) {
    try {
      const mod = (await import(pkg)) as { version?: { 'tfjs-node'?: string } };
      await tf.setBackend('tensorflow');
      await tf.ready();
      const version = mod.version?.['tfjs-node'] ?? 'unknown';
      // Native TensorFlow uses its own intra-op thread pool: by default one thread per core.
      const { availableParallelism } = await import('node:os');
      return {
        info: { name: 'tensorflow', provider: `${pkg} ${version}`, threads: availableParallelism(), tfjsVersion: tf.version_core },
        why: '',
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      reasons.push(
        code === 'ERR_MODULE_NOT_FOUND' || code === 'MODULE_NOT_FOUND'
          ? `${pkg} is not installed`
          : `${pkg} failed to load: ${firstLine(messageOf(err))}`,
      );
    }
  }
  return { why: reasons.join('; ') };
}

async function tryWasm(threads: number): Promise<{ info?: Omit<BackendInfo, 'requested' | 'skipped'>; why: string }> {
  try {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // The backend is set up once per process: a later call gets the threads of the first.
    const ok = threads > 1 ? await setThreadedWasmBackend(tf, wasm, threads) : await tf.setBackend('wasm');
    if (!ok) return { why: 'the wasm backend failed to initialise' };
    await tf.ready();
    return {
      info: {
        name: 'wasm',
        provider: `@tensorflow/tfjs-backend-wasm ${wasm.version_wasm}`,
        threads: wasm.getThreadsCount(),
        tfjsVersion: tf.version_core,
      },
      why: '',
    };
  } catch (err) {
    return { why: `@tensorflow/tfjs-backend-wasm failed to load: ${firstLine(messageOf(err))}` };
  }
}

async function useCpu(): Promise<Omit<BackendInfo, 'requested' | 'skipped'>> {
  await tf.setBackend('cpu');
  await tf.ready();
  // The cpu backend prints an "install the node backend" banner on its first tensor; the choice
  // of backend is already reported by this program (and tfjs-node cannot install here), so it is noise.
  (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
  return { name: 'cpu', provider: `@tensorflow/tfjs-backend-cpu ${tf.version_core}`, threads: 1, tfjsVersion: tf.version_core };
}

/**
 * Loads and activates a backend; throws a UserError naming the fix when the asked-for one cannot load.
 * `threads` is for wasm (its threaded build when above 1, src/nn/tfjs/wasm-threads.ts); native
 * TensorFlow sizes its own pool, and the cpu backend has one thread.
 */
export async function selectBackend(requested: BackendChoice, threads = 1): Promise<BackendInfo> {
  const skipped: string[] = [];
  if (requested === 'tensorflow' || requested === 'auto') {
    const native = await tryNative();
    if (native.info) return { ...native.info, requested, skipped };
    if (requested === 'tensorflow') {
      throw new UserError(
        `--backend tensorflow: cannot load native TensorFlow (${native.why}). ` +
          'Install it with `npm install @tensorflow/tfjs-node` on a machine that can download libtensorflow, or use --backend wasm.',
      );
    }
    skipped.push(native.why);
  }
  if (requested === 'wasm' || requested === 'auto') {
    const wasm = await tryWasm(threads);
    if (wasm.info) return { ...wasm.info, requested, skipped };
    if (requested === 'wasm') {
      throw new UserError(`--backend wasm: ${wasm.why}. Reinstall with \`npm ci\`, or use --backend cpu.`);
    }
    skipped.push(wasm.why);
  }
  return { ...(await useCpu()), requested, skipped };
}

/** One line for logs: "wasm (@tensorflow/tfjs-backend-wasm 4.22.0, 1 thread)". */
export function describeBackend(info: BackendInfo): string {
  return `${info.name} (${info.provider}, ${info.threads} thread${info.threads === 1 ? '' : 's'})`;
}

function firstLine(s: string): string {
  return s.split('\n')[0];
}
