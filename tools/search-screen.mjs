#!/usr/bin/env node
// The search's screen (stage A) as a table, while the later stages are still running: the hardest network's
// validation accuracy at its epoch of lowest validation loss, per cell and learning rate, the better of the two
// screening seeds (the rules' "learns at a point": on either seed), with how each run stopped.
//
//   node tools/search-screen.mjs SEARCH_OUT [OUT_CSV]
//
// SEARCH_OUT is a `node dist/run.js search --out` folder whose stage A is complete (A/runs/<id>/result.json, each
// checked for the fields used here). The search itself writes matrix.csv and its heat maps only when every stage has
// run; this is the screen alone, labelled as such. Validation accuracy only: the screen never chooses on the test set.
import fs from 'node:fs';
import path from 'node:path';

function fail(message) {
  console.error(`search-screen: ${message}`);
  process.exit(1);
}

// "Learns" is the registered threshold, read from its one home rather than copied here.
const RULES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'configs', 'rules', 'search.json');
const LEARNS = JSON.parse(fs.readFileSync(RULES, 'utf8'))?.learns?.threshold;
if (!(typeof LEARNS === 'number' && LEARNS > 0 && LEARNS < 1)) fail(`${RULES}: learns.threshold is not a fraction`);

const [outDir, csvPath] = process.argv.slice(2);
if (!outDir) fail('usage: node tools/search-screen.mjs SEARCH_OUT [OUT_CSV]');
const runsDir = path.join(outDir, 'A', 'runs');
if (!fs.existsSync(runsDir)) fail(`${runsDir}: no stage A runs here`);

const rows = [];
for (const id of fs.readdirSync(runsDir).sort()) {
  const file = path.join(runsDir, id, 'result.json');
  if (!fs.existsSync(file)) continue; // an unfinished run's folder is temporary
  let r;
  try {
    r = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    fail(`${file}: not JSON`);
  }
  const c = r?.config;
  const ok =
    r?.kind === 'train' &&
    Number.isInteger(r.seed) &&
    Array.isArray(r.history) &&
    r.history.length > 0 &&
    c &&
    Number.isFinite(c.learningRate) &&
    Number.isInteger(c.batchSize) &&
    typeof c.name === 'string';
  if (!ok) fail(`${file}: not a training record of the search (kind, seed, history, config)`);
  const m = /^(b\d+-.+)-([a-z]+\d+)-lr[0-9.e-]+$/.exec(c.name);
  if (!m) fail(`${file}: run name "${c.name}" is not <cell>-<network>-lr<rate>`);
  let best = null;
  for (const h of r.history) if (Number.isFinite(h.valLoss) && (!best || h.valLoss < best.valLoss)) best = h;
  if (!best || !Number.isFinite(best.valAccuracy)) fail(`${file}: no epoch with a validation loss and accuracy`);
  rows.push({
    cell: m[1],
    network: m[2],
    batch_size: c.batchSize,
    learning_rate: c.learningRate,
    seed: r.seed,
    best_epoch: best.epoch,
    val_acc_at_best: best.valAccuracy,
    stop_reason: r.stopReason ?? 'fixed',
    stop_epoch: r.stopEpoch ?? r.history[r.history.length - 1].epoch,
    learned: best.valAccuracy >= LEARNS,
  });
}
if (rows.length === 0) fail(`${runsDir}: no finished run`);

const cells = [...new Set(rows.map((r) => r.cell))].sort();
const rates = [...new Set(rows.map((r) => r.learning_rate))].sort((a, b) => a - b);
const pad = (s, n) => String(s).padStart(n);
console.log(`Stage A (${rows.length} runs): best validation accuracy (%) over the screening seeds; * learns (>= ${100 * LEARNS} %)`);
console.log(`${'cell'.padEnd(26)}${rates.map((r) => pad(r, 9)).join('')}`);
for (const cell of cells) {
  const line = rates.map((lr) => {
    const at = rows.filter((r) => r.cell === cell && r.learning_rate === lr);
    if (at.length === 0) return pad('-', 9);
    const acc = Math.max(...at.map((r) => r.val_acc_at_best));
    return pad(`${(100 * acc).toFixed(1)}${acc >= LEARNS ? '*' : ' '}`, 9);
  });
  console.log(`${cell.padEnd(26)}${line.join('')}`);
}
const reasons = {};
for (const r of rows.filter((x) => !x.learned)) reasons[r.stop_reason] = (reasons[r.stop_reason] ?? 0) + 1;
console.log(`runs that did not learn, by stop reason: ${JSON.stringify(reasons)}`);

if (csvPath) {
  const cols = Object.keys(rows[0]);
  const text = [cols.join(','), ...rows.map((r) => cols.map((k) => r[k]).join(','))].join('\n') + '\n';
  fs.mkdirSync(path.dirname(csvPath), { recursive: true });
  fs.writeFileSync(`${csvPath}.tmp`, text);
  fs.renameSync(`${csvPath}.tmp`, csvPath); // never a half-written table
  console.log(`wrote ${csvPath}`);
}
