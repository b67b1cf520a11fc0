/**
 * The benchmark: every TensorFlow.js backend that loads, the hand-written engine and the
 * PyTorch peer, each timed in its own child process, in one invocation; then the landscape
 * probe and the peak memory of a full training run. Prints the table and writes bench.csv.
 */
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { writeCsv } from '../util/csv.js';
import { UserError, messageOf } from '../util/errors.js';
import { Workers, WorkerTimeout, workerEntry } from '../util/workers.js';
import {
  BENCH_COLUMNS,
  completeCells,
  csvRows,
  formatReport,
  type BenchCell,
  type BenchReport,
  type ExtraMeasure,
  onlineStepMeasure,
  type OnlineStepMeasure,
  type PeakMeasure,
} from './report.js';
import type { OnlineFloorTiming } from './online-floor.js';
import { measureCommand, OUT, type CommandMeasure } from './command-measure.js';
import { runTorch } from './torch.js';
import { BenchEventSchema, LandscapeResultSchema, type BenchEvent, type WorkerJob, type WorkerBackend } from './protocol.js';
import { benchSizes, nominalFlopsPerEpoch } from './workload.js';

export const ALL_BACKENDS = ['tensorflow', 'wasm', 'cpu'] as const;
export type BenchBackend = (typeof ALL_BACKENDS)[number];
export type BenchPart = 'tfjs' | 'handwritten' | 'pytorch' | 'landscape' | 'memory' | 'sweeps';
export const ALL_PARTS: readonly BenchPart[] = ['tfjs', 'handwritten', 'pytorch', 'landscape', 'memory', 'sweeps'];
/** What `npm run bench` measures unless told: all but the sweeps, which take about an hour. */
export const DEFAULT_PARTS: readonly BenchPart[] = ALL_PARTS.filter((p) => p !== 'sweeps');

/** A whole command timed by the `sweeps` part: dist/run.js's arguments, OUT standing for a fresh folder. */
interface SweepCommand {
  what: string;
  args: string[];
}

/** The sweeps part: the two long commands a user waits for, each at its defaults, on the real data. */
const DEFAULT_SWEEPS: readonly SweepCommand[] = [
  { what: 'npm start (node dist/run.js reproduce)', args: ['reproduce', '--out', OUT, '--progress', 'none'] },
  { what: 'node dist/run.js study --quick', args: ['study', '--quick', '--out', OUT, '--progress', 'none'] },
];

export interface BenchOptions {
  /** Project root: dist/, configs/ and the default PyTorch script path are resolved from it. */
  root: string;
  batchSizes: number[];
  backends: BenchBackend[];
  /** Thread counts the wasm backend is timed with, a row each (its threaded build above 1). */
  wasmThreads: number[];
  parts: BenchPart[];
  repetitions: number;
  /** Wall-clock budget per batch size and engine, seconds (slow cells are extrapolated). */
  budgetSeconds: number;
  samples: number;
  quick: boolean;
  python: string;
  torchScript: string;
  memoryConfig: string;
  /** The commands of the sweeps part (default DEFAULT_SWEEPS). */
  sweeps?: readonly SweepCommand[];
  out: string;
  log: (line: string) => void;
}

/** How a worker ended: finished, skipped (its UserError: a backend that cannot load), failed, or stopped by its time limit. */
type WorkerEnd<R> = { status: 'ok'; result: R } | { status: 'skipped' | 'failed'; reason: string } | { status: 'timedOut' };

/**
 * Runs one job in a fresh worker process and collects its events. With `deadlineSeconds` the
 * worker is stopped when the time is up (--quick on the slowest backends); the events it sent are kept.
 */
