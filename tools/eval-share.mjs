#!/usr/bin/env node
// Evaluation's share of a sweep's run time: every runs/<id>/summary.csv under a folder (a reproduce, study,
// explain or search output), summed per stage folder and in all. `seconds` is a run's training and evaluation
// time, `eval_seconds` the part of it spent scoring sets (docs/files.md).
//   node tools/eval-share.mjs outputs/reproduce
import fs from 'node:fs';
import path from 'node:path';
// The project's own CSV reader (quoted cells included), from the build that npm install makes.
import { parseCsv } from '../dist/util/csv.js';

const root = process.argv[2];
if (!root || !fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
  console.error('usage: node tools/eval-share.mjs OUTPUT_FOLDER (a folder holding runs/<id>/summary.csv)');
  process.exit(2);
}

/** A cell as a number; an empty or missing cell is not a zero. */
const num = (cell) => (cell === undefined || cell.trim() === '' ? NaN : Number(cell));

/** The two columns of a one-row summary.csv, or null when it is not one. */
function readSummary(file) {
  const rows = parseCsv(fs.readFileSync(file, 'utf8'));
  if (rows.length !== 1) return null;
  const seconds = num(rows[0].seconds);
  const evalSeconds = num(rows[0].eval_seconds);
  return Number.isFinite(seconds) && Number.isFinite(evalSeconds) ? { seconds, evalSeconds } : null;
}

const stages = new Map();
function walk(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const sub = path.join(dir, entry.name);
    if (entry.name === 'runs') {
      const stage = path.relative(root, dir) || '.';
      for (const id of fs.readdirSync(sub)) {
        const file = path.join(sub, id, 'summary.csv');
        if (!fs.existsSync(file)) continue;
        const s = readSummary(file);
        if (!s) {
          console.error(`${file}: not a one-row summary.csv with seconds and eval_seconds`);
          process.exit(1);
        }
        const t = stages.get(stage) ?? { runs: 0, seconds: 0, evalSeconds: 0 };
        t.runs += 1;
        t.seconds += s.seconds;
        t.evalSeconds += s.evalSeconds;
        stages.set(stage, t);
      }
    } else walk(sub);
  }
}
walk(root);
if (stages.size === 0) {
  console.error(`${root}: no runs/<id>/summary.csv found`);
  process.exit(1);
}
const all = { runs: 0, seconds: 0, evalSeconds: 0 };
console.log('stage | runs | run seconds | evaluation seconds | evaluation share');
for (const [stage, t] of [...stages].sort()) {
  all.runs += t.runs;
  all.seconds += t.seconds;
  all.evalSeconds += t.evalSeconds;
  console.log(
    `${stage} | ${t.runs} | ${t.seconds.toFixed(1)} | ${t.evalSeconds.toFixed(1)} | ${((100 * t.evalSeconds) / t.seconds).toFixed(1)} %`,
  );
}
console.log(
  `all | ${all.runs} | ${all.seconds.toFixed(1)} | ${all.evalSeconds.toFixed(1)} | ${((100 * all.evalSeconds) / all.seconds).toFixed(1)} %`,
);
