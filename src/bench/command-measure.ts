/**
 * Whole commands as a user runs them, timed, with the peak resident memory of every process
 * they start: the command runs in a child process with a preload (rss-probe) passed through
 * NODE_OPTIONS, so the sweeps' worker processes report too. Used for the peak memory of a full
 * training run and for the time of `npm start` and `study --quick` at their defaults.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, readdirSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { readJsonFile } from '../util/json.js';

export type CommandMeasure =
  | { status: 'ok'; peakRssMb: number; processes: number; seconds: number; command: string[] }
  | { status: 'skipped' | 'failed'; reason: string; seconds: number; command: string[] };

export interface CommandOptions {
  /** The project root (holds dist/run.js and configs/). */
  root: string;
  /** Arguments of dist/run.js; the string OUT stands for a fresh temporary folder. */
  args: string[];
}

/** Stands for the command's fresh output folder in CommandOptions.args. */
export const OUT = '$OUT';

export async function measureCommand(opts: CommandOptions): Promise<CommandMeasure> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-cmd-'));
  const rssDir = path.join(tmp, 'rss');
  mkdirSync(rssDir);
  const runJs = path.join(opts.root, 'dist', 'run.js');
  // The compiled preload beside the compiled command it measures (also when this module runs under tsx).
  const probe = path.join(opts.root, 'dist', 'bench', 'rss-probe.js');
  const args = [runJs, ...opts.args.map((a) => (a === OUT ? path.join(tmp, 'out') : a))];
  const shown = ['node', 'dist/run.js', ...opts.args];
  try {
    if (!existsSync(runJs)) return { status: 'skipped', reason: 'dist/run.js not found (run npm run build)', seconds: 0, command: shown };
    const t0 = performance.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      let err = '';
      const nodeOptions = [process.env.NODE_OPTIONS ?? '', `--import=${pathToFileURL(probe).href}`].join(' ').trim();
      const child = spawn(process.execPath, args, {
        cwd: opts.root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, BENCH_RSS_DIR: rssDir, NODE_OPTIONS: nodeOptions },
      });
      child.stderr.on('data', (d: Buffer) => (err = (err + d.toString()).slice(-20_000)));
      child.on('error', (e) => resolve({ code: null, stderr: e.message }));
      child.on('close', (c) => resolve({ code: c, stderr: err }));
    });
    const seconds = (performance.now() - t0) / 1000;
    if (code !== 0) {
      const last =
        stderr
          .trim()
          .split('\n')
          .filter((l) => l.trim() !== '')
          .pop() ?? `exit code ${code}`;
      return { status: 'failed', reason: `the command failed: ${last}`, seconds, command: shown };
    }
    const reports = readdirSync(rssDir).map((f) =>
      readJsonFile(path.join(rssDir, f), z.object({ maxRssKb: z.number().positive() }), 'peak-memory report'),
    );
    if (reports.length === 0) return { status: 'failed', reason: 'no process reported its memory', seconds, command: shown };
    // ru_maxrss is in KiB on Linux; reported in MB (10^6 bytes), the unit of the 500 MB target.
    const peakRssMb = (Math.max(...reports.map((r) => r.maxRssKb)) * 1024) / 1e6;
    return { status: 'ok', peakRssMb, processes: reports.length, seconds, command: shown };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
