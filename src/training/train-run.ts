/**
 * One training run, from a resolved config to a folder of results.
 *
 *   set-up:  backend -> data subset -> initial parameters (from the seed) -> run.json
 *   loop:    engine -> trainLoop (history.csv after every epoch, progress, Ctrl-C)
 *   record:  summary.csv, predictions.csv, weights, run.json's results, charts, the closing lines
 *
 * and, in the run folder (outputs/<config>-<run id>/ unless told otherwise):
 *   run.json      the resolved config, seed, backend and versions, data source, start and end
 *                 times; written at the start (status "running") and rewritten at the end
 *   history.csv   one row per epoch (epoch 0 = before training), rewritten atomically after
 *                 every epoch, so a run stopped at any moment leaves a readable file; a set not
 *                 scored after an epoch (config.evaluation, src/training/loop.ts) has empty cells
 *   gradients.csv per-layer gradient statistics, when the config records them
 *   activations.csv per-hidden-layer saturation, dead units and percentiles, when the config records them
 *   summary.csv   one row: test accuracy at the epoch of lowest validation loss (the primary
 *                 figure, src/training/run-metrics.ts) and that epoch, where and why the run
 *                 stopped, final and last-five test accuracy, the full test set's accuracy, time
 *   predictions.csv  the network's output for every image of the full test set (the two classes'
 *                 1,000 + 1,000 of the test batch) at the chosen and the final epoch, when
 *                 config.data.fullTest
 *   weights.json  the network whose figures the run reports: with a stopping rule the chosen
 *                 epoch's parameters (as early stopping keeps its best checkpoint), otherwise the
 *                 final ones (src/nn/params-io.ts)
 *   curves.svg/.png  loss and accuracy against epoch
 */
import os from 'node:os';
import path from 'node:path';
import cliProgress from 'cli-progress';
import { describeBackend, selectBackend, type BackendInfo } from '../nn/tfjs/backend.js';
import { threadsForRun, type ThreadsRequest } from '../nn/tfjs/threads.js';
import type { RunConfig } from '../config/schema.js';
import { resolveDataDir } from '../data/cache.js';
import { loadSubset } from '../data/subset.js';
import type { Dataset, IndexedDataset, Subset } from '../data/types.js';
import { initParams, type Params, layerSizes } from '../nn/params.js';
import { saveParams } from '../nn/params-io.js';
import { saveLayersModel } from '../nn/tfjs/layers-model.js';
import { GRADIENT_COLUMNS, gradientRows, type LayerGradientStat } from '../nn/gradient-stats.js';
import { writeCsv, type CsvRow } from '../util/csv.js';
import { writeActivationChart, writeGradientCharts, writeTrainingCurves } from '../charts/charts.js';
import { ACTIVATION_COLUMNS, activationRows, type LayerActivationStat } from '../nn/activation-stats.js';
import { writeFileAtomic } from '../util/atomic.js';
import { UserError, messageOf } from '../util/errors.js';
import type { EngineKind, NetworkSpec } from '../nn/engine.js';
import { createEngine, sgdSpecOf } from '../nn/create-engine.js';
import { decisionThreshold, withTargets } from '../nn/targets.js';
import { stepsPerEpoch, trainLoop, type EpochRecord, type LoopResult, type StopReason } from './loop.js';
import { prepareOutDir } from './out-dir.js';
import { removeIfEmpty } from '../util/folders.js';
import { existsSync } from 'node:fs';
import type { ProgressChoice, ProgressStyle } from '../util/progress-choice.js';
import { exitCodeFor, onStopSignal, type StopSignal } from '../util/signals.js';
import { accuracyOfOutputs, runMetrics, type RunMetrics } from './run-metrics.js';
import { projectVersion } from '../util/version.js';

