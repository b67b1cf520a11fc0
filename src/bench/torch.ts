/**
 * The PyTorch peer: runs /work/shared/bench/torch_mlp.py (the script is not ours; we only run
 * it and read its CSV lines) in the same invocation, so its time per epoch is measured on the
 * same machine under the same load as this project's.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';

export interface TorchTiming {
  batchSize: number;
  msPerEpoch: number;
  gflops: number;
  /** e.g. "pytorch-1.13.0a0". */
  engine: string;
  /** Samples per epoch the script ran with (scaled to the benchmark's epoch when fewer). */
  samples: number;
}

export type TorchResult =
  { status: 'ok'; timings: TorchTiming[]; commands: string[][] } | { status: 'skipped'; reason: string; commands: string[][] };

export interface TorchOptions {
  python: string;
  script: string;
  batchSizes: number[];
  /** Samples of the benchmark's epoch (4,000). */
  samples: number;
  /** Timed epochs per batch size (the script reports their mean). */
  epochs: number;
  maxSeconds: number;
  /**
   * For --quick: batch sizes below this run on `quickSamples` samples and are scaled to a full
   * epoch, as this project's side extrapolates its slow cells.
   */
  quickBelowBatch?: number;
  quickSamples?: number;
}

interface ProcResult {
  code: number | null;
  stdout: string;
  stderr: string;
  spawnError?: NodeJS.ErrnoException;
}

function run(cmd: string, args: string[]): Promise<ProcResult> {
  return new Promise((resolve) => {
    let stdout = '';
    let stderr = '';
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', (err) => resolve({ code: null, stdout, stderr, spawnError: err as NodeJS.ErrnoException }));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Parses the script's `engine,activation,batch_size,ms_per_epoch,gflops` lines. */
export function parseTorchCsv(text: string, samples: number, scaleTo: number): TorchTiming[] {
  const out: TorchTiming[] = [];
  for (const line of text.split('\n')) {
    const f = line.trim().split(',');
    if (f.length !== 5 || f[0] === 'engine') continue;
    const batchSize = Number(f[2]);
    const ms = Number(f[3]);
    const gflops = Number(f[4]);
    if (!Number.isFinite(batchSize) || !Number.isFinite(ms)) continue;
    out.push({ engine: f[0], batchSize, msPerEpoch: (ms * scaleTo) / samples, gflops, samples });
  }
  return out;
}

function whyFailed(r: ProcResult, opts: TorchOptions): string {
  if (r.spawnError) {
    return r.spawnError.code === 'ENOENT'
      ? `${opts.python} not found (install python3 and python3-torch)`
      : `cannot start ${opts.python}: ${r.spawnError.message}`;
  }
  if (/No module named ['"]?torch/.test(r.stderr)) return `torch is not importable by ${opts.python} (install python3-torch)`;
  const last = r.stderr.trim().split('\n').pop() ?? '';
  return `${opts.script} exited with code ${r.code}${last ? `: ${last}` : ''}`;
}

export async function runTorch(opts: TorchOptions): Promise<TorchResult> {
  const base = [opts.script, '--activation', 'sigmoid', '--epochs', String(opts.epochs), '--max-seconds', String(opts.maxSeconds)];
  if (!existsSync(opts.script))
    return { status: 'skipped', reason: `PyTorch peer script not found at ${opts.script} (give --torch-script PATH)`, commands: [] };
  const small = opts.quickBelowBatch ? opts.batchSizes.filter((b) => b < opts.quickBelowBatch!) : [];
  const full = opts.batchSizes.filter((b) => !small.includes(b));
  const groups: { sizes: number[]; samples: number }[] = [];
  if (small.length > 0) groups.push({ sizes: small, samples: opts.quickSamples ?? opts.samples });
  if (full.length > 0) groups.push({ sizes: full, samples: opts.samples });
  const timings: TorchTiming[] = [];
  const commands: string[][] = [];
  for (const g of groups) {
    const args = [...base, '--batch-sizes', g.sizes.join(','), '--samples', String(g.samples)];
    commands.push([opts.python, ...args]);
    const r = await run(opts.python, args);
    if (r.code !== 0) return { status: 'skipped', reason: whyFailed(r, opts), commands };
    timings.push(...parseTorchCsv(r.stdout, g.samples, opts.samples));
  }
  return { status: 'ok', timings, commands };
}
