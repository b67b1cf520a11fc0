#!/usr/bin/env node
// Every run of a search folder as one table, for spreadsheets, with two views printed: the screen (stage A: the
// hardest network's validation accuracy at its epoch of lowest validation loss, per cell and learning rate, the
// better of the two screening seeds, the rules' "learns at a point": on either seed) and the promoted seeds (stage D:
// per promoted cell, network and rate, on how many seeds it learns and how many runs reached the maximum epoch).
//
//   node tools/search-runs.mjs SEARCH_OUT [OUT_CSV]
//
// SEARCH_OUT is a `node dist/run.js search --out` folder; every stage folder in it (A, B, audit, extend, B2, D, and
// the check's check/) is read, each run's result.json checked for the fields used here. Works while later stages are
// still running. Validation accuracy only: the test accuracies of the promoted runs are stage E's (E/<cell>-<arm>/).
import fs from 'node:fs';
import path from 'node:path';

function fail(message) {
  console.error(`search-runs: ${message}`);
  process.exit(1);
}

// "Learns" is the registered threshold, read from its one home rather than copied here.
const RULES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'configs', 'rules', 'search.json');
const LEARNS = JSON.parse(fs.readFileSync(RULES, 'utf8'))?.learns?.threshold;
if (!(typeof LEARNS === 'number' && LEARNS > 0 && LEARNS < 1)) fail(`${RULES}: learns.threshold is not a fraction`);

const [outDir, csvPath] = process.argv.slice(2);
if (!outDir) fail('usage: node tools/search-runs.mjs SEARCH_OUT [OUT_CSV]');
if (!fs.existsSync(path.join(outDir, 'A', 'runs'))) fail(`${path.join(outDir, 'A', 'runs')}: no stage A runs here`);

const STAGES = ['A', 'B', 'audit', 'extend', 'B2', 'D', 'check'];
const rows = [];
for (const stage of STAGES) {
  const runsDir = path.join(outDir, stage, 'runs');
  if (!fs.existsSync(runsDir)) continue; // a stage with no run has no folder
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
      Number.isInteger(c.epochs) &&
      typeof c.name === 'string';
    if (!ok) fail(`${file}: not a training record of the search (kind, seed, history, config)`);
    const m = /^(b\d+-.+)-([a-z]+\d+)-lr[0-9.e-]+(-full)?$/.exec(c.name);
    if (!m) fail(`${file}: run name "${c.name}" is not <cell>-<network>-lr<rate>[-full]`);
    let best = null;
    for (const h of r.history) if (Number.isFinite(h.valLoss) && (!best || h.valLoss < best.valLoss)) best = h;
    if (!best || !Number.isFinite(best.valAccuracy)) fail(`${file}: no epoch with a validation loss and accuracy`);
    rows.push({
      stage,
      cell: m[1],
      network: m[2],
      batch_size: c.batchSize,
      learning_rate: c.learningRate,
      seed: r.seed,
      max_epochs: c.epochs,
      best_epoch: best.epoch,
      val_acc_at_best: best.valAccuracy,
      stop_reason: r.stopReason ?? 'fixed',
      stop_epoch: r.stopEpoch ?? r.history[r.history.length - 1].epoch,
      learned: best.valAccuracy >= LEARNS,
    });
  }
}
if (rows.length === 0) fail(`${outDir}: no finished run`);

const screen = rows.filter((r) => r.stage === 'A');
const cells = [...new Set(screen.map((r) => r.cell))].sort();
const rates = [...new Set(screen.map((r) => r.learning_rate))].sort((a, b) => a - b);
const pad = (s, n) => String(s).padStart(n);
console.log(`Stage A (${screen.length} runs): best validation accuracy (%) over the screening seeds; * learns (>= ${100 * LEARNS} %)`);
console.log(`${'cell'.padEnd(26)}${rates.map((r) => pad(r, 9)).join('')}`);
for (const cell of cells) {
  const line = rates.map((lr) => {
    const at = screen.filter((r) => r.cell === cell && r.learning_rate === lr);
    if (at.length === 0) return pad('-', 9);
    const acc = Math.max(...at.map((r) => r.val_acc_at_best));
    return pad(`${(100 * acc).toFixed(1)}${acc >= LEARNS ? '*' : ' '}`, 9);
  });
  console.log(`${cell.padEnd(26)}${line.join('')}`);
}
const reasons = {};
for (const r of screen.filter((x) => !x.learned)) reasons[r.stop_reason] = (reasons[r.stop_reason] ?? 0) + 1;
console.log(`runs that did not learn, by stop reason: ${JSON.stringify(reasons)}`);


const d = rows.filter((r) => r.stage === 'D');
if (d.length > 0) {
  console.log('');
  console.log(`Stage D (${d.length} runs): per promoted cell, network and rate, over its seeds`);
  console.log(`${'cell'.padEnd(20)}${'network'.padEnd(10)}${'rate'.padStart(7)}${'learns'.padStart(8)}${'val acc %'.padStart(11)}${'best epoch'.padStart(12)}${'at max'.padStart(8)}`);
  const keys = [...new Set(d.map((r) => `${r.cell}|${r.network}|${r.learning_rate}`))];
  for (const key of keys) {
    const at = d.filter((r) => `${r.cell}|${r.network}|${r.learning_rate}` === key);
    const [cell, network, lr] = key.split('|');
    const mean = (xs) => xs.reduce((s, x) => s + x, 0) / xs.length;
    const epochs = at.map((r) => r.best_epoch).sort((a, b) => a - b);
    const median = epochs.length % 2 ? epochs[(epochs.length - 1) / 2] : (epochs[epochs.length / 2 - 1] + epochs[epochs.length / 2]) / 2;
    const line = [
      cell.padEnd(20),
      network.padEnd(10),
      pad(lr, 7),
      pad(`${at.filter((r) => r.learned).length}/${at.length}`, 8),
      pad((100 * mean(at.map((r) => r.val_acc_at_best))).toFixed(1), 11),
      pad(median, 12),
      pad(`${at.filter((r) => r.stop_reason === 'maximum').length}/${at.length}`, 8),
    ];
    console.log(line.join(''));
  }
}

if (csvPath) {
  const cols = Object.keys(rows[0]);
  const text = [cols.join(','), ...rows.map((r) => cols.map((k) => r[k]).join(','))].join('\n') + '\n';
  fs.mkdirSync(path.dirname(csvPath), { recursive: true });
  fs.writeFileSync(`${csvPath}.tmp`, text);
  fs.renameSync(`${csvPath}.tmp`, csvPath); // never a half-written table
  console.log(`wrote ${csvPath}`);
}
