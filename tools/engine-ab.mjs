/**
 * A/B of two builds of the engines in ONE process (issue 15): how docs/benchmark.md measured
 * each change to a training step on a shared, loaded machine, where timings taken at different
 * times cannot be compared.
 *
 * Both builds' engines start from the benchmark's workload (src/bench/workload.ts) and take the
 * same batches in turn, alternating which goes first each round; each round reports the CPU time
 * per step (process.cpuUsage, which moves much less with the load than wall time) and the ratio
 * new / old. At the end the two engines have taken the same steps, so their parameters are
 * compared: 0 means the change left the numbers bit-identical.
 *
 *   npm run build && cp -r dist /tmp/dist-old      # the build before the change
 *   # ... change, npm run build ...
 *   node tools/engine-ab.mjs /tmp/dist-old dist tfjs 1 800 10
 *
 * Arguments: oldDist newDist [engine=tfjs|handwritten] [batch=1] [stepsPerRound=800] [rounds=10]
 * [hidden activation=sigmoid] [momentum=0] (the last two change the workload's network and SGD,
 * to check other routes of a step for bit-identity).
 * Plain JavaScript over the compiled dist folders, so two builds can be loaded side by side.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const [oldDist, newDist, kind = 'tfjs', batchArg = '1', stepsArg = '800', roundsArg = '10', hidden = 'sigmoid', momentumArg = '0'] =
  process.argv.slice(2);
if (!oldDist || !newDist) {
  console.error('usage: node tools/engine-ab.mjs oldDist newDist [tfjs|handwritten] [batch] [stepsPerRound] [rounds] [hidden] [momentum]');
  process.exit(2);
}
const batch = Number(batchArg);
const steps = Number(stepsArg);
const rounds = Number(roundsArg);
const load = (dist, file) => import(pathToFileURL(resolve(dist, file)).href);

if (kind === 'tfjs') await (await load(newDist, 'nn/tfjs/backend.js')).selectBackend('wasm');
const w = (await load(newDist, 'bench/workload.js')).makeWorkload();
w.network.hiddenActivation = hidden;
w.sgd.momentum = Number(momentumArg);
const engines = {};
for (const [name, dist] of [
  ['old', oldDist],
  ['new', newDist],
]) {
  engines[name] = await (await load(dist, 'nn/create-engine.js')).createEngine(kind, w.network, w.sgd, w.params);
}

const inputs = w.network.sizes[0];
const perEpoch = Math.floor(w.samples / batch);
const step = (engine, k) => {
  const s = (k % perEpoch) * batch;
  engine.step({ x: w.x.subarray(s * inputs, (s + batch) * inputs), y: w.y.subarray(s, s + batch), n: batch });
};
const warmup = Math.min(200, steps);
for (const e of Object.values(engines)) for (let k = 0; k < warmup; k++) step(e, k);

const cpuUs = { old: [], new: [] };
for (let r = 0; r < rounds; r++) {
  for (const name of r % 2 === 0 ? ['old', 'new'] : ['new', 'old']) {
    const c0 = process.cpuUsage();
    for (let k = 0; k < steps; k++) step(engines[name], warmup + r * steps + k);
    const c = process.cpuUsage(c0);
    cpuUs[name].push((c.user + c.system) / steps);
  }
}
const median = (v) => [...v].sort((a, b) => a - b)[v.length >> 1];
const ratios = cpuUs.new.map((v, i) => v / cpuUs.old[i]).sort((a, b) => a - b);
console.log(`${kind}, batch ${batch}, ${hidden}, momentum ${w.sgd.momentum}, ${rounds} rounds of ${steps} steps, CPU µs per step:`);
console.log(`  old: median ${median(cpuUs.old).toFixed(0)}, min ${Math.min(...cpuUs.old).toFixed(0)}`);
console.log(`  new: median ${median(cpuUs.new).toFixed(0)}, min ${Math.min(...cpuUs.new).toFixed(0)}`);
console.log(`  new / old per round: ${ratios.map((x) => x.toFixed(2)).join(' ')} (median ${median(ratios).toFixed(2)})`);
const po = engines.old.getParams();
const pn = engines.new.getParams();
let maxDiff = 0;
for (let l = 0; l < po.weights.length; l++) {
  for (let i = 0; i < po.weights[l].length; i++) maxDiff = Math.max(maxDiff, Math.abs(po.weights[l][i] - pn.weights[l][i]));
  for (let i = 0; i < po.biases[l].length; i++) maxDiff = Math.max(maxDiff, Math.abs(po.biases[l][i] - pn.biases[l][i]));
}
console.log(`  max |parameter difference| after the same steps: ${maxDiff}`);
for (const e of Object.values(engines)) e.dispose();
