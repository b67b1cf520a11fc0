#!/usr/bin/env node
// Wall time of a long command that ran in several sessions (stopped and resumed): every sessions.json under an output
// folder (a reproduce, study or search folder; each stage or phase folder keeps one), per folder and in all. A session
// is one process's share of a stage: its start, its last update, the runs it completed, and the machine's 5-minute load
// average when it began (a loaded machine's wall time is not the command's cost).
//   node tools/sessions-time.mjs outputs/search
import fs from 'node:fs';
import path from 'node:path';

const root = process.argv[2];
if (!root || !fs.existsSync(root) || !fs.statSync(root).isDirectory()) {
  console.error('usage: node tools/sessions-time.mjs OUTPUT_FOLDER (a folder holding sessions.json files)');
  process.exit(2);
}

/** The sessions of one sessions.json, each checked for the fields read here. */
function readSessions(file) {
  let list;
  try {
    list = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    console.error(`${file}: not JSON (${e.message})`);
    process.exit(1);
  }
  const ok = (s) =>
    s &&
    typeof s === 'object' &&
    Number.isFinite(s.wallSeconds) &&
    s.wallSeconds >= 0 &&
    Number.isInteger(s.jobsCompleted) &&
    typeof s.startedAt === 'string';
  if (!Array.isArray(list) || !list.every(ok)) {
    console.error(`${file}: not a list of sessions with wallSeconds, jobsCompleted and startedAt`);
    process.exit(1);
  }
  return list;
}

const folders = [];
function walk(dir) {
  const file = path.join(dir, 'sessions.json');
  if (fs.existsSync(file)) folders.push({ name: path.relative(root, dir) || '.', sessions: readSessions(file) });
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    // A run's or probe's own folder holds no sessions; skipping them keeps the walk short on folders of thousands.
    if (entry.isDirectory() && entry.name !== 'runs' && entry.name !== 'probes') walk(path.join(dir, entry.name));
  }
}
walk(root);
if (folders.length === 0) {
  console.error(`${root}: no sessions.json found`);
  process.exit(1);
}

const hms = (s) => {
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  return `${h} h ${String(m).padStart(2, '0')} min ${String(Math.round(s % 60)).padStart(2, '0')} s`;
};
console.log('folder | session start (UTC) | status | runs completed | wall | load5 at start');
let total = 0;
let runs = 0;
for (const { name, sessions } of folders.sort((a, b) => a.sessions[0].startedAt.localeCompare(b.sessions[0].startedAt))) {
  for (const s of sessions) {
    total += s.wallSeconds;
    runs += s.jobsCompleted;
    const load = Number.isFinite(s.load5) ? s.load5.toFixed(1) : '';
    console.log(`${name} | ${s.startedAt.slice(0, 19)} | ${s.status ?? ''} | ${s.jobsCompleted} | ${hms(s.wallSeconds)} | ${load}`);
  }
}
console.log(`all | ${folders.reduce((n, f) => n + f.sessions.length, 0)} sessions | | ${runs} | ${hms(total)} |`);
