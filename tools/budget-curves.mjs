#!/usr/bin/env node
// What the training budget and a patience rule do to a run's reported figure, from histories that were trained long.
//
//   node tools/budget-curves.mjs RUNS_DIR [OUT_DIR]
//
// RUNS_DIR holds one folder per run (`<config>-s<seed>/history.csv`, as `node dist/run.js --config ... --out` writes
// them). For each run the script replays what a shorter run would have reported: the test accuracy at the epoch of
// lowest validation loss among epochs 0..B (the project's primary figure; the first epoch wins a tie), for budgets
// B = 40, 100, 200 and the whole history; and what an early-stopping rule "stop when validation loss has not been
// strictly lower than its best for P epochs, or at the maximum M" would have reported, for several P. Replaying is
// exact for budgets and rules that end at or before the history's last epoch, because training up to an epoch does
// not depend on when it will stop. It prints two tables (means over seeds per configuration) and, with OUT_DIR,
// writes them as budget.csv and patience.csv.
import fs from 'node:fs';
import path from 'node:path';
// The project's own CSV reader (quoted cells included), from the build that npm install makes.
import { parseCsv } from '../dist/util/csv.js';

const BUDGETS = [40, 100, 200];
const PATIENCES = [10, 20, 30, 50, 100];

function readHistory(file) {
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  if (rows.length === 0) throw new Error(`${file}: no rows`);
  for (const name of ['epoch', 'val_loss', 'test_acc', 'val_acc', 'train_acc']) {
    if (!(name in rows[0])) throw new Error(`${file}: no column "${name}"`);
  }
  // An empty cell is a set not scored at that epoch ("when-needed" evaluation), not a zero.
  const num = (cell) => (cell === undefined || cell.trim() === '' ? NaN : Number(cell));
  return rows.map((r) => ({
    epoch: num(r.epoch),
    valLoss: num(r.val_loss),
    testAcc: num(r.test_acc),
    valAcc: num(r.val_acc),
    trainAcc: num(r.train_acc),
  }));
}

/** The record a run that ended after epoch `last` reports: lowest validation loss so far, first one on a tie. */
function chosenUpTo(history, last) {
  let best = history[0];
  for (const h of history) {
    if (h.epoch > last) break;
    if (h.valLoss < best.valLoss) best = h;
  }
  return best;
}

/**
 * Where the patience rule stops (the epoch after which training ends) and why; with `fraction`, the patience grows to
 * ceil(fraction x the best epoch) when that is longer, as the training loop's `patienceFraction` does.
 */
function stopByPatience(history, patience, maximum, fraction = 0) {
  let best = history[0];
  for (const h of history) {
    if (h.epoch > maximum) break;
    if (h.valLoss < best.valLoss) best = h;
    if (h.epoch - best.epoch >= Math.max(patience, Math.ceil(fraction * best.epoch)))
      return { stopEpoch: h.epoch, reason: 'patience', chosen: best };
    if (h.epoch === maximum) return { stopEpoch: h.epoch, reason: 'maximum', chosen: best };
  }
  return { stopEpoch: NaN, reason: 'history too short', chosen: best };
}

const mean = (xs) => xs.reduce((a, b) => a + b, 0) / xs.length;
/** Mean of the scored values only (NaN when none was scored). */
const meanScored = (xs) => mean(xs.filter((x) => !Number.isNaN(x)));
const pct = (x) => (100 * x).toFixed(1);

const [runsDir, outDir] = process.argv.slice(2);
if (!runsDir) {
  console.error('usage: node tools/budget-curves.mjs RUNS_DIR [OUT_DIR]');
  process.exit(2);
}
const runs = [];
for (const name of fs.readdirSync(runsDir).sort()) {
  const m = /^(.+)-s(\d+)$/.exec(name);
  const file = path.join(runsDir, name, 'history.csv');
  if (!m || !fs.existsSync(path.join(runsDir, name, 'summary.csv'))) continue; // unfinished runs are left out
  runs.push({ config: m[1], seed: Number(m[2]), history: readHistory(file) });
}
if (runs.length === 0) {
  console.error(`${runsDir}: no finished runs (folders <config>-s<seed> with summary.csv)`);
  process.exit(1);
}
const maxEpoch = Math.min(...runs.map((r) => r.history[r.history.length - 1].epoch));
const configs = [...new Set(runs.map((r) => r.config))].sort();
const budgets = [...BUDGETS.filter((b) => b < maxEpoch), maxEpoch];

const budgetRows = [];
for (const config of configs) {
  const rs = runs.filter((r) => r.config === config);
  for (const b of budgets) {
    const chosen = rs.map((r) => chosenUpTo(r.history, b));
    const full = rs.map((r) => chosenUpTo(r.history, maxEpoch));
    budgetRows.push({
      config,
      seeds: rs.length,
      budget: b,
      test_acc: mean(chosen.map((c) => c.testAcc)),
      val_acc: mean(chosen.map((c) => c.valAcc)),
      chosen_epoch: mean(chosen.map((c) => c.epoch)),
      // Still learning at this budget: a later epoch of the long run has a lower validation loss.
      still_learning: mean(full.map((f) => (f.epoch > b ? 1 : 0))),
      // Runs with "when-needed" evaluation score the training set only at their chosen and final epochs.
      train_acc_at_chosen: meanScored(chosen.map((c) => c.trainAcc)),
    });
  }
}