export interface TrainRunOptions {
  /** The run folder; default outputs/<config name>-<run id>. Must not exist or be empty. */
  outDir?: string;
  /** Data cache (src/data/cache.ts resolveDataDir: flag > env CIFAR10_DATA_DIR > ~/.cache/cifar10-mlp). */
  dataDir?: string;
  /** auto: a bar when stdout is a terminal, else one line per epoch; none: print nothing. */
  progress?: ProgressChoice;
  /** After epoch 0 (before training) and after every epoch. */
  onEpoch?: (e: EpochRecord) => void;
  /** Train on this subset instead of loading one. */
  subset?: Subset;
  /** Start from these parameters instead of drawing them from the seed. */
  initialParams?: Params;
  /** Stop cleanly on Ctrl-C (SIGINT) between steps; default true. */
  handleInterrupt?: boolean;
  /** Draw curves.svg/.png at the end (about a second); default true. */
  charts?: boolean;
  /** Threads of a wasm run (src/nn/tfjs/threads.ts); default auto. The numbers do not depend on it. */
  threads?: ThreadsRequest;
  /** Cores this run may use under `threads: auto`; default all (a sweep gives each of its parallel runs its share). */
  cores?: number;
}

export interface RunResult {
  config: RunConfig;
  outDir: string;
  backend: BackendInfo | null;
  engine: EngineKind;
  history: EpochRecord[];
  gradients: LayerGradientStat[];
  activations: LayerActivationStat[];
  finalTestAccuracy: number;
  /** The primary figure (test accuracy at the epoch of lowest validation loss), that epoch, and the figures beside it. */
  metrics: RunMetrics;
  /** The last epoch trained, and why the run stopped there (src/config/schema.ts StoppingSchema). */
  stopEpoch: number;
  stopReason: StopReason;
  /** Accuracy on the full test set at the chosen and at the final epoch; NaN when it was not scored. */
  fullTestAccuracy: number;
  fullTestAccuracyFinal: number;
  /**
   * The best test accuracy after any epoch >= 1 whose test set was scored, and that epoch
   * (chosen on the test set: flattering, not for verdicts; kept for older readers).
   */
  bestTestAccuracy: number;
  bestEpoch: number;
  finalTrainAccuracy: number;
  finalTrainLoss: number;
  finalTestLoss: number;
  /** Training time: the sum of the epochs' seconds. */
  seconds: number;
  /** The part of `seconds` spent scoring sets. */
  evaluationSeconds: number;
  /** The network the run keeps (weights.json, model.json): the chosen epoch's with a stopping rule, else the final. */
  params: Params;
  dataSource: string;
  /** Live TensorFlow.js tensors after each history entry (constant when nothing leaks). */
  liveTensors: number[];
}

/** Cells of sets not scored after an epoch are empty (see the header). */
export const HISTORY_COLUMNS = [
  'epoch',
  'train_loss',
  'train_acc',
  'test_loss',
  'test_acc',
  'val_loss',
  'val_acc',
  'seconds',
  'elapsed_seconds',
  'finished_at',
] as const;

export const SUMMARY_COLUMNS = [
  'config',
  'activation',
  'layers',
  'hidden',
  'engine',
  'backend',
  'seed',
  'epochs',
  'patience',
  'learning_rate',
  'momentum',
  'batch_size',
  'init',
  'test_acc',
  'best_epoch',
  'stop_epoch',
  'stop_reason',
  'val_loss_best',
  'test_acc_last5',
  'final_test_acc',
  'test_full_acc',
  'test_full_acc_final',
  'best_test_acc',
  'best_test_epoch',
  'final_train_acc',
  'final_train_loss',
  'final_test_loss',
  'seconds',
  'eval_seconds',
  'started_at',
  'finished_at',
] as const;

/** predictions.csv: one row per image of the full test set, in test-batch order. */
export const PREDICTION_COLUMNS = ['index', 'label', 'in_test', 'output_best', 'output_final'] as const;