async function runWorker<R>(
  job: WorkerJob,
  result: z.ZodType<R>,
  deadlineSeconds?: number,
): Promise<{ events: BenchEvent[]; end: WorkerEnd<R> }> {
  const workers = new Workers({ entry: workerEntry(import.meta.url, './worker'), kind: 'process', size: 1, captureOutput: true });
  const events: BenchEvent[] = [];
  let lastError = '';
  try {
    const r = await workers.run(job.kind, [job], {
      result,
      event: BenchEventSchema,
      onEvent: (e) => events.push(e),
      timeoutSeconds: deadlineSeconds,
      // What a library prints is not a result; the last line on stderr may say why a worker died.
      onOutput: (line, stream) => {
        if (stream === 'stderr' && line.trim() !== '') lastError = line.trim();
      },
    });
    return { events, end: { status: 'ok', result: r } };
  } catch (err) {
    if (err instanceof WorkerTimeout) return { events, end: { status: 'timedOut' } };
    if (err instanceof UserError) return { events, end: { status: 'skipped', reason: messageOf(err) } };
    const reason = messageOf(err).split('\n')[0];
    return { events, end: { status: 'failed', reason: lastError ? `${reason}: ${lastError}` : reason } };
  } finally {
    await workers.stop();
  }
}

/** --quick: the longest one engine (all its batch sizes) may take, seconds. */
const QUICK_WORKER_SECONDS = 12;

/** Times one engine (on one backend) at every batch size in a fresh process, after its backend's matMul peak. */
async function benchEngine(
  opts: BenchOptions,
  engine: 'tfjs' | 'handwritten',
  backend: BenchBackend | undefined,
  threads = 1,
): Promise<{ cells: BenchCell[]; peak?: PeakMeasure; online?: OnlineFloorTiming | null }> {
  const job: WorkerJob = {
    kind: 'epochs',
    engine,
    backend,
    threads,
    batchSizes: opts.batchSizes,
    repetitions: opts.repetitions,
    budgetSeconds: opts.budgetSeconds,
    singleStepIfSlow: opts.quick,
    samples: opts.samples,
    peakRepetitions: engine === 'tfjs' ? opts.repetitions : 0,
    onlineFloorRepetitions: engine === 'handwritten' ? opts.repetitions : 0,
    onlineFloorSteps: opts.quick ? 100 : 2000,
  };
  const { events, end } = await runWorker(job, z.null(), opts.quick ? QUICK_WORKER_SECONDS : undefined);
  let info: WorkerBackend = { name: backend ?? '', provider: '', threads: 0 };
  const cells: BenchCell[] = [];
  const base = (): Omit<BenchCell, 'batchSize' | 'status'> => ({
    engine,
    backend: engine === 'tfjs' ? info.name : '',
    provider: info.provider,
    threads: info.threads || null,
  });
  let peak: PeakMeasure | undefined;
  let online: OnlineFloorTiming | null | undefined;
  for (const m of events) {
    if (m.type === 'backend') info = m.backend;
    else if (m.type === 'peak' && (!peak || m.peak.gflops > peak.gflops)) peak = { backend: info.name, threads: info.threads, ...m.peak };
    else if (m.type === 'online') online = m.online;
    else if (m.type === 'epoch') {
      const t = m.timing;
      cells.push({
        ...base(),
        batchSize: t.batchSize,
        status: 'ok',
        msPerEpoch: t.msPerEpoch,
        cpuMsPerEpoch: t.cpuMsPerEpoch,
        repetitions: t.repetitions,
        stepsPerRep: t.stepsPerRep,
        stepsPerEpoch: t.stepsPerEpoch,
        extrapolated: t.extrapolated,
        note: t.note,
      });
    }
  }
  const problem: { status: 'skipped' | 'failed'; note: string } | null =
    end.status === 'ok'
      ? null
      : end.status === 'timedOut'
        ? { status: 'skipped', note: `not reached within the --quick limit of ${QUICK_WORKER_SECONDS} s per engine; run without --quick` }
        : { status: end.status, note: end.reason };
  for (const b of opts.batchSizes) {
    if (!cells.some((c) => c.batchSize === b))
      cells.push({ ...base(), batchSize: b, status: problem?.status ?? 'failed', note: problem?.note ?? 'no result' });
  }
  cells.sort((a, b) => a.batchSize - b.batchSize);
  return { cells, peak, online };
}

