/**
 * The benchmark's outputs: the table printed to the terminal and the rows of bench.csv.
 */
import type { CsvRow } from '../util/csv.js';
import type { OnlineFloorTiming } from './online-floor.js';

type CellStatus = 'ok' | 'skipped' | 'failed';

/** One engine on one backend at one batch size. */
export interface BenchCell {
  /** 'tfjs', 'handwritten' or the PyTorch peer's name, e.g. 'pytorch-1.13.0a0'. */
  engine: string;
  /** TensorFlow.js backend ('wasm', 'cpu', 'tensorflow'); '' for the others. */
  backend: string;
  provider: string;
  threads: number | null;
  batchSize: number;
  status: CellStatus;
  msPerEpoch?: number;
  cpuMsPerEpoch?: number;
  gflops?: number;
  /** msPerEpoch / PyTorch's msPerEpoch at the same batch size and the same thread count. */
  ratioToPytorch?: number;
  /** gflops / the plain matMul peak of the same backend and thread count, measured in the same run. */
  shareOfPeak?: number;
  repetitions?: number;
  stepsPerRep?: number;
  stepsPerEpoch?: number;
  extrapolated?: boolean;
  note?: string;
}

export interface ExtraMeasure {
  status: CellStatus;
  what: string;
  seconds?: number;
  peakRssMb?: number;
  backend?: string;
  note?: string;
}

/**
 * The hand-written engine's online step against its floor (src/bench/online-floor.ts), with
 * PyTorch's batch-1 step at one thread from the same run beside it.
 */
export interface OnlineStepMeasure {
  status: CellStatus;
  timing?: OnlineFloorTiming;
  /** PyTorch's time per batch-1 step at one thread, microseconds (absent when it was not timed). */
  torchStepUs?: number;
  note?: string;
}

/** The online-step measure from the worker's timing (undefined: it did not report; null: no SIMD kernel) and the run's cells. */
export function onlineStepMeasure(
  timing: OnlineFloorTiming | null | undefined,
  cells: readonly BenchCell[],
  isPytorch: (c: BenchCell) => boolean,
  samples: number,
): OnlineStepMeasure {
  if (timing === undefined) return { status: 'failed', note: 'the hand-written worker did not report it' };
  if (timing === null) return { status: 'skipped', note: 'no WebAssembly SIMD in this runtime' };
  const torch = cells.find((c) => isPytorch(c) && c.batchSize === 1 && (c.threads ?? 1) === 1 && c.status === 'ok');
  return {
    status: 'ok',
    timing,
    torchStepUs: torch?.msPerEpoch !== undefined ? (1000 * torch.msPerEpoch) / samples : undefined,
    note: torch ? undefined : 'PyTorch was not timed at batch 1 with one thread in this run (needs batch size 1 and the pytorch part)',
  };
}

/** The plain tf.matMul peak of one backend at one thread count (src/bench/matmul-peak.ts). */
export interface PeakMeasure {
  backend: string;
  threads: number;
  shape: string;
  gflops: number;
  medianGflops: number;
}

export interface BenchReport {
  date: string;
  machine: string;
  /** The SIMD flags that set a native peer's speed (avx2, avx512f, fma), from /proc/cpuinfo. */
  cpuFlags: string[];
  /** Environment that changes native BLAS kernels (OPENBLAS_CORETYPE, OMP_NUM_THREADS), 'name=value'. */
  blasEnv: string[];
  peaks: PeakMeasure[];
  node: string;
  /** 1-minute load average before and after (2 cores here: above 2 means queueing). */
  loadBefore: number;
  loadAfter: number;
  cores: number;
  samples: number;
  network: string;
  flopsPerEpoch: number;
  quick: boolean;
  cells: BenchCell[];
  torchNote?: string;
  /** The online step against its floor (the handwritten part). */
  online?: OnlineStepMeasure;
  landscape?: ExtraMeasure;
  memory?: ExtraMeasure;
  /** Whole commands timed end to end (the sweeps part). */
  sweeps: ExtraMeasure[];
}