export async function trainRun(config: RunConfig, options: TrainRunOptions = {}): Promise<RunResult> {
  const mode = resolveProgress(options.progress ?? 'auto');
  const startedAt = new Date();
  // The folder first: a bad --out fails in a second, before the backend and the data load.
  const existed = options.outDir !== undefined && existsSync(options.outDir);
  const outDir = await prepareOutDir(options.outDir, config.name, startedAt);
  try {
    return await trainInto(outDir, config, options, mode, startedAt);
  } catch (err) {
    // Stopped before run.json was written (the backend or the data failed): no empty folder is left.
    if (!existed) await removeIfEmpty(outDir);
    throw err;
  }
}

async function trainInto(
  outDir: string,
  config: RunConfig,
  options: TrainRunOptions,
  mode: ProgressStyle,
  startedAt: Date,
): Promise<RunResult> {
  const run = await setUpRun(outDir, config, options, mode, startedAt);
  const { loop, finalParams } = await runLoop(run, options);
  return recordRun(run, loop, finalParams, options);
}

/** What the set-up hands to the loop and the record. */
interface RunSetUp {
  outDir: string;
  config: RunConfig;
  mode: ProgressStyle;
  startedAt: Date;
  say: (line: string) => void;
  backend: BackendInfo | null;
  subset: Subset;
  /** The subset's sets with the configured targets. */
  train: Dataset;
  test: Dataset;
  validation: Dataset | undefined;
  /** The full test set, when the config scores it and the subset has it. */
  fullTest: IndexedDataset | undefined;
  network: NetworkSpec;
  params: Params;
  runInfo: RunInfo;
  writeRunJson: () => Promise<void>;
}

type RunInfo = ReturnType<typeof runInfoOf>;

/** Backend, data, initial parameters, and run.json (status "running"). */
async function setUpRun(
  outDir: string,
  config: RunConfig,
  options: TrainRunOptions,
  mode: ProgressStyle,
  startedAt: Date,
): Promise<RunSetUp> {
  const say = (line: string): void => {
    if (mode !== 'none') process.stdout.write(`${line}\n`);
  };
  const threads = threadsForRun(options.threads ?? 'auto', config.batchSize, options.cores ?? os.availableParallelism());
  const backend = config.engine === 'tfjs' ? await selectBackend(config.backend, threads.threads) : null;
  // The backend is set up once per process: a later run in the same process keeps the first one's threads.
  const threadsWhy =
    backend?.name !== 'wasm' ? '' : backend.threads === threads.threads ? ` (${threads.why})` : " (the process's first run set them)";
  say(backend ? `backend: ${describeBackend(backend)}${threadsWhy}` : 'engine: handwritten (plain TypeScript, no TensorFlow.js backend)');

  const subset = options.subset ?? (await loadSubset({ dataDir: resolveDataDir(options.dataDir), ...config.data, log: say }));
  // The data's 1/0 labels as the configured targets (config.targets; the same arrays for 1/0).
  const [train, test] = [withTargets(subset.train, config.targets), withTargets(subset.test, config.targets)];
  const validation = subset.validation ? withTargets(subset.validation, config.targets) : undefined;
  const fullTest =
    config.data.fullTest && subset.fullTest ? { ...withTargets(subset.fullTest, config.targets), index: subset.fullTest.index } : undefined;
  say(
    `data: ${train.count} training, ${validation?.count ?? 0} validation and ${test.count} test images` +
      `${fullTest ? ` (full test set: ${fullTest.count})` : ''}, ${subset.positive} (1) vs ${subset.negative} (0), ${subset.color}, ${train.inputs} inputs, from ${subset.source}`,
  );
  if (config.data.fullTest && !subset.fullTest) say('full test set: not in the data given to this run; predictions.csv is not written');

  const sizes = layerSizes(train.inputs, config.hidden);
  const params = options.initialParams ?? initParams(sizes, config.init, config.seed);
  const network: NetworkSpec = { sizes, hiddenActivation: config.activation, outputActivation: config.outputActivation };
  const runInfo = runInfoOf(config, outDir, startedAt, backend, subset, { train, test, validation, fullTest }, sizes);
  const writeRunJson = () => writeFileAtomic(path.join(outDir, 'run.json'), `${JSON.stringify(runInfo, null, 2)}\n`);
  await writeRunJson();
  const budget = config.stopping
    ? `at most ${config.epochs} epochs (stopping after ${patienceText(config)} without a lower validation loss)`
    : `${config.epochs} epochs`;
  say(
    `training ${config.name}: ${sizes.length} layers [${sizes.join(', ')}], ${config.activation}, ` +
      `lr ${config.learningRate}${config.momentum > 0 ? ` momentum ${config.momentum}` : ''}, batch ${config.batchSize}, ` +
      `${budget}, seed ${config.seed}, engine ${config.engine} -> ${outDir}`,
  );
  return {
    outDir,
    config,
    mode,
    startedAt,
    say,
    backend,
    subset,
    train,
    test,
    validation,
    fullTest,
    network,
    params,
    runInfo,
    writeRunJson,
  };
}