async function benchLandscape(opts: BenchOptions): Promise<ExtraMeasure> {
  // --quick sweeps 2 weights at 21 points instead of the defaults (10 at 101).
  const quick = opts.quick ? { count: 2, points: 21 } : {};
  const what = `runLandscape ${opts.quick ? '2 weights x 21 points (--quick)' : 'defaults (10 weights x 101 points)'} on sigmoid7 and relu7, ${opts.samples} random examples`;
  const { end } = await runWorker({ kind: 'landscape', backend: 'auto', samples: opts.samples, ...quick }, LandscapeResultSchema);
  if (end.status === 'ok') {
    const r = end.result;
    return {
      status: 'ok',
      what,
      seconds: r.seconds,
      backend: r.backend.name,
      note: `sweeps ${r.sweepSeconds.toFixed(2)} s of it; ${r.curves} curves of ${r.points} points`,
    };
  }
  return { status: end.status === 'skipped' ? 'skipped' : 'failed', what, note: end.status === 'timedOut' ? 'stopped' : end.reason };
}

/** The SIMD flags that decide a native peer's speed (AVX-512 roughly doubles BLAS over AVX2). */
function cpuFlags(): string[] {
  try {
    const line = readFileSync('/proc/cpuinfo', 'utf8')
      .split('\n')
      .find((l) => l.startsWith('flags'));
    const flags = new Set((line ?? '').split(':')[1]?.trim().split(/\s+/) ?? []);
    return ['avx2', 'avx512f', 'fma'].filter((f) => flags.has(f));
  } catch {
    return []; // not Linux
  }
}

/** Environment variables that change what the native peer's BLAS does, as set for this run. */
function blasEnv(): string[] {
  return ['OPENBLAS_CORETYPE', 'OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS']
    .filter((k) => process.env[k] !== undefined)
    .map((k) => `${k}=${process.env[k]}`);
}

function machineName(): string {
  const cpus = os.cpus();
  return (cpus[0]?.model ?? 'unknown CPU').replace(/\s+/g, ' ').trim();
}