export const BENCH_COLUMNS = [
  'measure',
  'engine',
  'backend',
  'provider',
  'threads',
  'batch_size',
  'status',
  'ms_per_epoch',
  'cpu_ms_per_epoch',
  'gflops',
  'ratio_to_pytorch',
  'share_of_peak',
  'repetitions',
  'steps_per_rep',
  'steps_per_epoch',
  'extrapolated',
  'seconds',
  'peak_rss_mb',
  'note',
  'date',
  'machine',
  'load_before',
  'load_after',
] as const;

/**
 * Attaches GFLOP/s, the ratio to PyTorch at the same batch size and thread count, and the share
 * of the same backend's matMul peak (same thread count) to every measured cell.
 */
export function completeCells(
  cells: BenchCell[],
  flopsPerEpoch: number,
  isPytorch: (c: BenchCell) => boolean,
  peaks: readonly PeakMeasure[],
): BenchCell[] {
  const torchMs = new Map<string, number>();
  const key = (batchSize: number, threads: number | null): string => `${batchSize}:${threads ?? 1}`;
  for (const c of cells)
    if (isPytorch(c) && c.status === 'ok' && c.msPerEpoch !== undefined) torchMs.set(key(c.batchSize, c.threads), c.msPerEpoch);
  return cells.map((c) => {
    if (c.status !== 'ok' || c.msPerEpoch === undefined) return c;
    const gflops = flopsPerEpoch / (c.msPerEpoch * 1e6);
    const t = isPytorch(c) ? undefined : torchMs.get(key(c.batchSize, c.threads));
    const peak = peaks.find((p) => p.backend === c.backend && p.threads === c.threads);
    return {
      ...c,
      gflops,
      ratioToPytorch: t !== undefined ? c.msPerEpoch / t : undefined,
      shareOfPeak: peak ? gflops / peak.gflops : undefined,
    };
  });
}

export function csvRows(r: BenchReport): CsvRow[] {
  const common = { date: r.date, machine: r.machine, load_before: r.loadBefore, load_after: r.loadAfter };
  const rows: CsvRow[] = r.cells.map((c) => ({
    measure: 'epoch',
    engine: c.engine,
    backend: c.backend,
    provider: c.provider,
    threads: c.threads ?? '',
    batch_size: c.batchSize,
    status: c.status,
    ms_per_epoch: round(c.msPerEpoch, 1),
    cpu_ms_per_epoch: round(c.cpuMsPerEpoch, 1),
    gflops: round(c.gflops, 3),
    ratio_to_pytorch: round(c.ratioToPytorch, 3),
    share_of_peak: round(c.shareOfPeak, 3),
    repetitions: c.repetitions,
    steps_per_rep: c.stepsPerRep,
    steps_per_epoch: c.stepsPerEpoch,
    extrapolated: c.extrapolated,
    note: c.note,
    ...common,
  }));
  for (const p of r.peaks) {
    rows.push({
      measure: 'matmul_peak',
      engine: 'tfjs',
      backend: p.backend,
      threads: p.threads,
      status: 'ok',
      gflops: round(p.gflops, 3),
      note: `plain tf.matMul ${p.shape}, best of its repetitions (median ${p.medianGflops.toFixed(2)} GFLOP/s)`,
      ...common,
    });
  }
  if (r.online) {
    const t = r.online.timing;
    rows.push({
      measure: 'online_step',
      engine: 'handwritten',
      threads: 1,
      batch_size: 1,
      status: r.online.status,
      ms_per_epoch: t ? round((t.stepUs * r.samples) / 1000, 1) : undefined,
      cpu_ms_per_epoch: t ? round((t.stepCpuUs * r.samples) / 1000, 1) : undefined,
      ratio_to_pytorch: t && r.online.torchStepUs ? round(t.stepUs / r.online.torchStepUs, 3) : undefined,
      share_of_peak: t ? round(t.floorUs / t.stepUs, 3) : undefined,
      repetitions: t?.repetitions,
      steps_per_rep: t?.stepsPerRep,
      note: t
        ? `step ${t.stepUs.toFixed(1)} us (CPU ${t.stepCpuUs.toFixed(1)}), floor ${t.floorUs.toFixed(1)} us (CPU ${t.floorCpuUs.toFixed(1)}); share_of_peak = floor / step${r.online.note ? `; ${r.online.note}` : ''}`
        : r.online.note,
      ...common,
    });
  }
  for (const [measure, m] of [
    ['landscape', r.landscape],
    ['peak_rss', r.memory],
    ...r.sweeps.map((sweep) => ['command', sweep] as const),
  ] as const) {
    if (!m) continue;
    rows.push({
      measure,
      engine: m.what,
      backend: m.backend ?? '',
      status: m.status,
      seconds: round(m.seconds, 2),
      peak_rss_mb: round(m.peakRssMb, 1),
      note: m.note,
      ...common,
    });
  }
  return rows;
}

