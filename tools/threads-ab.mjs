/**
 * One training step of the article's network on wasm with 1 and with N threads (issue 15): the
 * measurement behind `--threads auto` (src/nn/tfjs/threads.ts). Each thread count runs in its own
 * process (the backend is set up once per process), the same steps from the same weights; it
 * prints wall ms per step and a hash of the parameters after the steps, which must agree.
 *
 *   npm run build && node tools/threads-ab.mjs [batchSizes=1,32,256,1000,4000] [threads=2]
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath, pathToFileURL } from 'node:url';
import path from 'node:path';

const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
const load = (file) => import(pathToFileURL(path.join(dist, file)).href);

if (process.argv[2] === '--child') {
  const [threads, batch] = process.argv.slice(3).map(Number);
  await (await load('nn/tfjs/backend.js')).selectBackend('wasm', threads);
  const w = (await load('bench/workload.js')).makeWorkload();
  const engine = await (await load('nn/create-engine.js')).createEngine('tfjs', w.network, w.sgd, w.params);
  const inputs = w.network.sizes[0];
  const perEpoch = Math.floor(w.samples / batch);
  const step = (k) => {
    const s = (k % perEpoch) * batch;
    engine.step({ x: w.x.subarray(s * inputs, (s + batch) * inputs), y: w.y.subarray(s, s + batch), n: batch });
  };
  // About a second or two of steps whatever the batch (each step's cost grows with the batch), after a warm-up.
  const steps = Math.max(15, Math.round(12000 / batch));
  const warmup = Math.max(5, Math.round(steps / 10));
  for (let k = 0; k < warmup; k++) step(k);
  const t0 = performance.now();
  for (let k = 0; k < steps; k++) step(warmup + k);
  const ms = (performance.now() - t0) / steps;
  const p = engine.getParams();
  const h = createHash('sha256');
  for (const a of [...p.weights, ...p.biases]) h.update(Buffer.from(a.buffer, a.byteOffset, a.byteLength));
  console.log(JSON.stringify({ ms, hash: h.digest('hex').slice(0, 12) }));
  process.exit(0);
}

const batches = (process.argv[2] ?? '1,32,256,1000,4000').split(',').map(Number);
const many = Number(process.argv[3] ?? 2);
console.log(`batch | 1 thread, ms/step | ${many} threads, ms/step | ${many} / 1 | same parameters`);
for (const batch of batches) {
  const run = (t) => JSON.parse(spawnSync(process.execPath, [fileURLToPath(import.meta.url), '--child', String(t), String(batch)], { encoding: 'utf8' }).stdout);
  const [one, more] = [run(1), run(many)];
  console.log(`${batch} | ${one.ms.toFixed(3)} | ${more.ms.toFixed(3)} | ${(more.ms / one.ms).toFixed(2)} | ${one.hash === more.hash ? 'yes' : 'NO'}`);
}