export async function runBench(opts: BenchOptions): Promise<BenchReport> {
  const sizes = benchSizes();
  const flops = nominalFlopsPerEpoch(sizes, opts.samples);
  const loadBefore = os.loadavg()[0];
  const date = new Date().toISOString();
  const log = opts.log;
  let cells: BenchCell[] = [];
  const peaks: PeakMeasure[] = [];
  let torchNote: string | undefined;
  let onlineTiming: OnlineFloorTiming | null | undefined;

  if (opts.parts.includes('tfjs')) {
    for (const backend of opts.backends) {
      // Only wasm has a thread count to choose (native TensorFlow sizes its own pool, cpu has one thread).
      for (const threads of backend === 'wasm' ? opts.wasmThreads : [1]) {
        log(
          `timing the tfjs engine on the ${backend} backend${backend === 'wasm' ? ` with ${threads} thread${threads === 1 ? '' : 's'}` : ''} ...`,
        );
        const r = await benchEngine(opts, 'tfjs', backend, threads);
        cells.push(...r.cells);
        if (r.peak) peaks.push(r.peak);
      }
    }
  }
  if (opts.parts.includes('handwritten')) {
    log('timing the hand-written engine ...');
    const r = await benchEngine(opts, 'handwritten', undefined);
    cells.push(...r.cells);
    onlineTiming = r.online;
  }
  if (opts.parts.includes('pytorch')) {
    // PyTorch at every thread count our rows ran with, and at one thread per core.
    const threads = [...new Set([...cells.map((c) => c.threads ?? 1), os.availableParallelism()])].sort((a, b) => a - b);
    log(`timing PyTorch (${opts.torchScript}) with ${threads.join(', ')} thread(s) ...`);
    const r = await runTorch({
      python: opts.python,
      script: opts.torchScript,
      batchSizes: opts.batchSizes,
      threads,
      samples: opts.samples,
      epochs: opts.quick ? 1 : 3,
      maxSeconds: opts.quick ? 5 : 60,
      quickBelowBatch: opts.quick ? 32 : undefined,
      quickSamples: opts.quick ? Math.min(200, opts.samples) : undefined,
    });
    if (r.status === 'ok') {
      for (const t of r.timings) {
        cells.push({
          engine: t.engine,
          backend: '',
          provider: 'torch (Debian python3-torch)',
          threads: t.threads,
          batchSize: t.batchSize,
          status: 'ok',
          msPerEpoch: t.msPerEpoch,
          note: t.samples !== opts.samples ? `timed on ${t.samples} samples, scaled to ${opts.samples}` : undefined,
          extrapolated: t.samples !== opts.samples,
        });
      }
      torchNote = `${r.commands.map((c) => c.join(' ')).join('; ')} (its own timing: the median of its timed epochs after one warm-up epoch)`;
    } else {
      torchNote = `skipped: ${r.reason}`;
      log(`PyTorch skipped: ${r.reason}`);
    }
  }
  cells = completeCells(cells, flops, (c) => c.engine.startsWith('pytorch'), peaks);
  // PyTorch last in the table, as the reference line.
  cells.sort((a, b) => Number(a.engine.startsWith('pytorch')) - Number(b.engine.startsWith('pytorch')));
  const online: OnlineStepMeasure | undefined = opts.parts.includes('handwritten')
    ? onlineStepMeasure(onlineTiming, cells, (c) => c.engine.startsWith('pytorch'), opts.samples)
    : undefined;

  let landscape: ExtraMeasure | undefined;
  if (opts.parts.includes('landscape')) {
    log('timing the landscape probe ...');
    landscape = await benchLandscape(opts);
  }
  let memory: ExtraMeasure | undefined;
  if (opts.parts.includes('memory')) {
    const extraArgs = opts.quick ? ['--epochs', '1'] : [];
    const what = `train ${path.relative(opts.root, opts.memoryConfig)}${opts.quick ? ' --epochs 1 (--quick)' : ' (full run)'}`;
    log(`measuring the peak memory of ${what} ...`);
    const m = await measureCommand({
      root: opts.root,
      args: ['train', '--config', opts.memoryConfig, '--out', OUT, '--progress', 'none', ...extraArgs],
    });
    memory = extraMeasure(what, m);
  }
  const sweeps: ExtraMeasure[] = [];
  if (opts.parts.includes('sweeps')) {
    for (const sweep of opts.sweeps ?? DEFAULT_SWEEPS) {
      log(`timing ${sweep.what} (the whole command: this takes a while) ...`);
      sweeps.push(extraMeasure(sweep.what, await measureCommand({ root: opts.root, args: sweep.args })));
    }
  }

  const report: BenchReport = {
    date,
    machine: machineName(),
    cpuFlags: cpuFlags(),
    blasEnv: blasEnv(),
    peaks,
    node: process.version,
    loadBefore,
    loadAfter: os.loadavg()[0],
    cores: os.cpus().length,
    samples: opts.samples,
    network: `${sizes[0]} -> ${sizes.slice(1, -1).join(',')} -> 1 (sigmoid)`,
    flopsPerEpoch: flops,
    quick: opts.quick,
    cells,
    torchNote,
    online,
    landscape,
    memory,
    sweeps,
  };
  await writeCsv(opts.out, BENCH_COLUMNS, csvRows(report));
  return report;
}

/** A measured command as a line of the report: its time, and its largest process's peak memory. */
function extraMeasure(what: string, m: CommandMeasure): ExtraMeasure {
  return m.status === 'ok'
    ? {
        status: 'ok',
        what,
        seconds: m.seconds,
        peakRssMb: m.peakRssMb,
        note: `${m.command.join(' ')}; ${m.processes} process${m.processes === 1 ? '' : 'es'}`,
      }
    : { status: m.status, what, seconds: m.seconds, note: m.reason };
}

export { formatReport };