function round(v: number | undefined, digits: number): number | undefined {
  if (v === undefined || !Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function fmtMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

/**
 * "1234 ms 3.41 GF/s 41% 2.10x": '~' marks an extrapolated epoch, % is the share of the same
 * backend's matMul peak, x the time as a multiple of PyTorch's (same batch size and threads).
 */
function cellText(c: BenchCell | undefined): string {
  if (!c) return '';
  if (c.status !== 'ok' || c.msPerEpoch === undefined) return c.status;
  const ratio = c.ratioToPytorch !== undefined ? `${c.ratioToPytorch.toFixed(2)}x` : '-';
  const share = c.shareOfPeak !== undefined ? ` ${(100 * c.shareOfPeak).toFixed(0)}%` : '';
  return `${c.extrapolated ? '~' : ''}${fmtMs(c.msPerEpoch)} ms ${(c.gflops ?? NaN).toFixed(2)} GF/s${share} ${ratio}`;
}

function rowLabel(c: BenchCell): string {
  if (c.engine === 'tfjs') return `tfjs ${c.backend}${c.threads ? ` (${c.threads} thr)` : ''}`;
  return c.threads ? `${c.engine} (${c.threads} thr)` : c.engine;
}

/** The table: one line per engine/backend, one column per batch size. */
function formatTable(r: BenchReport): string {
  const batchSizes = [...new Set(r.cells.map((c) => c.batchSize))].sort((a, b) => a - b);
  const labels: string[] = [];
  for (const c of r.cells) if (!labels.includes(rowLabel(c))) labels.push(rowLabel(c));
  const header = ['engine / backend', ...batchSizes.map((b) => `batch ${b}`)];
  const body = labels.map((label) => [
    label,
    ...batchSizes.map((b) => cellText(r.cells.find((c) => rowLabel(c) === label && c.batchSize === b))),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i].length)));
  const line = (cells: string[]): string => cells.map((s, i) => s.padEnd(widths[i])).join(' | ');
  const out = [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)];
  return out.join('\n');
}

