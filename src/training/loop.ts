/**
 * The project's own training loop (not model.fit): epochs of shuffled mini-batch SGD through
 * any Engine, with evaluations of the training, validation (when given) and test sets between
 * epochs, and an optional stopping rule on the validation loss.
 *
 * - Order: before each epoch the training set is permuted by the run's 'shuffle' stream
 *   (src/util/rng.ts), so the same seed gives the same batches on every engine and backend.
 * - Batches: consecutive slices of that permutation, batchSize examples each; the last batch
 *   of an epoch holds the remainder (batch size 1 is the online learning of the 1980s code,
 *   batch size = the training set is full-batch gradient descent).
 * - Epoch 0 is an evaluation of the initial parameters, so every curve starts at chance.
 * - Stopping (`patience`): an epoch improves when its validation loss is strictly lower than
 *   that of every earlier epoch (epoch 0 included; no minimum delta); the loop stops after
 *   epoch e when e - (the last improving epoch) reaches the patience (with `patienceFraction` f,
 *   max(patience, ceil(f x the last improving epoch))), and in any case after
 *   `epochs`. The last improving epoch is the chosen one: the epoch of lowest validation loss
 *   that src/training/run-metrics.ts reports (without a validation split, the final epoch).
 * - Stall (`stall`, configs/rules/search.json): after epoch K the loop also stops (reason
 *   "stalled") when the validation accuracy is at most maxValAccuracy and the validation loss is
 *   at least minLossRatio x the validation loss after epoch floor(K/2). Checked at K only, so a
 *   run that is past K, or learning by then, is never cut by it.
 * - Evaluation (`evaluation`): 'every-epoch' scores the training, validation and test sets after
 *   every epoch. 'when-needed' scores the validation set after every epoch, the test set after
 *   every epoch that improves, the epochs that may turn out to be among the last five, and the
 *   final epoch, and the training set after the final epoch and (at the end, from a copy of the
 *   parameters kept when it improved) the chosen one; what is not scored is NaN in the record.
 *   The chosen epoch's figures are the same under both.
 * - The full test set, when given, is run through the network at the chosen and the final epoch
 *   (its outputs are returned, one per image).
 * - Timing: an epoch's `seconds` are its SGD steps plus its evaluation (the final epoch's
 *   includes the scoring of the chosen epoch done at the end); recording gradient and activation
 *   statistics (optional) is left out, so that it does not change the speed a run reports.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../util/rng.js';
import type { Dataset } from '../data/types.js';
import { gradientRecorder, type LayerGradientStat } from '../nn/gradient-stats.js';
import type { Engine, Evaluation } from '../nn/engine.js';
import type { Params } from '../nn/params.js';
import type { EvaluationSchedule } from '../config/schema.js';
import { activationStats, type LayerActivationStat } from '../nn/activation-stats.js';

/** One row of history.csv. A set that was not scored after this epoch has NaN loss and accuracy. */
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
  /** Per-hidden-layer saturation, dead units and activation percentiles over the training set at epoch 0 and after every epoch. */
  recordActivations?: boolean;
  /** After epoch 0 and every epoch, with that epoch's gradient and activation statistics (empty unless recorded). */
  onEpoch?: (
    record: EpochRecord,
    gradients: readonly LayerGradientStat[],
    activations: readonly LayerActivationStat[],
  ) => void | Promise<void>;
  /** After every step: steps done in the current epoch, out of stepsPerEpoch (for a progress bar). */
  onStep?: (epoch: number, step: number, stepsPerEpoch: number) => void;
  /** Checked between steps; returning true abandons the current epoch and ends the loop. */
  shouldStop?: () => boolean;
  /** Stop after this many epochs without improvement of the validation loss (see the header); needs `validation`. */
  patience?: number;
  /**
   * With `patience`: the patience grows to ceil(patienceFraction x the last improving epoch) when
   * that is longer, so a slowly learning run (a small learning rate) is given time in proportion.
   */
  patienceFraction?: number;
  /** The stall rule (see the header); needs `validation`. */
  stall?: StallRule;
  /** Which sets are scored after which epoch (see the header); default 'every-epoch'. */
  evaluation?: EvaluationSchedule;
  /** Run through the network at the chosen and the final epoch; its outputs are returned. */
  fullTest?: Dataset;
}

/** At epoch `epoch` (K): stop when val accuracy <= maxValAccuracy and val loss >= minLossRatio x val loss at floor(K/2). */
export interface StallRule {
  epoch: number;
  maxValAccuracy: number;
  minLossRatio: number;
}

/** Why a run ended: its patience ran out, it reached `epochs` as a maximum, it stalled, or it had no stopping rule. */
export type StopReason = 'patience' | 'maximum' | 'stalled' | 'fixed';

