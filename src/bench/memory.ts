/**
 * Peak resident memory of a full training run: the real `train` command, run in a child
 * process with a preload (rss-probe) that reports the child's own peak RSS when it exits.
 * What is measured is exactly what a user's `node dist/run.js --config ...` uses.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { readJsonFile } from '../util/json.js';

export type MemoryResult =
  | { status: 'ok'; peakRssMb: number; seconds: number; command: string[] }
  | { status: 'skipped' | 'failed'; reason: string; seconds: number; command: string[] };

export interface MemoryOptions {
  /** The project root (holds dist/run.js and configs/). */
  root: string;
  config: string;
  /** Extra flags for the train command, e.g. ['--epochs', '1'] for --quick. */
  extraArgs: string[];
  /** The compiled preload, dist/bench/rss-probe.js. */
  probe: string;
}

export async function measureTrainingMemory(opts: MemoryOptions): Promise<MemoryResult> {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'bench-rss-'));
  const rssFile = path.join(tmp, 'rss.json');
  const runDir = path.join(tmp, 'run');
  const runJs = path.join(opts.root, 'dist', 'run.js');
  const configPath = path.resolve(opts.root, opts.config);
  const args = [
    '--import',
    pathToFileURL(opts.probe).href,
    runJs,
    'train',
    '--config',
    configPath,
    '--out',
    runDir,
    '--progress',
    'none',
    ...opts.extraArgs,
  ];
  const shown = ['node', ...args.slice(2).map((a) => (a.startsWith(tmp) ? a.replace(tmp, '$TMP') : a))];
  try {
    if (!existsSync(configPath)) return { status: 'skipped', reason: `${opts.config} not found`, seconds: 0, command: shown };
    if (!existsSync(runJs)) return { status: 'skipped', reason: 'dist/run.js not found (run npm run build)', seconds: 0, command: shown };
    const t0 = performance.now();
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      let err = '';
      const child = spawn(process.execPath, args, {
        cwd: opts.root,
        stdio: ['ignore', 'ignore', 'pipe'],
        env: { ...process.env, BENCH_RSS_FILE: rssFile },
      });
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
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
      return { status: 'failed', reason: `the training run failed: ${last}`, seconds, command: shown };
    }
    const report = readJsonFile(rssFile, z.object({ maxRssKb: z.number().positive() }), 'peak-memory report');
    // ru_maxrss is in KiB on Linux; reported in MB (10^6 bytes), the unit of the 500 MB target.
    return { status: 'ok', peakRssMb: (report.maxRssKb * 1024) / 1e6, seconds, command: shown };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}