function runInfoOf(
  config: RunConfig,
  outDir: string,
  startedAt: Date,
  backend: BackendInfo | null,
  subset: Subset,
  sets: { train: Dataset; test: Dataset; validation?: Dataset; fullTest?: Dataset },
  sizes: number[],
) {
  return {
    name: config.name,
    status: 'running' as 'running' | 'finished' | 'interrupted',
    config,
    seed: config.seed,
    layers: sizes.length,
    sizes,
    engine: config.engine,
    backend,
    versions: { node: process.version, tfjs: backend?.tfjsVersion ?? null, project: projectVersion() },
    threads: backend?.threads ?? 1,
    data: {
      source: subset.source,
      dataDir: subset.dataDir,
      positive: subset.positive,
      negative: subset.negative,
      color: subset.color,
      trainCount: sets.train.count,
      testCount: sets.test.count,
      validationCount: sets.validation?.count ?? 0,
      fullTestCount: sets.fullTest?.count ?? 0,
      inputs: sets.train.inputs,
    },
    outDir,
    startedAt: startedAt.toISOString(),
    finishedAt: null as string | null,
    epochsCompleted: 0,
  };
}

/** The engine and the training loop, with history.csv kept current and Ctrl-C turned into a clean stop. */
async function runLoop(run: RunSetUp, options: TrainRunOptions): Promise<{ loop: LoopResult; finalParams: Params }> {
  const { config, outDir, runInfo } = run;
  const historyRows: CsvRow[] = [];
  const gradientStatsSoFar: LayerGradientStat[] = [];
  const activationStatsSoFar: LayerActivationStat[] = [];
  const progress = new Progress(run.mode, config.epochs, stepsPerEpoch(run.train.count, config.batchSize));
  const interrupt = options.handleInterrupt === false ? null : new InterruptFlag();

  const engine = createEngine(config.engine, run.network, sgdSpecOf(config), run.params);
  let loop: LoopResult;
  let finalParams: Params;
  try {
    progress.start();
    loop = await trainLoop({
      engine,
      train: run.train,
      test: run.test,
      validation: run.validation,
      fullTest: run.fullTest,
      epochs: config.epochs,
      patience: config.stopping?.patience,
      patienceFraction: config.stopping?.patienceFraction,
      stall: config.stopping?.stall,
      evaluation: config.evaluation,
      batchSize: config.batchSize,
      seed: config.seed,
      recordGradients: config.recordGradients,
      recordActivations: config.recordActivations,
      shouldStop: () => interrupt?.raised ?? false,
      onStep: (epoch, step) => progress.step(epoch, step),
      onEpoch: async (record, stats, activations) => {
        historyRows.push(historyRow(record));
        gradientStatsSoFar.push(...stats);
        activationStatsSoFar.push(...activations);
        await writeCsv(path.join(outDir, 'history.csv'), HISTORY_COLUMNS, historyRows);
        if (config.recordGradients) await writeCsv(path.join(outDir, 'gradients.csv'), GRADIENT_COLUMNS, gradientRows(gradientStatsSoFar));
        if (config.recordActivations)
          await writeCsv(path.join(outDir, 'activations.csv'), ACTIVATION_COLUMNS, activationRows(activationStatsSoFar));
        runInfo.epochsCompleted = record.epoch;
        // Kept current, so a run killed without warning (SIGKILL, power) still says how far it got.
        await run.writeRunJson();
        progress.epoch(record);
        options.onEpoch?.(record);
      },
    });
    finalParams = engine.getParams();
  } finally {
    progress.stop();
    interrupt?.remove();
    engine.dispose();
  }

  if (loop.interrupted) {
    runInfo.finishedAt = new Date().toISOString();
    runInfo.status = 'interrupted';
    await run.writeRunJson();
    throw new UserError(
      `interrupted after ${runInfo.epochsCompleted} of ${config.epochs} epochs; ` +
        `the finished epochs are in ${path.join(outDir, 'history.csv')}`,
      exitCodeFor(interrupt?.signal ?? 'SIGINT'),
    );
  }
  return { loop, finalParams };
}

