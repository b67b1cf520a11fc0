/**
 * EXPERIMENT (issue 15, "one run uses both cores", route b): NOT wired into training.
 *
 * Synchronous data-parallel SGD over worker_threads: each of W workers holds a TensorFlow.js
 * wasm engine with the same parameters, computes the gradients of its share of the batch with
 * the engine's autodiff (engine.gradients), writes them into a SharedArrayBuffer, and after a
 * barrier every worker sums the W slots in the same fixed order (slot 0, 1, ...), weighted by
 * the share sizes, applies the same SGD update in JavaScript and uploads the parameters
 * (engine.setParams). Same W gives the same numbers on every run; W = 1 differs from the
 * single-thread engine's step only by float32 rounding.
 *
 * It measures, in one process and one run: ms per step of the ordinary engine.step (one
 * thread) against this scheme with W workers, for each batch size, and checks determinism
 * (two runs with W workers, bit for bit) and agreement with engine.step.
 *
 *   npx tsx tools/data-parallel-experiment.ts [batchSizes=32,4000] [workers=2] [steps=20]
 */
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from '../src/nn/tfjs/backend.js';
import { createEngine } from '../src/nn/create-engine.js';
import { makeWorkload } from '../src/bench/workload.js';
import type { Params } from '../src/nn/params.js';

/** Steps before the clock starts (kernel setup, buffer growth). */
const WARMUP = 3;

interface Job {
  worker: number;
  workers: number;
  batchSize: number;
  steps: number;
  sab: SharedArrayBuffer;
  barrier: SharedArrayBuffer;
}

function paramCount(p: Params): number {
  return p.weights.reduce((s, w) => s + w.length, 0) + p.biases.reduce((s, b) => s + b.length, 0);
}

function flatten(p: Params, out: Float32Array): void {
  let o = 0;
  for (let l = 0; l < p.weights.length; l++) {
    out.set(p.weights[l], o);
    o += p.weights[l].length;
    out.set(p.biases[l], o);
    o += p.biases[l].length;
  }
}

function unflattenInto(flat: Float32Array, p: Params): void {
  let o = 0;
  for (let l = 0; l < p.weights.length; l++) {
    p.weights[l].set(flat.subarray(o, o + p.weights[l].length));
    o += p.weights[l].length;
    p.biases[l].set(flat.subarray(o, o + p.biases[l].length));
    o += p.biases[l].length;
  }
}

/** A reusable barrier over Int32Array [arrived, generation]. */
function barrierWait(b: Int32Array, parties: number): void {
  const gen = Atomics.load(b, 1);
  if (Atomics.add(b, 0, 1) === parties - 1) {
    Atomics.store(b, 0, 0);
    Atomics.add(b, 1, 1);
    Atomics.notify(b, 1);
  } else {
    while (Atomics.load(b, 1) === gen) Atomics.wait(b, 1, gen);
  }
}

/** One share of a batch: rows [start, start + n). Shares differ by at most one row; fixed by (batch, W, worker). */
function share(batchStart: number, batchSize: number, workers: number, w: number): { start: number; n: number } {
  const base = Math.floor(batchSize / workers);
  const extra = batchSize % workers;
  const n = base + (w < extra ? 1 : 0);
  const start = batchStart + w * base + Math.min(w, extra);
  return { start, n };
}

async function workerMain(job: Job): Promise<void> {
  await selectBackend('wasm');
  const wl = makeWorkload(4000);
  const engine = createEngine('tfjs', wl.network, wl.sgd, wl.params);
  const inputs = wl.network.sizes[0];
  const params = engine.getParams();
  const P = paramCount(params);
  const slots = new Float32Array(job.sab);
  const b = new Int32Array(job.barrier);
  const total = new Float32Array(P);
  const flat = new Float32Array(P);
  flatten(params, flat);
  const steps = Math.ceil(4000 / job.batchSize);
  let t0 = performance.now();
  let c0 = process.cpuUsage();
  for (let s = 0; s < job.steps; s++) {
    if (s === WARMUP) {
      t0 = performance.now();
      c0 = process.cpuUsage();
    }
    const batchStart = (s % steps) * job.batchSize;
    const bs = Math.min(job.batchSize, 4000 - batchStart);
    const { start, n } = share(batchStart, bs, job.workers, job.worker);
    const g = engine.gradients({ x: wl.x.subarray(start * inputs, (start + n) * inputs), y: wl.y.subarray(start, start + n), n });
    flatten(g, slots.subarray(job.worker * P, (job.worker + 1) * P));
    barrierWait(b, job.workers);
    // Fixed reduction order: slot 0, then 1, ...; each share's mean gradient weighted by its size.
    total.fill(0);
    for (let w = 0; w < job.workers; w++) {
      const weight = share(batchStart, bs, job.workers, w).n / bs;
      const slot = slots.subarray(w * P, (w + 1) * P);
      for (let k = 0; k < P; k++) total[k] += weight * slot[k];
    }
    for (let k = 0; k < P; k++) flat[k] -= wl.sgd.learningRate * total[k];
    unflattenInto(flat, params);
    engine.setParams(params);
    barrierWait(b, job.workers); // nobody overwrites a slot before every worker has read it
  }
  const ms = (performance.now() - t0) / (job.steps - WARMUP);
  parentPort!.postMessage({ ms, params: job.worker === 0 ? flat : null });
  engine.dispose();
}

