/**
 * The hand-written engine with its WebAssembly SIMD kernels against the same engine with the plain
 * TypeScript kernels (`new HandwrittenMlp(..., 'float32', 'simd' | 'plain')`), in one process,
 * alternating: CPU time of an online (batch-1) SGD step (the whole-step kernel, online-step.ts) and
 * of a 1,000-example forward pass (the first-layer kernel) of the 7-layer network, then whether the
 * two engines' weights and outputs agree to the bit.
 *
 *   npm run build && node tools/first-layer-ab.mjs [rounds=3]
 */
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);
const { HandwrittenMlp } = await load('nn/handwritten/engine.js');
const w = (await load('bench/workload.js')).makeWorkload();
const rounds = Number(process.argv[2] ?? 3);
const inputs = w.network.sizes[0];
const engines = {
  plain: new HandwrittenMlp(w.network, w.params, 'float32', 'plain'),
  simd: new HandwrittenMlp(w.network, w.params, 'float32', 'simd'),
};
const sgd = { learningRate: 0.05, momentum: 0 };
const cpuMs = (f) => {
  const c0 = process.cpuUsage();
  f();
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1000;
};
const STEPS = 2000;
let next = { plain: 0, simd: 0 };
const steps = (name) => {
  for (let k = 0; k < STEPS; k++, next[name]++) {
    const r = next[name] % w.samples;
    engines[name].step({ x: w.x.subarray(r * inputs, (r + 1) * inputs), y: w.y.subarray(r, r + 1), n: 1 }, sgd);
  }
};
const forward = (name) => engines[name].forward(w.x, 1000);
for (const name of ['plain', 'simd']) forward(name);
console.log('round | online step, µs (plain / simd / ratio) | 1,000-example forward, ms (plain / simd / ratio)');
for (let round = 0; round < rounds; round++) {
  const order = round % 2 === 0 ? ['plain', 'simd'] : ['simd', 'plain'];
  const step = {};
  const fwd = {};
  for (const name of order) step[name] = (1000 * cpuMs(() => steps(name))) / STEPS;
  for (const name of order) fwd[name] = cpuMs(() => forward(name));
  console.log(
    `${round + 1} | ${step.plain.toFixed(0)} / ${step.simd.toFixed(0)} / ${(step.simd / step.plain).toFixed(2)} | ` +
      `${fwd.plain.toFixed(1)} / ${fwd.simd.toFixed(1)} / ${(fwd.simd / fwd.plain).toFixed(2)}`,
  );
}
const [a, b] = [engines.plain.getParams(), engines.simd.getParams()];
const sameWeights = a.weights.every((wa, k) => wa.every((v, t) => Object.is(v, b.weights[k][t])));
const oa = Float32Array.from(engines.plain.forward(w.x, 1000));
const ob = engines.simd.forward(w.x, 1000);
console.log(
  `same weights after ${next.plain} steps: ${sameWeights ? 'yes' : 'NO'}; same 1,000 outputs: ${oa.every((v, t) => Object.is(v, ob[t])) ? 'yes' : 'NO'}`,
);