/** The run's figures and files once the loop has finished, and its closing lines. */
async function recordRun(run: RunSetUp, loop: LoopResult, finalParams: Params, options: TrainRunOptions): Promise<RunResult> {
  const { config, outDir, runInfo, say } = run;
  const finishedAt = new Date();
  runInfo.finishedAt = finishedAt.toISOString();
  const { history } = loop;
  const last = history[history.length - 1];
  const testScored = history.filter((h) => h.epoch >= 1 && !Number.isNaN(h.testAccuracy));
  const bestTest = testScored.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a), testScored[0] ?? last);
  const threshold = decisionThreshold(config.targets);
  const full = run.fullTest && loop.fullTestOutputs ? { set: run.fullTest, outputs: loop.fullTestOutputs } : null;
  const result: RunResult = {
    config,
    outDir,
    backend: run.backend,
    engine: config.engine,
    history,
    gradients: loop.gradients,
    activations: loop.activations,
    metrics: runMetrics(history),
    stopEpoch: loop.stopEpoch,
    stopReason: loop.stopReason,
    fullTestAccuracy: full ? accuracyOfOutputs(full.outputs.chosen, full.set.y, threshold) : Number.NaN,
    fullTestAccuracyFinal: full ? accuracyOfOutputs(full.outputs.final, full.set.y, threshold) : Number.NaN,
    finalTestAccuracy: last.testAccuracy,
    bestTestAccuracy: bestTest.testAccuracy,
    bestEpoch: bestTest.epoch,
    finalTrainAccuracy: last.trainAccuracy,
    finalTrainLoss: last.trainLoss,
    finalTestLoss: last.testLoss,
    seconds: last.elapsedSeconds,
    evaluationSeconds: loop.evaluationSeconds,
    // With a stopping rule the run reports its chosen epoch, so that is the network it keeps
    // (and the one the probes examine); a fixed-length run keeps its final network, as before.
    params: config.stopping && loop.chosenParams ? loop.chosenParams : finalParams,
    dataSource: run.subset.source,
    liveTensors: loop.liveTensors,
  };
  if (result.metrics.selectedEpoch !== loop.chosenEpoch)
    throw new Error(`the loop chose epoch ${loop.chosenEpoch}, the run's metrics epoch ${result.metrics.selectedEpoch}`);

  // Again at the end: the chosen epoch's training-set cells are filled in only once the run has finished.
  await writeCsv(path.join(outDir, 'history.csv'), HISTORY_COLUMNS, history.map(historyRow));
  await writeCsv(path.join(outDir, 'summary.csv'), SUMMARY_COLUMNS, [summaryRow(result, run.startedAt, finishedAt)]);
  if (full)
    await writeCsv(
      path.join(outDir, 'predictions.csv'),
      PREDICTION_COLUMNS,
      predictionRows(run.subset, full.outputs.chosen, full.outputs.final),
    );
  await saveParams(path.join(outDir, 'weights.json'), result.params);
  await saveLayersModel(outDir, run.network, result.params); // model.json + weights.bin, for tf.loadLayersModel
  runInfo.status = 'finished';
  Object.assign(runInfo, {
    results: {
      testAccuracy: result.metrics.testAccuracy,
      selectedEpoch: result.metrics.selectedEpoch,
      bestEpoch: result.metrics.selectedEpoch,
      stopEpoch: result.stopEpoch,
      stopReason: result.stopReason,
      finalTestAccuracy: result.finalTestAccuracy,
      testFullAccuracy: nullIfNaN(result.fullTestAccuracy),
      testFullAccuracyFinal: nullIfNaN(result.fullTestAccuracyFinal),
      bestTestAccuracy: result.bestTestAccuracy,
      bestTestEpoch: result.bestEpoch,
      finalTrainAccuracy: result.finalTrainAccuracy,
      finalTrainLoss: result.finalTrainLoss,
      finalTestLoss: result.finalTestLoss,
      seconds: result.seconds,
      evaluationSeconds: result.evaluationSeconds,
    },
  });
  await run.writeRunJson();
  if (options.charts !== false) await drawCharts(result);

  const m = result.metrics;
  say(
    `test ${pct(m.testAccuracy)} at epoch ${m.selectedEpoch} (${m.selectedBy}); ` +
      `final ${pct(result.finalTestAccuracy)} at epoch ${result.stopEpoch} (${stopText(result, config)})`,
  );
  if (full) {
    say(
      `full test set (${full.set.count} images): ${pct(result.fullTestAccuracy)} at epoch ${m.selectedEpoch}, ${pct(result.fullTestAccuracyFinal)} at epoch ${result.stopEpoch}`,
    );
  }
  say(
    `train accuracy ${pct(result.finalTrainAccuracy)} at epoch ${result.stopEpoch}; ${result.seconds.toFixed(1)} s of training, ` +
      `${result.evaluationSeconds.toFixed(1)} s of it scoring sets`,
  );
  say(`results: ${outDir}`);
  return result;
}