const patienceRows = [];
for (const config of configs) {
  const rs = runs.filter((r) => r.config === config);
  const full = rs.map((r) => chosenUpTo(r.history, maxEpoch));
  for (const p of PATIENCES) {
    const stops = rs.map((r) => stopByPatience(r.history, p, maxEpoch));
    patienceRows.push({
      config,
      seeds: rs.length,
      patience: p,
      maximum: maxEpoch,
      stop_epoch: mean(stops.map((s) => s.stopEpoch)),
      share_at_maximum: mean(stops.map((s) => (s.reason === 'maximum' ? 1 : 0))),
      test_acc: mean(stops.map((s) => s.chosen.testAcc)),
      // What stopping early gave up against the whole history, in points of test accuracy.
      loss_vs_full_points: 100 * mean(stops.map((s, i) => full[i].testAcc - s.chosen.testAcc)),
      val_acc: mean(stops.map((s) => s.chosen.valAcc)),
    });
  }
}

// The registered rule's form, max(P, ceil(0.5 x best epoch)), for P = 10, 20, ... 100: in how many runs it chooses
// another epoch than the whole history does (configs/rules/README.md decides version 3's P from this table).
const RULE_FRACTION = 0.5;
const ruleRows = [];
for (let p = 10; p <= 100; p += 10) {
  const missed = [];
  let lost = 0;
  let stopSum = 0;
  for (const r of runs) {
    const full = chosenUpTo(r.history, maxEpoch);
    const stop = stopByPatience(r.history, p, maxEpoch, RULE_FRACTION);
    stopSum += stop.stopEpoch;
    if (stop.chosen.epoch !== full.epoch) {
      missed.push(
        `${r.config}-s${r.seed} (epoch ${stop.chosen.epoch} not ${full.epoch}, ${(100 * (full.testAcc - stop.chosen.testAcc)).toFixed(2)} points)`,
      );
      lost += full.testAcc - stop.chosen.testAcc;
    }
  }
  ruleRows.push({
    patience_min: p,
    fraction: RULE_FRACTION,
    runs: runs.length,
    runs_choosing_another_epoch: missed.length,
    mean_points_lost: (100 * lost) / runs.length,
    mean_stop_epoch: stopSum / runs.length,
    missed: missed.join('; '),
  });
}

console.log(`${runs.length} runs, ${configs.length} configurations, histories to epoch ${maxEpoch}\n`);
console.log('budget: test accuracy at the lowest validation loss within the first B epochs (mean over seeds)');
console.log('config      B    test %  val %  chosen ep  still learning  train % at chosen');
for (const r of budgetRows) {
  console.log(
    `${r.config.padEnd(10)} ${String(r.budget).padStart(4)}  ${pct(r.test_acc).padStart(6)} ${pct(r.val_acc).padStart(6)}  ${r.chosen_epoch.toFixed(1).padStart(9)}  ${pct(r.still_learning).padStart(13)} %  ${pct(r.train_acc_at_chosen).padStart(8)}`,
  );
}
console.log(`\npatience P (maximum ${maxEpoch}): stop when validation loss has not been lower than its best for P epochs`);
console.log('config      P    stop ep  at max  test %  points lost vs whole history');
for (const r of patienceRows) {
  console.log(
    `${r.config.padEnd(10)} ${String(r.patience).padStart(4)}  ${r.stop_epoch.toFixed(1).padStart(7)}  ${pct(r.share_at_maximum).padStart(5)} %  ${pct(r.test_acc).padStart(6)}  ${r.loss_vs_full_points.toFixed(2).padStart(6)}`,
  );
}
console.log(
  `\nthe rule max(P, ceil(${RULE_FRACTION} x best epoch)), maximum ${maxEpoch}: runs that would report another epoch than the whole history`,
);
console.log('   P  runs  another epoch  mean points lost  mean stop epoch');
for (const r of ruleRows) {
  console.log(
    `${String(r.patience_min).padStart(4)}  ${String(r.runs).padStart(4)}  ${String(r.runs_choosing_another_epoch).padStart(13)}  ${r.mean_points_lost.toFixed(3).padStart(16)}  ${r.mean_stop_epoch.toFixed(1).padStart(15)}${r.missed ? `  ${r.missed}` : ''}`,
  );
}
if (outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  const toCsv = (rows) => [Object.keys(rows[0]).join(','), ...rows.map((r) => Object.values(r).join(','))].join('\n') + '\n';
  fs.writeFileSync(path.join(outDir, 'budget.csv'), toCsv(budgetRows));
  fs.writeFileSync(path.join(outDir, 'patience.csv'), toCsv(patienceRows));
  const quoted = ruleRows.map((r) => ({ ...r, missed: `"${r.missed}"` }));
  fs.writeFileSync(path.join(outDir, 'rule.csv'), toCsv(quoted));
  console.log(`\nwrote ${path.join(outDir, 'budget.csv')}, patience.csv and rule.csv`);
}
