/**
 * The benchmark's outputs: the table printed to the terminal and the rows of bench.csv.
 */
import type { CsvRow } from '../util/csv.js';

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
  /** msPerEpoch / PyTorch's msPerEpoch at the same batch size. */
  ratioToPytorch?: number;
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

export interface BenchReport {
  date: string;
  machine: string;
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
  landscape?: ExtraMeasure;
  memory?: ExtraMeasure;
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

/** Attaches GFLOP/s and the ratio to PyTorch (same batch size) to every measured cell. */
export function completeCells(cells: BenchCell[], flopsPerEpoch: number, isPytorch: (c: BenchCell) => boolean): BenchCell[] {
  const torchMs = new Map<number, number>();
  for (const c of cells) if (isPytorch(c) && c.status === 'ok' && c.msPerEpoch !== undefined) torchMs.set(c.batchSize, c.msPerEpoch);
  return cells.map((c) => {
    if (c.status !== 'ok' || c.msPerEpoch === undefined) return c;
    const t = torchMs.get(c.batchSize);
    return {
      ...c,
      gflops: c.gflops ?? flopsPerEpoch / (c.msPerEpoch * 1e6),
      ratioToPytorch: t !== undefined ? c.msPerEpoch / t : undefined,
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
    repetitions: c.repetitions,
    steps_per_rep: c.stepsPerRep,
    steps_per_epoch: c.stepsPerEpoch,
    extrapolated: c.extrapolated,
    note: c.note,
    ...common,
  }));
  for (const [measure, m] of [
    ['landscape', r.landscape],
    ['peak_rss', r.memory],
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

/** "1234 ms  3.41 GF/s  2.10x" (x = times PyTorch's time; '~' marks an extrapolated epoch). */
function cellText(c: BenchCell | undefined): string {
  if (!c) return '';
  if (c.status !== 'ok' || c.msPerEpoch === undefined) return c.status;
  const ratio = c.ratioToPytorch !== undefined ? `${c.ratioToPytorch.toFixed(2)}x` : '-';
  return `${c.extrapolated ? '~' : ''}${fmtMs(c.msPerEpoch)} ms ${(c.gflops ?? NaN).toFixed(2)} GF/s ${ratio}`;
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
    `machine: ${r.machine}, ${r.cores} cores; node ${r.node}; ${r.date}; load average ${r.loadBefore.toFixed(2)} before, ${r.loadAfter.toFixed(2)} after${r.quick ? '; --quick' : ''}`,
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
  const said = new Set<string>();
  for (const c of r.cells) {
    if (!c.note) continue;
    const text = c.status === 'ok' ? `${rowLabel(c)}, batch ${c.batchSize}: ${c.note}` : `${rowLabel(c)}: ${c.status}: ${c.note}`;
    if (!said.has(text)) lines.push(text);
    said.add(text);
  }
  if (r.torchNote) lines.push(`PyTorch: ${r.torchNote}`);
  if (r.landscape)
    lines.push(
      `landscape probe (${r.landscape.what}): ${r.landscape.status === 'ok' ? `${r.landscape.seconds!.toFixed(2)} s` : r.landscape.status}${r.landscape.note ? ` (${r.landscape.note})` : ''}`,
    );
  if (r.memory)
    lines.push(
      `peak resident memory, ${r.memory.what}: ${r.memory.status === 'ok' ? `${r.memory.peakRssMb!.toFixed(0)} MB in ${r.memory.seconds!.toFixed(1)} s` : r.memory.status}${r.memory.note ? ` (${r.memory.note})` : ''}`,
    );
  return lines.join('\n');
}
