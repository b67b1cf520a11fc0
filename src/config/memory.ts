/**
 * How much memory a configuration needs, checked before anything is allocated: a network too
 * large for the machine (hidden [100000, 100000] is 10^10 weights, 40 GB) is refused with one
 * line saying what it would need, instead of failing deep inside TensorFlow.js's WebAssembly.
 */
import os from 'node:os';
import { UsageError } from '../util/errors.js';
import type { RunConfig } from './schema.js';

const FLOAT_BYTES = 4;
/**
 * Copies of the parameters a training run holds at once: the weights, their gradients, the
 * momentum buffer, and one working copy (the engines' updates, the weights handed back).
 */
const PARAMETER_COPIES = 4;
/** WebAssembly memory is addressed with 32 bits: TensorFlow.js's wasm backend cannot hold more. */
const WASM_LIMIT_BYTES = 4 * 1024 ** 3;

/** The network's input count for a config's data: 1,024 gray pixels or 3,072 RGB values. */
export function inputsOf(config: RunConfig): number {
  return config.data.color === 'rgb' ? 3072 : 1024;
}

/** An estimate, in bytes, of what training `config` allocates: parameters, activations of a batch, the data. */
function trainingBytes(config: RunConfig): number {
  const sizes = [inputsOf(config), ...config.hidden, 1];
  let weights = 0;
  for (let k = 1; k < sizes.length; k++) weights += sizes[k - 1] * sizes[k] + sizes[k];
  const units = sizes.reduce((a, b) => a + b, 0);
  // Forward activations and backward deltas of the largest batch the loop evaluates (the whole test or training set).
  const examples = 2 * (config.data.trainPerClass + config.data.testPerClass);
  const activations = 2 * Math.max(config.batchSize, examples) * units;
  return FLOAT_BYTES * (PARAMETER_COPIES * weights + activations + examples * sizes[0]);
}

function formatBytes(bytes: number): string {
  const gib = bytes / 1024 ** 3;
  return gib >= 1 ? `${gib.toFixed(1)} GiB` : `${(bytes / 1024 ** 2).toFixed(0)} MiB`;
}

/** The most a run may take: half the machine's memory, and no more than WebAssembly can address. */
function memoryLimitBytes(): number {
  return Math.min(os.totalmem() / 2, WASM_LIMIT_BYTES);
}

/** Refuses a config whose estimated memory exceeds the limit; `source` names it (the file). */
export function checkFitsInMemory(config: RunConfig, source: string, limit = memoryLimitBytes()): void {
  const need = trainingBytes(config);
  if (need > limit) {
    throw new UsageError(
      `${source}: field "hidden": a network of sizes [${[inputsOf(config), ...config.hidden, 1].join(', ')}] needs about ${formatBytes(need)} ` +
        `to train; at most ${formatBytes(limit)} is available (half this machine's memory, at most what WebAssembly can address)`,
    );
  }
}
