/**
 * Timing one training epoch of an engine: a warm-up, then several repetitions, the median.
 *
 * Batches are taken in order (no shuffling), as the PyTorch peer takes them. A repetition is a
 * whole epoch when one fits in the time budget; when it does not (batch size 1 on the slow
 * backends takes minutes per epoch), a repetition is a fixed run of full batches and its time
 * is scaled to the epoch's number of steps: per-step cost does not depend on where in the
 * epoch a step falls, and the result says it was extrapolated.
 *
 * Wall time is what the table reports (PyTorch reports wall time too); CPU time of this
 * process is recorded beside it because on a shared machine it moves much less with the
 * load than wall time does.
 */
import type { Engine } from '../nn/engine.js';

export interface EpochTiming {
  batchSize: number;
  /** Median over repetitions of the wall time per epoch, milliseconds. */
  msPerEpoch: number;
  /** Median over repetitions of this process's CPU time (user + system) per epoch, ms. */
  cpuMsPerEpoch: number;
  /** Every repetition's wall time per epoch, for the record. */
  samplesMs: number[];
  repetitions: number;
  stepsPerRep: number;
  stepsPerEpoch: number;
  /** True when a repetition was shorter than an epoch and scaled up. */
  extrapolated: boolean;
  /** Set when the time comes from a single step without warm-up (--quick, very slow cells). */
  note?: string;
}

export interface TimingOptions {
  /** Timed repetitions after the warm-up (the median is reported). */
  repetitions: number;
  /** Rough wall-clock budget for the warm-up and repetitions of one batch size, seconds. */
  budgetSeconds: number;
  /**
   * When the first step alone takes longer than the budget, report it (scaled to an epoch)
   * instead of warming up and repeating: keeps --quick short on the slowest backends.
   */
  singleStepIfSlow?: boolean;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Runs `steps` training steps starting at batch number `first` (wrapping around the epoch). */
function runSteps(
  engine: Engine,
  x: Float32Array,
  y: Float32Array,
  samples: number,
  inputs: number,
  batchSize: number,
  first: number,
  steps: number,
): void {
  const stepsPerEpoch = Math.ceil(samples / batchSize);
  for (let s = 0; s < steps; s++) {
    const start = ((first + s) % stepsPerEpoch) * batchSize;
    const n = Math.min(batchSize, samples - start);
    engine.step({ x: x.subarray(start * inputs, (start + n) * inputs), y: y.subarray(start, start + n), n });
  }
}

export function timeEpochs(
  engine: Engine,
  x: Float32Array,
  y: Float32Array,
  samples: number,
  batchSize: number,
  opts: TimingOptions,
): EpochTiming {
  const inputs = engine.network.sizes[0];
  const stepsPerEpoch = Math.ceil(samples / batchSize);
  const budgetMs = opts.budgetSeconds * 1000;

  // Warm-up: JIT, backend kernels and buffers; at least 3 steps (or one epoch), at most an
  // epoch or a fifth of the budget. It also estimates the time of one step.
  const warmupStart = performance.now();
  const cpuStart = cpuMs();
  runSteps(engine, x, y, samples, inputs, batchSize, 0, 1);
  const stepEnds: number[] = [performance.now()];
  const firstMs = stepEnds[0] - warmupStart;
  if (opts.singleStepIfSlow && firstMs > budgetMs) {
    return {
      batchSize,
      msPerEpoch: firstMs * stepsPerEpoch,
      cpuMsPerEpoch: (cpuMs() - cpuStart) * stepsPerEpoch,
      samplesMs: [firstMs * stepsPerEpoch],
      repetitions: 1,
      stepsPerRep: 1,
      stepsPerEpoch,
      extrapolated: stepsPerEpoch > 1,
      note: `one step without warm-up (it took ${(firstMs / 1000).toFixed(1)} s, over the --quick budget)`,
    };
  }
  while (stepEnds.length < stepsPerEpoch && (stepEnds.length < 3 || performance.now() - warmupStart < budgetMs / 5)) {
    runSteps(engine, x, y, samples, inputs, batchSize, stepEnds.length, 1);
    stepEnds.push(performance.now());
  }
  // The first steps carry one-off costs (compilation, buffer growth): estimate the time of a
  // step from the later half of the warm-up.
  const half = stepEnds.length >> 1;
  const stepMs = (stepEnds[stepEnds.length - 1] - (half > 0 ? stepEnds[half - 1] : warmupStart)) / (stepEnds.length - half);

  const perRepMs = Math.max(1, (budgetMs * 0.8) / opts.repetitions);
  const stepsPerRep = Math.min(stepsPerEpoch, Math.max(1, Math.floor(perRepMs / stepMs)));
  // A partial repetition starts at the first batch, so it holds full batches only.
  const extrapolated = stepsPerRep < stepsPerEpoch;
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < opts.repetitions; r++) {
    const c0 = cpuMs();
    const t0 = performance.now();
    runSteps(engine, x, y, samples, inputs, batchSize, 0, stepsPerRep);
    const t = performance.now() - t0;
    const c = cpuMs() - c0;
    const scale = stepsPerEpoch / stepsPerRep;
    wall.push(t * scale);
    cpu.push(c * scale);
  }
  return {
    batchSize,
    msPerEpoch: median(wall),
    cpuMsPerEpoch: median(cpu),
    samplesMs: wall,
    repetitions: opts.repetitions,
    stepsPerRep,
    stepsPerEpoch,
    extrapolated,
  };
}
