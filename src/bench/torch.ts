/**
 * The PyTorch peer: runs tools/torch_mlp.py (this project's script; install Debian's
 * python3-torch and libopenblas0-pthread) in the same invocation, once per thread count, so its
 * time per epoch is measured on the same machine, under the same load and with the same number
 * of threads as each of this project's rows. The script prints one JSON object per line.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { z } from 'zod';

export interface TorchTiming {
  batchSize: number;
  msPerEpoch: number;
  gflops: number;
  /** e.g. "pytorch-1.13.0a0". */
  engine: string;
  /** Intra-op threads PyTorch ran with (torch.get_num_threads() after set_num_threads). */
  threads: number;
  /** Samples per epoch the script ran with (scaled to the benchmark's epoch when fewer). */
  samples: number;
}

export type TorchResult =
  { status: 'ok'; timings: TorchTiming[]; commands: string[][] } | { status: 'skipped'; reason: string; commands: string[][] };

export interface TorchOptions {
  python: string;
  script: string;
  batchSizes: number[];
  /** Thread counts to time PyTorch with, one run of the script each. */
  threads: number[];
  /** Samples of the benchmark's epoch (4,000). */
  samples: number;
  /** Timed epochs per batch size (the script reports their median). */
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

/** One `{"type": "epoch", ...}` line of tools/torch_mlp.py; other lines (info) are skipped. */
const TorchEpochLineSchema = z.object({
  type: z.literal('epoch'),
  engine: z.string(),
  threads: z.number(),
  batch_size: z.number(),
  samples: z.number().positive(),
  ms_per_epoch: z.number().finite(),
  gflops: z.number(),
});

/** Parses the script's `{"type": "epoch", ...}` lines, scaling an epoch of fewer samples to `scaleTo`. */
export function parseTorchLines(text: string, scaleTo: number): TorchTiming[] {
  const out: TorchTiming[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim().startsWith('{')) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(line);
    } catch {
      continue;
    }
    const parsed = TorchEpochLineSchema.safeParse(raw);
    if (!parsed.success) continue;
    const m = parsed.data;
    out.push({
      engine: m.engine,
      threads: m.threads,
      batchSize: m.batch_size,
      msPerEpoch: (m.ms_per_epoch * scaleTo) / m.samples,
      gflops: m.gflops,
      samples: m.samples,
    });
  }
  return out;
}

function whyFailed(r: ProcResult, opts: TorchOptions): string {
  if (r.spawnError) {
    return r.spawnError.code === 'ENOENT'
      ? `${opts.python} not found (install python3 and python3-torch)`
      : `cannot start ${opts.python}: ${r.spawnError.message}`;
  }
  if (/No module named ['"]?torch/.test(r.stderr))
    return `torch is not importable by ${opts.python} (apt-get install python3-torch libopenblas0-pthread)`;
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
  for (const threads of opts.threads) {
    for (const g of groups) {
      const args = [...base, '--threads', String(threads), '--batch-sizes', g.sizes.join(','), '--samples', String(g.samples)];
      commands.push([opts.python, ...args]);
      const r = await run(opts.python, args);
      if (r.code !== 0) return { status: 'skipped', reason: whyFailed(r, opts), commands };
      timings.push(...parseTorchLines(r.stdout, opts.samples));
    }
  }
  return { status: 'ok', timings, commands };
}