async function drawCharts(result: RunResult): Promise<void> {
  const { config, outDir } = result;
  const title = `${config.name} (seed ${config.seed})`;
  try {
    await writeTrainingCurves(outDir, result.history, { title, chosenEpoch: result.metrics.selectedEpoch });
    // gradients-by-layer/-by-epoch.svg/.png: the vanishing gradient of this run, when recorded.
    if (result.gradients.length > 0) await writeGradientCharts(outDir, result.gradients, { title });
    // activations.svg/.png: saturation, dead units and output percentiles per hidden layer, when recorded.
    if (result.activations.length > 0) await writeActivationChart(outDir, result.activations, { title });
  } catch (err) {
    // The numbers are already saved; a chart that cannot be drawn should not lose them.
    process.stderr.write(`warning: could not draw the charts: ${messageOf(err).split('\n')[0]}\n`);
  }
}

function patienceText(config: RunConfig): string {
  const s = config.stopping;
  if (!s) return '';
  return s.patienceFraction ? `max(${s.patience}, ${s.patienceFraction} x the best epoch) epochs` : `${s.patience} epochs`;
}

function stopText(r: RunResult, config: RunConfig): string {
  switch (r.stopReason) {
    case 'fixed':
      return `${config.epochs} epochs, no stopping rule`;
    case 'patience':
      return `stopped: no lower validation loss for ${patienceText(config)}`;
    case 'maximum':
      return `stopped at the maximum of ${config.epochs} epochs, validation loss still falling within the patience`;
    case 'stalled': {
      const s = config.stopping!.stall!;
      return `stalled: validation accuracy at most ${s.maxValAccuracy} and loss at least ${s.minLossRatio} x its value at epoch ${Math.floor(s.epoch / 2)}`;
    }
  }
}