/** The network's outputs on the full test set, one per image. */
interface FullTestOutputs {
  chosen: Float32Array;
  final: Float32Array;
}

export interface LoopResult {
  /** Epoch 0, then every finished epoch. */
  history: EpochRecord[];
  gradients: LayerGradientStat[];
  activations: LayerActivationStat[];
  /** True when shouldStop ended the loop before the last epoch. */
  interrupted: boolean;
  /** Live TensorFlow.js tensors after each history entry: constant when nothing leaks. */
  liveTensors: number[];
  /** The chosen epoch: the lowest validation loss (the earlier on a tie), or the final epoch without a validation split. */
  chosenEpoch: number;
  /** The last epoch trained. */
  stopEpoch: number;
  /** Why the loop ended (meaningless when interrupted). */
  stopReason: StopReason;
  /** When `fullTest` was given and the loop was not interrupted. */
  fullTestOutputs: FullTestOutputs | null;
  /** A copy of the chosen epoch's parameters (null when the schedule kept none: every-epoch without a full test set). */
  chosenParams: Params | null;
  /** Wall time spent scoring sets (part of the epochs' seconds). */
  evaluationSeconds: number;
}

const NOT_SCORED: Evaluation = { loss: Number.NaN, accuracy: Number.NaN };

/** Epochs averaged by test_acc_last5 (src/training/run-metrics.ts): their test set is always scored. */
export const LAST_EPOCHS_AVERAGED = 5;

/** How long a run of synchronous steps may keep the event loop (and so Ctrl-C) waiting. */
const YIELD_EVERY_MS = 50;

export function stepsPerEpoch(trainCount: number, batchSize: number): number {
  return Math.ceil(trainCount / batchSize);
}