async function runParallel(batchSize: number, workers: number, steps: number): Promise<{ ms: number; flat: Float32Array }> {
  const wl = makeWorkload(4000);
  const P = paramCount(wl.params);
  const sab = new SharedArrayBuffer(4 * P * workers);
  const barrier = new SharedArrayBuffer(8);
  // Workers load this file through tsx's loader (registered inside the worker: --import does not reach workers).
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const results = await Promise.all(
    Array.from({ length: workers }, (_, worker) => {
      const job: Job = { worker, workers, batchSize, steps, sab, barrier };
      return new Promise<{ ms: number; params: Float32Array | null }>((resolve, reject) => {
        const w = new Worker(boot, { eval: true, workerData: job });
        w.once('message', resolve);
        w.once('error', reject);
      });
    }),
  );
  return { ms: Math.max(...results.map((r) => r.ms)), flat: results[0].params! };
}

async function runSingle(batchSize: number, steps: number): Promise<{ ms: number; flat: Float32Array }> {
  await selectBackend('wasm');
  const wl = makeWorkload(4000);
  const engine = createEngine('tfjs', wl.network, wl.sgd, wl.params);
  const inputs = wl.network.sizes[0];
  const per = Math.ceil(4000 / batchSize);
  let t0 = performance.now();
  for (let s = 0; s < steps; s++) {
    if (s === WARMUP) t0 = performance.now();
    const start = (s % per) * batchSize;
    const n = Math.min(batchSize, 4000 - start);
    engine.step({ x: wl.x.subarray(start * inputs, (start + n) * inputs), y: wl.y.subarray(start, start + n), n });
  }
  const ms = (performance.now() - t0) / (steps - WARMUP);
  const flat = new Float32Array(paramCount(wl.params));
  flatten(engine.getParams(), flat);
  engine.dispose();
  return { ms, flat };
}

/**
 * The load-independent part: CPU ms of one engine.step on the whole batch against one worker's
 * work per step (gradients of half the batch, the exchange's copies and reduction in
 * JavaScript, the parameter upload), in one thread. Their ratio bounds the 2-worker speed-up
 * from above (waiting at the barriers comes on top).
 */
async function costModel(batchSize: number, steps: number): Promise<string> {
  await selectBackend('wasm');
  const wl = makeWorkload(4000);
  const engine = createEngine('tfjs', wl.network, wl.sgd, wl.params);
  const inputs = wl.network.sizes[0];
  const params = engine.getParams();
  const P = paramCount(params);
  const flat = new Float32Array(P);
  const slot = new Float32Array(2 * P);
  const cpu = (): number => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  const half = Math.floor(batchSize / 2);
  const batch = (n: number) => ({ x: wl.x.subarray(0, n * inputs), y: wl.y.subarray(0, n), n });
  const parts = { step: 0, gradients: 0, exchange: 0, upload: 0 };
  for (let s = 0; s < steps + WARMUP; s++) {
    const c0 = cpu();
    engine.step(batch(batchSize));
    const c1 = cpu();
    const g = engine.gradients(batch(half));
    const c2 = cpu();
    flatten(g, slot.subarray(0, P));
    for (let k = 0; k < P; k++) flat[k] -= wl.sgd.learningRate * (0.5 * slot[k] + 0.5 * slot[P + k]);
    unflattenInto(flat, params);
    const c3 = cpu();
    engine.setParams(params);
    const c4 = cpu();
    if (s >= WARMUP) {
      parts.step += (c1 - c0) / steps;
      parts.gradients += (c2 - c1) / steps;
      parts.exchange += (c3 - c2) / steps;
      parts.upload += (c4 - c3) / steps;
    }
  }
  engine.dispose();
  const worker = parts.gradients + parts.exchange + parts.upload;
  return (
    `CPU ms per step: engine.step(${batchSize}) ${parts.step.toFixed(2)}; one worker: gradients(${half}) ${parts.gradients.toFixed(2)} + ` +
    `exchange ${parts.exchange.toFixed(2)} + setParams ${parts.upload.toFixed(2)} = ${worker.toFixed(2)}; ` +
    `2-worker speed-up bound ${(parts.step / worker).toFixed(2)}x`
  );
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let d = 0;
  for (let i = 0; i < a.length; i++) d = Math.max(d, Math.abs(a[i] - b[i]));
  return d;
}

if (!isMainThread) {
  await workerMain(workerData as Job);
} else {
  const batchSizes = (process.argv[2] ?? '32,4000').split(',').map(Number);
  const workers = Number(process.argv[3] ?? 2);
  const steps = Number(process.argv[4] ?? 20);
  for (const bs of batchSizes) {
    console.log(`batch ${bs}: ${await costModel(bs, steps)}`);
    const single = await runSingle(bs, steps);
    const a = await runParallel(bs, workers, steps);
    const b = await runParallel(bs, workers, steps);
    const single2 = await runSingle(bs, steps);
    const singleMs = Math.min(single.ms, single2.ms);
    const parMs = Math.min(a.ms, b.ms);
    console.log(
      `batch ${bs}, ${steps} steps: engine.step ${singleMs.toFixed(2)} ms/step; ${workers} workers ${parMs.toFixed(2)} ms/step ` +
        `(speed-up ${(singleMs / parMs).toFixed(2)}x); two ${workers}-worker runs identical: ${maxDiff(a.flat, b.flat) === 0}; ` +
        `max |param diff| against engine.step: ${maxDiff(a.flat, single.flat).toExponential(2)}`,
    );
  }
}