/** One row per image of the full test set; `in_test` marks the ones that are also in the (article-sized) test set. */
function predictionRows(subset: Subset, chosen: Float32Array, final: Float32Array): CsvRow[] {
  const full = subset.fullTest!;
  const testPerClass = subset.test.count / 2;
  const seen = [0, 0];
  return Array.from({ length: full.count }, (_, k) => {
    const label = full.y[k];
    const rank = seen[label]++;
    return { index: full.index[k], label, in_test: rank < testPerClass ? 1 : 0, output_best: chosen[k], output_final: final[k] };
  });
}

function nullIfNaN(v: number): number | null {
  return Number.isNaN(v) ? null : v;
}

function resolveProgress(mode: ProgressChoice): ProgressStyle {
  if (mode !== 'auto') return mode;
  return process.stdout.isTTY ? 'bar' : 'lines';
}

function historyRow(e: EpochRecord): CsvRow {
  return {
    epoch: e.epoch,
    train_loss: scoredCell(e.trainLoss),
    train_acc: scoredCell(e.trainAccuracy),
    test_loss: scoredCell(e.testLoss),
    test_acc: scoredCell(e.testAccuracy),
    val_loss: Number.isFinite(e.valLoss) ? e.valLoss : '',
    val_acc: Number.isFinite(e.valAccuracy) ? e.valAccuracy : '',
    seconds: round(e.seconds),
    elapsed_seconds: round(e.elapsedSeconds),
    finished_at: new Date().toISOString(),
  };
}

/** A set not scored after the epoch is NaN in the record and an empty cell in the file. */
function scoredCell(v: number): number | '' {
  return Number.isNaN(v) ? '' : v;
}

function summaryRow(r: RunResult, startedAt: Date, finishedAt: Date): CsvRow {
  const c = r.config;
  return {
    config: c.name,
    activation: c.activation,
    layers: c.hidden.length + 2,
    hidden: c.hidden.join(' '),
    engine: r.engine,
    backend: r.backend?.name ?? 'none',
    seed: c.seed,
    epochs: c.epochs,
    patience: c.stopping?.patience ?? '',
    learning_rate: c.learningRate,
    momentum: c.momentum,
    batch_size: c.batchSize,
    init: c.init.scheme === 'normal' ? `normal(${c.init.std})` : c.init.scheme,
    test_acc: r.metrics.testAccuracy,
    best_epoch: r.metrics.selectedEpoch,
    stop_epoch: r.stopEpoch,
    stop_reason: r.stopReason,
    val_loss_best: Number.isFinite(r.metrics.bestValLoss) ? r.metrics.bestValLoss : '',
    test_acc_last5: r.metrics.testAccuracyLast5,
    final_test_acc: r.finalTestAccuracy,
    test_full_acc: scoredCell(r.fullTestAccuracy),
    test_full_acc_final: scoredCell(r.fullTestAccuracyFinal),
    best_test_acc: r.bestTestAccuracy,
    best_test_epoch: r.bestEpoch,
    final_train_acc: r.finalTrainAccuracy,
    final_train_loss: r.finalTrainLoss,
    final_test_loss: r.finalTestLoss,
    seconds: round(r.seconds),
    eval_seconds: round(r.evaluationSeconds),
    started_at: startedAt.toISOString(),
    finished_at: finishedAt.toISOString(),
  };
}

/** Times to the millisecond: more digits are noise. */
function round(seconds: number): number {
  return Math.round(seconds * 1000) / 1000;
}

function pct(x: number): string {
  return `${(100 * x).toFixed(1)} %`;
}

