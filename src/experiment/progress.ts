/**
 * The sweep's progress display: runs done, running and left, with an estimate of the time
 * remaining. On a terminal, cli-progress bars (one for the sweep, one per worker); otherwise
 * one line per event (a run starts, finishes or fails), which suits log files and CI.
 *
 * The estimate counts training work in epochs, since runs of one sweep differ in length, and
 * divides the epochs left by the rate measured in this session across all workers; a probe is
 * counted at the average time the probes (or, before the first, the training runs) took so far,
 * shared among the workers.
 */
import cliProgress from 'cli-progress';
import type { PoolEvent } from './pool.js';
import type { Job } from './job.js';
import type { ProgressChoice, ProgressStyle } from '../util/progress-choice.js';

export function resolveProgressStyle(mode: ProgressChoice, stream: NodeJS.WriteStream = process.stderr): ProgressStyle {
  if (mode !== 'auto') return mode;
  return stream.isTTY ? 'bar' : 'lines';
}

/** Units of work in a job, for its progress bar: its epochs for a training run, 1 for a probe. */
function workUnits(job: Job): number {
  return job.kind === 'train' ? job.config.epochs : 1;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`;
}

export interface ProgressOptions {
  mode: ProgressStyle;
  /** Jobs of this sweep (or shard) in all, and how many were complete before it started. */
  total: number;
  alreadyDone: number;
  /** Jobs to run now. */
  pending: readonly Job[];
  /** Worker processes (probes left are shared among them in the estimate). */
  workers?: number;
  stream?: NodeJS.WriteStream;
  now?: () => number;
}

export class SweepProgress {
  private readonly stream: NodeJS.WriteStream;
  private readonly now: () => number;
  private readonly started: number;
  private done: number;
  private failed = 0;
  private readonly running = new Map<string, { job: Job; worker: number; units: number; startedAt: number }>();
  /** Training epochs left and done in this session. */
  private unitsLeft: number;
  private unitsDone = 0;
  private probesLeft: number;
  private readonly probeSeconds: number[] = [];
  private readonly runSeconds: number[] = [];
  private readonly seenOutput = new Set<string>();
  private multibar: cliProgress.MultiBar | null = null;
  private overall: cliProgress.SingleBar | null = null;
  private readonly workerBars = new Map<number, cliProgress.SingleBar>();

  constructor(private readonly opts: ProgressOptions) {
    this.stream = opts.stream ?? process.stderr;
    this.now = opts.now ?? (() => performance.now() / 1000);
    this.started = this.now();
    this.done = opts.alreadyDone;
    this.unitsLeft = opts.pending.reduce((n, j) => n + (j.kind === 'train' ? workUnits(j) : 0), 0);
    this.probesLeft = opts.pending.filter((j) => j.kind !== 'train').length;
    if (opts.mode === 'bar') {
      this.multibar = new cliProgress.MultiBar(
        { stream: this.stream, clearOnComplete: false, hideCursor: true, format: '{label} {bar} {info}', barsize: 24, etaBuffer: 1 },
        cliProgress.Presets.shades_classic,
      );
      this.overall = this.multibar.create(opts.total, this.done, { label: 'sweep   ', info: this.countsText() });
    }
  }

  /** Seconds left at the rate measured so far, or NaN before anything was measured. */
  etaSeconds(): number {
    const elapsed = this.now() - this.started;
    let training = 0;
    if (this.unitsLeft > 0) {
      if (this.unitsDone <= 0 || elapsed <= 0) return Number.NaN;
      training = this.unitsLeft / (this.unitsDone / elapsed);
    }
    if (this.probesLeft <= 0) return training;
    const basis = this.probeSeconds.length > 0 ? this.probeSeconds : this.runSeconds;
    if (basis.length === 0) return Number.NaN;
    const perProbe = basis.reduce((a, b) => a + b, 0) / basis.length;
    return training + (this.probesLeft * perProbe) / Math.max(1, this.opts.workers ?? 1);
  }

  countsText(): string {
    const left = this.opts.total - this.done - this.running.size - this.failed;
    const failed = this.failed > 0 ? `, ${this.failed} failed` : '';
    return `${this.done}/${this.opts.total} done, ${this.running.size} running, ${Math.max(0, left)} left${failed} | elapsed ${formatDuration(this.now() - this.started)}, ETA ${formatDuration(this.etaSeconds())}`;
  }

  handle(e: PoolEvent): void {
    switch (e.type) {
      case 'start': {
        this.running.set(e.job.id, { job: e.job, worker: e.worker, units: 0, startedAt: this.now() });
        this.line(`start ${e.job.id} (worker ${e.worker})`);
        const bar = this.workerBar(e.worker, workUnits(e.job));
        bar?.start(workUnits(e.job), 0, { label: `worker ${e.worker}`, info: e.job.id });
        break;
      }
      case 'epoch': {
        const r = this.running.get(e.job.id);
        if (!r || e.epoch.epoch < 1) break; // epoch 0 is the evaluation before training
        this.advance(r, Math.min(e.epoch.epoch, workUnits(e.job)));
        this.workerBars
          .get(e.worker)
          ?.update(r.units, { info: `${e.job.id} epoch ${e.epoch.epoch}/${e.epochs}, val ${(100 * e.epoch.valAccuracy).toFixed(1)} %` });
        break;
      }
      case 'done': {
        const r = this.running.get(e.job.id);
        if (r) {
          if (e.job.kind === 'train') {
            this.advance(r, workUnits(e.job));
            this.runSeconds.push(this.now() - r.startedAt);
          } else {
            this.probesLeft--;
            this.probeSeconds.push(this.now() - r.startedAt);
          }
        }
        this.running.delete(e.job.id);
        this.done++;
        this.workerBars.get(e.worker)?.update(workUnits(e.job), { info: `${e.job.id} done` });
        this.line(`done ${e.job.id}: ${e.headline}`);
        break;
      }
      case 'failed': {
        const r = this.running.get(e.job.id);
        // A failed job's remaining work will not be done; take it out of the estimate.
        if (e.job.kind === 'train') this.unitsLeft -= workUnits(e.job) - (r?.units ?? 0);
        else this.probesLeft--;
        this.running.delete(e.job.id);
        this.failed++;
        this.log(`FAILED ${e.job.id}: ${e.message.split('\n')[0]}`);
        this.line('');
        break;
      }
      case 'output': {
        // Every worker prints the same library banners; once is enough.
        if (this.seenOutput.has(e.line) || e.line.trim() === '') break;
        this.seenOutput.add(e.line);
        this.log(`worker ${e.worker}: ${e.line}`);
        break;
      }
    }
    this.overall?.update(this.done, { info: this.countsText() });
  }

  private advance(r: { units: number }, to: number): void {
    const delta = Math.max(0, to - r.units);
    r.units += delta;
    this.unitsDone += delta;
    this.unitsLeft -= delta;
  }

  private workerBar(worker: number, total: number): cliProgress.SingleBar | null {
    if (!this.multibar) return null;
    let bar = this.workerBars.get(worker);
    if (!bar) {
      bar = this.multibar.create(total, 0, { label: `worker ${worker}`, info: '' });
      this.workerBars.set(worker, bar);
    }
    return bar;
  }

  /** A status line in line mode ("done x: ... | 3/30 done, 2 running, ..."). */
  private line(what: string): void {
    if (this.opts.mode !== 'lines') return;
    this.stream.write(`${what ? `${what} | ` : ''}${this.countsText()}\n`);
  }

  /** A message that must not be overwritten by the bars. */
  log(text: string): void {
    if (this.opts.mode === 'none') return;
    if (this.multibar) this.multibar.log(`${text}\n`);
    else this.stream.write(`${text}\n`);
  }

  stop(): void {
    this.multibar?.stop();
    this.multibar = null;
  }
}
