/**
 * The TensorFlow.js engine's small-batch cost on wasm, in one process: kernel calls per training
 * step (a deterministic count), and the throughput of epochs at a small batch size against epochs
 * at a large one, interleaved round by round so that both see the same machine load.
 *
 *   npm run build && node tools/tfjs-step-profile.mjs dist 32,4000 5 1
 *
 * Arguments: dist [batchSizes=1,32,4000] [rounds=5] [threads=1]. Backend kernel calls are counted
 * by wrapping every kernel the wasm backend registers, so a kernel run through TensorFlow.js's
 * engine and one called from the registry directly count alike (a kernel that calls another
 * inside the backend counts once); the explicit step's own WebAssembly kernels
 * (src/nn/tfjs/step-kernels.ts) are counted apart, where the build has them. Timing is CPU time (process.cpuUsage) of one epoch of the
 * benchmark's workload (src/bench/workload.ts) per batch size per round; GFLOP/s use the
 * benchmark's nominal count, and the last column is each batch size's median throughput
 * against the largest batch size's.
 */
import { resolve } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';

const [dist, sizesArg = '1,32,4000', roundsArg = '5', threadsArg = '1'] = process.argv.slice(2);
if (!dist) {
  console.error('usage: node tools/tfjs-step-profile.mjs dist [batchSizes] [rounds] [threads]');
  process.exit(2);
}
const sizes = sizesArg.split(',').map(Number);
const rounds = Number(roundsArg);
const load = (file) => import(pathToFileURL(resolve(dist, file)).href);
// The TensorFlow.js the build itself loads (resolved from the dist folder).
const tf = createRequire(resolve(dist, 'run.js'))('@tensorflow/tfjs');

await (await load('nn/tfjs/backend.js')).selectBackend('wasm', Number(threadsArg));
let kernelCalls = 0;
let stepKernelCalls = 0;
// The explicit step's own WebAssembly kernels (src/nn/tfjs/step-kernels.ts): every handle they make passes through owned().
const { KernelCalls } = await load('nn/tfjs/explicit-step.js').catch(() => ({}));
if (KernelCalls?.prototype.owned) {
  const owned = KernelCalls.prototype.owned;
  KernelCalls.prototype.owned = function (t) {
    stepKernelCalls++;
    return owned.call(this, t);
  };
}
for (const config of tf.getKernelsForBackend('wasm')) {
  const inner = config.kernelFunc;
  config.kernelFunc = (args) => {
    kernelCalls++;
    return inner(args);
  };
}

const { makeWorkload, nominalFlopsPerEpoch } = await load('bench/workload.js');
const { createEngine } = await load('nn/create-engine.js');
const w = makeWorkload();
const inputs = w.network.sizes[0];
const batchAt = (batch, k) => {
  const s = (k % Math.floor(w.samples / batch)) * batch;
  return { x: w.x.subarray(s * inputs, (s + batch) * inputs), y: w.y.subarray(s, s + batch), n: batch };
};
const engines = new Map();
for (const batch of sizes) {
  const engine = await createEngine('tfjs', w.network, w.sgd, w.params);
  engine.step(batchAt(batch, 0));
  const [before, beforeOwn] = [kernelCalls, stepKernelCalls];
  engine.step(batchAt(batch, 1));
  console.log(`batch ${batch}: ${kernelCalls - before} backend kernel calls and ${stepKernelCalls - beforeOwn} step-kernel calls per step`);
  engines.set(batch, engine);
}

if (rounds === 0) {
  for (const e of engines.values()) e.dispose();
  process.exit(0);
}
const epochMs = new Map(sizes.map((b) => [b, []]));
for (let r = 0; r < rounds; r++) {
  for (const batch of r % 2 === 0 ? sizes : [...sizes].reverse()) {
    const engine = engines.get(batch);
    const steps = Math.floor(w.samples / batch);
    const c0 = process.cpuUsage();
    for (let k = 0; k < steps; k++) engine.step(batchAt(batch, k));
    const c = process.cpuUsage(c0);
    epochMs.get(batch).push((c.user + c.system) / 1000);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const flops = nominalFlopsPerEpoch(w.network.sizes, w.samples);
const largest = Math.max(...sizes);
const gflops = (batch) => flops / median(epochMs.get(batch)) / 1e6;
console.log(`${rounds} rounds, ${threadsArg} thread(s), CPU time of one ${w.samples}-example epoch:`);
for (const batch of sizes) {
  const ms = epochMs.get(batch);
  console.log(
    `  batch ${String(batch).padStart(5)}: median ${median(ms).toFixed(1)} ms (min ${Math.min(...ms).toFixed(1)}), ` +
      `${gflops(batch).toFixed(2)} GFLOP/s, ${((100 * gflops(batch)) / gflops(largest)).toFixed(1)} % of batch ${largest}`,
  );
}
for (const e of engines.values()) e.dispose();
