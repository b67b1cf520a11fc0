/**
 * The project's own training loop (not model.fit): epochs of shuffled mini-batch SGD through
 * any Engine, with an evaluation of the training, validation (when given) and test sets after
 * every epoch.
 *
 * - Order: before each epoch the training set is permuted by the run's 'shuffle' stream
 *   (src/util/rng.ts), so the same seed gives the same batches on every engine and backend.
 * - Batches: consecutive slices of that permutation, batchSize examples each; the last batch
 *   of an epoch holds the remainder (batch size 1 is the online learning of the 1980s code,
 *   batch size = the training set is full-batch gradient descent).
 * - Epoch 0 is an evaluation of the initial parameters, so every curve starts at chance.
 * - Timing: an epoch's `seconds` are its SGD steps plus its evaluation; recording gradient
 *   statistics (optional) is left out, so that it does not change the speed a run reports.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import type { Dataset } from '../data/types.js';
import { gradientStats, type LayerGradientStat } from '../nn/gradient-stats.js';
import type { Engine } from '../nn/engine.js';

/** One row of history.csv. */
export interface EpochRecord {
  /** 0 = before training, k = after epoch k. */
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  testLoss: number;
  testAccuracy: number;
  /** On the validation split; NaN when the run has none. */
  valLoss: number;
  valAccuracy: number;
  /** Wall time of this epoch (its steps and its evaluation). */
  seconds: number;
  /** Sum of `seconds` up to and including this epoch. */
  elapsedSeconds: number;
}

export interface TrainLoopOptions {
  engine: Engine;
  train: Dataset;
  test: Dataset;
  /** Held out from the training batches; evaluated every epoch so that choices never use the test set. */
  validation?: Dataset;
  epochs: number;
  batchSize: number;
  /** Seeds the 'shuffle' stream. */
  seed: number;
  /** Per-layer gradient statistics over the training set at epoch 0 and after every epoch. */
  recordGradients?: boolean;
  /** After epoch 0 and every epoch, with that epoch's gradient statistics (empty unless recorded). */
  onEpoch?: (record: EpochRecord, gradients: readonly LayerGradientStat[]) => void | Promise<void>;
  /** After every step: steps done in the current epoch, out of stepsPerEpoch (for a progress bar). */
  onStep?: (epoch: number, step: number, stepsPerEpoch: number) => void;
  /** Checked between steps; returning true abandons the current epoch and ends the loop. */
  shouldStop?: () => boolean;
}

export interface LoopResult {
  /** Epoch 0, then every finished epoch. */
  history: EpochRecord[];
  gradients: LayerGradientStat[];
  /** True when shouldStop ended the loop before the last epoch. */
  interrupted: boolean;
  /** Live TensorFlow.js tensors after each history entry: constant when nothing leaks. */
  liveTensors: number[];
}

/** How long a run of synchronous steps may keep the event loop (and so Ctrl-C) waiting. */
const YIELD_EVERY_MS = 50;

export function stepsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.ceil(trainCount / batchSize);
}

export async function trainLoop(opts: TrainLoopOptions): Promise<LoopResult> {
  const { engine, train, test, epochs } = opts;
  const inputs = train.inputs;
  if (engine.network.sizes[0] !== inputs) {
    throw new Error(`the network takes ${engine.network.sizes[0]} inputs, the data has ${inputs}`);
  }
  if (opts.validation && opts.validation.inputs !== inputs) {
    throw new Error(`the validation set has ${opts.validation.inputs} inputs, the training set ${inputs}`);
  }
  const batchSize = Math.min(Math.max(1, Math.floor(opts.batchSize)), train.count);
  const steps = stepsPerEpoch(train.count, batchSize);
  const shuffle = Rng.stream(opts.seed, 'shuffle');
  // One buffer pair, reused by every batch: examples are copied into it, never into fresh
  // arrays; a full batch is passed as the buffers themselves, a short last batch as views.
  const xBuf = new Float32Array(batchSize * inputs);
  const yBuf = new Float32Array(batchSize);
  const fullBatch = { x: xBuf, y: yBuf, n: batchSize };

  const history: EpochRecord[] = [];
  const gradients: LayerGradientStat[] = [];
  const liveTensors: number[] = [];
  let elapsed = 0;
  let lastYield = performance.now();

  const finishEpoch = async (epoch: number, startedAt: number): Promise<void> => {
    const trainEval = engine.evaluate(train.x, train.y, train.count);
    const testEval = engine.evaluate(test.x, test.y, test.count);
    const val = opts.validation;
    const valEval = val ? engine.evaluate(val.x, val.y, val.count) : { loss: Number.NaN, accuracy: Number.NaN };
    const seconds = (performance.now() - startedAt) / 1000;
    elapsed += seconds;
    const record: EpochRecord = {
      epoch,
      trainLoss: trainEval.loss,
      trainAccuracy: trainEval.accuracy,
      testLoss: testEval.loss,
      testAccuracy: testEval.accuracy,
      valLoss: valEval.loss,
      valAccuracy: valEval.accuracy,
      seconds,
      elapsedSeconds: elapsed,
    };
    const stats = opts.recordGradients ? gradientStats(engine, train, epoch) : [];
    history.push(record);
    gradients.push(...stats);
    liveTensors.push(tf.memory().numTensors);
    await opts.onEpoch?.(record, stats);
  };

  await finishEpoch(0, performance.now());
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const startedAt = performance.now();
    const order = shuffle.permutation(train.count);
    for (let s = 0; s < steps; s++) {
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Let signal handlers (Ctrl-C) and progress output run between synchronous steps.
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (opts.shouldStop?.()) return { history, gradients, interrupted: true, liveTensors };
      const first = s * batchSize;
      const n = Math.min(batchSize, train.count - first);
      for (let r = 0; r < n; r++) {
        const row = order[first + r];
        xBuf.set(train.x.subarray(row * inputs, (row + 1) * inputs), r * inputs);
        yBuf[r] = train.y[row];
      }
      engine.step(n === batchSize ? fullBatch : { x: xBuf.subarray(0, n * inputs), y: yBuf.subarray(0, n), n });
      opts.onStep?.(epoch, s + 1, steps);
    }
    await finishEpoch(epoch, startedAt);
  }
  return { history, gradients, interrupted: false, liveTensors };
}