/**
 * Ctrl-C, SIGTERM or SIGHUP once: finish cleanly after the current step (run.json then says
 * "interrupted"). Twice: quit at once.
 */
class InterruptFlag {
  signal: StopSignal | null = null;
  private readonly remove_ = onStopSignal((signal) => {
    if (this.signal) process.exit(exitCodeFor(signal));
    this.signal = signal;
    process.stderr.write(`\nstopping after the current step (${signal}; Ctrl-C again to quit at once)\n`);
  });

  get raised(): boolean {
    return this.signal !== null;
  }

  remove(): void {
    this.remove_();
  }
}

/**
 * A bar over all the run's steps on a terminal, one line per epoch otherwise, or nothing. Each
 * epoch shows the training set (when scored), the validation set, which chooses the epoch a run
 * reports, and the test set (when scored); an epoch with the lowest validation loss so far is
 * marked, since its test accuracy is the figure the run would report if it stopped there.
 */
class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private lastEpoch: EpochRecord | null = null;
  private lowestValLoss = Number.POSITIVE_INFINITY;

  constructor(
    private readonly mode: ProgressStyle,
    private readonly epochs: number,
    private readonly steps: number,
  ) {}

  start(): void {
    if (this.mode !== 'bar') return;
    this.bar = new cliProgress.SingleBar(
      {
        format: 'epoch {epoch}/{epochs} |{bar}| {percentage}% | {last} | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 200,
      },
      cliProgress.Presets.shades_classic,
    );
    this.bar.start(this.epochs * this.steps, 0, { epoch: 1, epochs: this.epochs, last: 'first epoch running' });
  }

  step(epoch: number, step: number): void {
    this.bar?.update((epoch - 1) * this.steps + step, { epoch, epochs: this.epochs, last: this.describeLast() });
  }

  epoch(e: EpochRecord): void {
    this.lastEpoch = e;
    const lowest = e.valLoss < this.lowestValLoss;
    if (lowest) this.lowestValLoss = e.valLoss;
    if (this.mode === 'lines') {
      process.stdout.write(`${epochLine(e, this.epochs, lowest)}\n`);
    } else if (this.bar && e.epoch >= 1) {
      this.bar.update(e.epoch * this.steps, { epoch: Math.min(e.epoch + 1, this.epochs), epochs: this.epochs, last: this.describeLast() });
    }
  }

  stop(): void {
    this.bar?.stop();
    this.bar = null;
  }

  private describeLast(): string {
    const e = this.lastEpoch;
    if (!e || e.epoch === 0) return 'first epoch running';
    return `epoch ${e.epoch}: val ${pctOrDash(e.valAccuracy)} test ${pctOrDash(e.testAccuracy)}`;
  }
}

/** One epoch's line: `epoch  3/40  train loss 0.1800 acc 74.1 %  val loss 0.1900 acc 72.0 %  test acc 71.5 %  *  1.23 s`. */
function epochLine(e: EpochRecord, epochs: number, lowestValLossSoFar: boolean): string {
  const of = `${e.epoch}`.padStart(`${epochs}`.length);
  const set = (name: string, loss: number, accuracy: number) =>
    Number.isNaN(loss) ? `${name} -` : `${name} loss ${loss.toFixed(4)} acc ${pct(accuracy)}`;
  const parts = [
    `epoch ${of}/${epochs}`,
    set('train', e.trainLoss, e.trainAccuracy),
    ...(Number.isNaN(e.valLoss) ? [] : [set('val', e.valLoss, e.valAccuracy)]),
    `test ${Number.isNaN(e.testAccuracy) ? '-' : `acc ${pct(e.testAccuracy)}`}`,
    ...(lowestValLossSoFar ? ['* lowest val loss so far'] : []),
    `${e.seconds.toFixed(2)} s`,
  ];
  return parts.join('  ');
}

function pctOrDash(x: number): string {
  return Number.isNaN(x) ? '-' : pct(x);
}