export function formatReport(r: BenchReport): string {
  const lines: string[] = [];
  lines.push(
    `One training epoch of ${r.network}, ${r.samples} random samples, SGD, squared error: ms per epoch (median), ` +
      `GFLOP/s (nominal ${(r.flopsPerEpoch / 1e9).toFixed(2)} GFLOP per epoch), and time as a multiple of PyTorch's at the same batch size.`,
  );
  lines.push(
    `machine: ${r.machine}, ${r.cores} cores, CPU flags ${r.cpuFlags.length > 0 ? r.cpuFlags.join(' ') : 'none of avx2 avx512f fma'}` +
      `${r.blasEnv.length > 0 ? ` (${r.blasEnv.join(', ')})` : ''}; node ${r.node}; ${r.date}; ` +
      `load average ${r.loadBefore.toFixed(2)} before, ${r.loadAfter.toFixed(2)} after${r.quick ? '; --quick' : ''}`,
  );
  if (r.loadBefore > r.cores * 0.5 || r.loadAfter > r.cores * 0.5) {
    lines.push(
      `NOTE: the machine was busy (load average above ${(r.cores * 0.5).toFixed(1)} on ${r.cores} cores): wall times are inflated and noisy; rerun on a quiet machine.`,
    );
  }
  lines.push('');
  lines.push(formatTable(r));
  lines.push('');
  lines.push('~ = epoch time scaled from a run of full batches shorter than an epoch (per-step cost times steps per epoch).');
  lines.push(
    "% = share of the same backend's plain matMul peak at the same thread count; x = time / PyTorch's at the same batch size and thread count.",
  );
  for (const p of r.peaks)
    lines.push(
      `plain tf.matMul peak, ${p.backend} (${p.threads} thr): ${p.gflops.toFixed(2)} GFLOP/s (${p.shape}, best repetition; median ${p.medianGflops.toFixed(2)})`,
    );
  const said = new Set<string>();
  for (const c of r.cells) {
    if (!c.note) continue;
    const text = c.status === 'ok' ? `${rowLabel(c)}, batch ${c.batchSize}: ${c.note}` : `${rowLabel(c)}: ${c.status}: ${c.note}`;
    if (!said.has(text)) lines.push(text);
    said.add(text);
  }
  if (r.torchNote) lines.push(`PyTorch: ${r.torchNote}`);
  if (r.online) lines.push(onlineLine(r.online));
  if (r.landscape)
    lines.push(
      `landscape probe (${r.landscape.what}): ${r.landscape.status === 'ok' ? `${r.landscape.seconds!.toFixed(2)} s` : r.landscape.status}${r.landscape.note ? ` (${r.landscape.note})` : ''}`,
    );
  if (r.memory)
    lines.push(
      `peak resident memory, ${r.memory.what}: ${r.memory.status === 'ok' ? `${r.memory.peakRssMb!.toFixed(0)} MB in ${r.memory.seconds!.toFixed(1)} s` : r.memory.status}${r.memory.note ? ` (${r.memory.note})` : ''}`,
    );
  for (const c of r.sweeps)
    lines.push(
      `time of ${c.what}: ${c.status === 'ok' ? `${minutes(c.seconds!)}, largest process ${c.peakRssMb!.toFixed(0)} MB` : c.status}${c.note ? ` (${c.note})` : ''}`,
    );
  return lines.join('\n');
}

/** The online step against its floor, and against PyTorch's batch-1 step (1 thread). */
function onlineLine(o: OnlineStepMeasure): string {
  const t = o.timing;
  if (o.status !== 'ok' || !t) return `online step against its floor: ${o.status}${o.note ? ` (${o.note})` : ''}`;
  const us = (v: number): string => `${v.toFixed(1)} µs`;
  const torch =
    o.torchStepUs !== undefined
      ? `; PyTorch (1 thr) batch 1: ${us(o.torchStepUs)} per step, the step ${(t.stepUs / o.torchStepUs).toFixed(3)}x of it`
      : `; ${o.note}`;
  return (
    `online step, hand-written (batch 1, one WebAssembly SIMD call): ${us(t.stepUs)} per step (CPU ${us(t.stepCpuUs)}); ` +
    `its floor, a kernel that only streams the weights as a step does: ${us(t.floorUs)} (CPU ${us(t.floorCpuUs)}); ` +
    `the step runs at ${(t.floorUs / t.stepUs).toFixed(2)}x the floor's speed (CPU ${(t.floorCpuUs / t.stepCpuUs).toFixed(2)}x)` +
    `${torch} (medians of ${t.repetitions} x ${t.stepsPerRep} steps, alternated with the floor)`
  );
}

/** "17 min 04 s" (or "41.3 s" under a minute). */
function minutes(seconds: number): string {
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const m = Math.floor(seconds / 60);
  return `${m} min ${String(Math.round(seconds - 60 * m)).padStart(2, '0')} s`;
}