export async function trainLoop(opts: TrainLoopOptions): Promise<LoopResult> {
  const { engine, train, test, epochs, patience } = opts;
  // The patience in force while `chosen` is the last improving epoch.
  const patienceAt = (chosen: number): number =>
    patience === undefined ? Number.POSITIVE_INFINITY : Math.max(patience, Math.ceil((opts.patienceFraction ?? 0) * chosen));
  const inputs = train.inputs;
  if (engine.network.sizes[0] !== inputs) {
    throw new Error(`the network takes ${engine.network.sizes[0]} inputs, the data has ${inputs}`);
  }
  for (const [name, set] of [
    ['validation', opts.validation],
    ['full test', opts.fullTest],
  ] as const) {
    if (set && set.inputs !== inputs) throw new Error(`the ${name} set has ${set.inputs} inputs, the training set ${inputs}`);
  }
  if ((patience !== undefined || opts.stall) && !opts.validation) throw new Error('a stopping rule needs a validation set');
  const stall = opts.stall;
  // The validation loss after epoch floor(K/2), kept when that epoch is scored.
  let stallReference = Number.NaN;
  const everyEpoch = (opts.evaluation ?? 'every-epoch') === 'every-epoch';
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
  const activations: LayerActivationStat[] = [];
  const liveTensors: number[] = [];
  const recordGradients = opts.recordGradients ? gradientRecorder(engine, train) : null;
  let elapsed = 0;
  let evaluationSeconds = 0;
  let lastYield = performance.now();
  // The chosen epoch so far, and (when it must be scored again at the end) a copy of its parameters.
  let lowestValLoss = Number.POSITIVE_INFINITY;
  let chosenEpoch = 0;
  let chosenParams: Params | null = null;
  const keepChosenParams = !everyEpoch || opts.fullTest !== undefined;
  let stopReason: StopReason = patience === undefined ? 'fixed' : 'maximum';
  let fullTestOutputs: FullTestOutputs | null = null;

  const timed = <T>(f: () => T): T => {
    const t0 = performance.now();
    try {
      return f();
    } finally {
      evaluationSeconds += (performance.now() - t0) / 1000;
    }
  };
  const score = (set: Dataset): Evaluation => timed(() => engine.evaluate(set.x, set.y, set.count));

  /** Scores the epoch; returns true when it is the last one. */
  const finishEpoch = async (epoch: number, startedAt: number): Promise<boolean> => {
    const val = opts.validation;
    const valEval = val ? score(val) : NOT_SCORED;
    const improves = val !== undefined && valEval.loss < lowestValLoss;
    if (improves) {
      lowestValLoss = valEval.loss;
      chosenEpoch = epoch;
      chosenParams = keepChosenParams ? timed(() => engine.getParams()) : null;
    }
    const outOfPatience = epoch - chosenEpoch >= patienceAt(chosenEpoch);
    if (stall && epoch === Math.floor(stall.epoch / 2)) stallReference = valEval.loss;
    // A NaN loss compares false: a run whose loss is not a number is left to the other rules.
    const stalled =
      stall !== undefined &&
      epoch === stall.epoch &&
      valEval.accuracy <= stall.maxValAccuracy &&
      valEval.loss >= stall.minLossRatio * stallReference;
    const last = epoch === epochs || outOfPatience || stalled;
    if (last) {
      stopReason = outOfPatience ? 'patience' : stalled ? 'stalled' : stopReason;
      if (!val) chosenEpoch = epoch;
    }
    // Epochs that may end up among the last five whatever comes next, so test_acc_last5 is exact.
    const maybeInLastFive =
      epoch > epochs - LAST_EPOCHS_AVERAGED ||
      epoch - chosenEpoch > patienceAt(chosenEpoch) - LAST_EPOCHS_AVERAGED ||
      (stall !== undefined && epoch <= stall.epoch && epoch > stall.epoch - LAST_EPOCHS_AVERAGED);
    const trainEval = everyEpoch || last ? score(train) : NOT_SCORED;
    const testEval = everyEpoch || last || improves || maybeInLastFive ? score(test) : NOT_SCORED;
    const record: EpochRecord = {
      epoch,
      trainLoss: trainEval.loss,
      trainAccuracy: trainEval.accuracy,
      testLoss: testEval.loss,
      testAccuracy: testEval.accuracy,
      valLoss: valEval.loss,
      valAccuracy: valEval.accuracy,
      seconds: 0,
      elapsedSeconds: 0,
    };
    history.push(record);
    if (last) fullTestOutputs = scoreChosenAndFinal(epoch);
    const seconds = (performance.now() - startedAt) / 1000;
    elapsed += seconds;
    record.seconds = seconds;
    record.elapsedSeconds = elapsed;
    const stats = recordGradients ? recordGradients(epoch) : [];
    const acts = opts.recordActivations ? activationStats(engine.getParams(), engine.network, train, epoch) : [];
    gradients.push(...stats);
    activations.push(...acts);
    liveTensors.push(tf.memory().numTensors);
    await opts.onEpoch?.(record, stats, acts);
    return last;
  };

  /**
   * At the final epoch: the full test set's outputs now, and the chosen epoch's figures that
   * were left out when it was scored (its training set, its full test set) from the copy of its
   * parameters; the final parameters are put back afterwards.
   */
  const scoreChosenAndFinal = (finalEpoch: number): FullTestOutputs | null => {
    const full = opts.fullTest;
    const finalOutputs = full ? timed(() => engine.predict(full.x, full.count)) : null;
    let chosenOutputs = finalOutputs;
    const chosenRecord = history[chosenEpoch];
    const chosenNeedsScoring = chosenEpoch !== finalEpoch && (full !== undefined || Number.isNaN(chosenRecord.trainLoss));
    if (chosenNeedsScoring) {
      if (!chosenParams) throw new Error(`trainLoop: no parameters were kept for epoch ${chosenEpoch}`);
      const saved = chosenParams;
      timed(() => {
        const finalParams = engine.getParams();
        engine.setParams(saved);
        if (Number.isNaN(chosenRecord.trainLoss)) {
          const t = engine.evaluate(train.x, train.y, train.count);
          chosenRecord.trainLoss = t.loss;
          chosenRecord.trainAccuracy = t.accuracy;
        }
        if (full) chosenOutputs = engine.predict(full.x, full.count);
        engine.setParams(finalParams);
      });
    }
    return full && finalOutputs && chosenOutputs ? { chosen: chosenOutputs, final: finalOutputs } : null;
  };

  const result = (interrupted: boolean, stopEpoch: number): LoopResult => ({
    history,
    gradients,
    activations,
    interrupted,
    liveTensors,
    chosenEpoch,
    stopEpoch,
    stopReason,
    fullTestOutputs,
    chosenParams,
    evaluationSeconds,
  });

  if (await finishEpoch(0, performance.now())) return result(false, 0);
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const startedAt = performance.now();
    const order = shuffle.permutation(train.count);
    for (let s = 0; s < steps; s++) {
      if (performance.now() - lastYield > YIELD_EVERY_MS) {
        // Let signal handlers (Ctrl-C) and progress output run between synchronous steps.
        await new Promise((resolve) => setImmediate(resolve));
        lastYield = performance.now();
      }
      if (opts.shouldStop?.()) return result(true, epoch - 1);
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
    if (await finishEpoch(epoch, startedAt)) return result(false, epoch);
  }
  return result(false, epochs);
}
