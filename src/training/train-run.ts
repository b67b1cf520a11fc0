/**
 * One training run, from a resolved config to a folder of results.
 *
 *   backend -> data subset -> initial parameters (from the seed) -> engine -> trainLoop
 *
 * and, in the run folder (outputs/<config>-<run id>/ unless told otherwise):
 *   run.json      the resolved config, seed, backend and versions, data source, start and end
 *                 times; written at the start (status "running") and rewritten at the end
 *   history.csv   one row per epoch (epoch 0 = before training), rewritten atomically after
 *                 every epoch, so a run stopped at any moment leaves a readable file
 *   gradients.csv per-layer gradient statistics, when the config records them
 *   activations.csv per-hidden-layer saturation, dead units and percentiles, when the config records them
 *   summary.csv   one row: test accuracy at the epoch of lowest validation loss (the primary
 *                 figure, src/training/run-metrics.ts), final and last-five test accuracy, time
 *   weights.json  the final parameters (src/nn/params-io.ts)
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
import type { Subset } from '../data/types.js';
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
import { withTargets } from '../nn/targets.js';
import { stepsPerEpoch, trainLoop, type EpochRecord } from './loop.js';
import { prepareOutDir } from './out-dir.js';
import { removeIfEmpty } from '../util/folders.js';
import { existsSync } from 'node:fs';
import type { ProgressChoice, ProgressStyle } from '../util/progress-choice.js';
import { exitCodeFor, onStopSignal, type StopSignal } from '../util/signals.js';
import { runMetrics, type RunMetrics } from './run-metrics.js';
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
  /** The primary figure (test accuracy at the epoch of lowest validation loss) and the ones beside it. */
  metrics: RunMetrics;
  /** The best test accuracy after any epoch >= 1, and that epoch (chosen on the test set: flattering, not for verdicts). */
  bestTestAccuracy: number;
  bestEpoch: number;
  finalTrainAccuracy: number;
  finalTrainLoss: number;
  finalTestLoss: number;
  /** Training time: the sum of the epochs' seconds. */
  seconds: number;
  params: Params;
  dataSource: string;
  /** Live TensorFlow.js tensors after each history entry (constant when nothing leaks). */
  liveTensors: number[];
}

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
  'learning_rate',
  'momentum',
  'batch_size',
  'init',
  'test_acc',
  'selected_epoch',
  'val_loss_best',
  'test_acc_last5',
  'final_test_acc',
  'best_test_acc',
  'best_epoch',
  'final_train_acc',
  'final_train_loss',
  'final_test_loss',
  'seconds',
  'started_at',
  'finished_at',
] as const;

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
  say(
    `data: ${train.count} training, ${validation?.count ?? 0} validation and ${test.count} test images, ${subset.positive} (1) vs ${subset.negative} (0), ${subset.color}, ${train.inputs} inputs, from ${subset.source}`,
  );

  const sizes = layerSizes(train.inputs, config.hidden);
  const params = options.initialParams ?? initParams(sizes, config.init, config.seed);
  const network: NetworkSpec = { sizes, hiddenActivation: config.activation, outputActivation: config.outputActivation };

  const runInfo = {
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
      trainCount: train.count,
      testCount: test.count,
      validationCount: validation?.count ?? 0,
      inputs: train.inputs,
    },
    outDir,
    startedAt: startedAt.toISOString(),
    finishedAt: null as string | null,
    epochsCompleted: 0,
  };
  const writeRunJson = () => writeFileAtomic(path.join(outDir, 'run.json'), `${JSON.stringify(runInfo, null, 2)}\n`);
  await writeRunJson();
  say(
    `training ${config.name}: ${sizes.length} layers [${sizes.join(', ')}], ${config.activation}, ` +
      `lr ${config.learningRate}${config.momentum > 0 ? ` momentum ${config.momentum}` : ''}, batch ${config.batchSize}, ` +
      `${config.epochs} epochs, seed ${config.seed}, engine ${config.engine} -> ${outDir}`,
  );

  const historyRows: CsvRow[] = [];
  const gradientStatsSoFar: LayerGradientStat[] = [];
  const activationStatsSoFar: LayerActivationStat[] = [];
  const progress = new Progress(mode, config.epochs, stepsPerEpoch(train.count, config.batchSize));
  const interrupt = options.handleInterrupt === false ? null : new InterruptFlag();

  const engine = createEngine(config.engine, network, sgdSpecOf(config), params);
  let loop;
  let finalParams: Params;
  try {
    progress.start();
    loop = await trainLoop({
      engine,
      train,
      test,
      validation,
      epochs: config.epochs,
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
        await writeRunJson();
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

  const finishedAt = new Date();
  runInfo.finishedAt = finishedAt.toISOString();
  if (loop.interrupted) {
    runInfo.status = 'interrupted';
    await writeRunJson();
    throw new UserError(
      `interrupted after ${runInfo.epochsCompleted} of ${config.epochs} epochs; ` +
        `the finished epochs are in ${path.join(outDir, 'history.csv')}`,
      exitCodeFor(interrupt?.signal ?? 'SIGINT'),
    );
  }

  const { history } = loop;
  const trained = history.filter((h) => h.epoch >= 1);
  const last = history[history.length - 1];
  const best = trained.reduce((a, b) => (b.testAccuracy > a.testAccuracy ? b : a), trained[0]);
  const result: RunResult = {
    config,
    outDir,
    backend,
    engine: config.engine,
    history,
    gradients: loop.gradients,
    activations: loop.activations,
    metrics: runMetrics(history),
    finalTestAccuracy: last.testAccuracy,
    bestTestAccuracy: best.testAccuracy,
    bestEpoch: best.epoch,
    finalTrainAccuracy: last.trainAccuracy,
    finalTrainLoss: last.trainLoss,
    finalTestLoss: last.testLoss,
    seconds: last.elapsedSeconds,
    params: finalParams,
    dataSource: subset.source,
    liveTensors: loop.liveTensors,
  };

  await writeCsv(path.join(outDir, 'summary.csv'), SUMMARY_COLUMNS, [summaryRow(result, startedAt, finishedAt)]);
  await saveParams(path.join(outDir, 'weights.json'), finalParams);
  await saveLayersModel(outDir, network, finalParams); // model.json + weights.bin, for tf.loadLayersModel
  runInfo.status = 'finished';
  Object.assign(runInfo, {
    results: {
      testAccuracy: result.metrics.testAccuracy,
      selectedEpoch: result.metrics.selectedEpoch,
      finalTestAccuracy: result.finalTestAccuracy,
      bestTestAccuracy: result.bestTestAccuracy,
      bestEpoch: result.bestEpoch,
      finalTrainAccuracy: result.finalTrainAccuracy,
      finalTrainLoss: result.finalTrainLoss,
      finalTestLoss: result.finalTestLoss,
      seconds: result.seconds,
    },
  });
  await writeRunJson();
  if (options.charts !== false) {
    try {
      await writeTrainingCurves(outDir, history, { title: `${config.name} (seed ${config.seed})` });
      // gradients-by-layer/-by-epoch.svg/.png: the vanishing gradient of this run, when recorded.
      if (result.gradients.length > 0)
        await writeGradientCharts(outDir, result.gradients, { title: `${config.name} (seed ${config.seed})` });
      // activations.svg/.png: saturation, dead units and output percentiles per hidden layer, when recorded.
      if (result.activations.length > 0)
        await writeActivationChart(outDir, result.activations, { title: `${config.name} (seed ${config.seed})` });
    } catch (err) {
      // The numbers are already saved; a chart that cannot be drawn should not lose them.
      process.stderr.write(`warning: could not draw the charts: ${messageOf(err).split('\n')[0]}\n`);
    }
  }

  say(
    `test accuracy ${pct(result.metrics.testAccuracy)} at epoch ${result.metrics.selectedEpoch} (${result.metrics.selectedBy}), final ${pct(result.finalTestAccuracy)}, ` +
      `train accuracy ${pct(result.finalTrainAccuracy)}, ${result.seconds.toFixed(1)} s of training`,
  );
  say(`results: ${outDir}`);
  return result;
}

function resolveProgress(mode: ProgressChoice): ProgressStyle {
  if (mode !== 'auto') return mode;
  return process.stdout.isTTY ? 'bar' : 'lines';
}

function historyRow(e: EpochRecord): CsvRow {
  return {
    epoch: e.epoch,
    train_loss: e.trainLoss,
    train_acc: e.trainAccuracy,
    test_loss: e.testLoss,
    test_acc: e.testAccuracy,
    val_loss: Number.isFinite(e.valLoss) ? e.valLoss : '',
    val_acc: Number.isFinite(e.valAccuracy) ? e.valAccuracy : '',
    seconds: round(e.seconds),
    elapsed_seconds: round(e.elapsedSeconds),
    finished_at: new Date().toISOString(),
  };
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
    learning_rate: c.learningRate,
    momentum: c.momentum,
    batch_size: c.batchSize,
    init: c.init.scheme === 'normal' ? `normal(${c.init.std})` : c.init.scheme,
    test_acc: r.metrics.testAccuracy,
    selected_epoch: r.metrics.selectedEpoch,
    val_loss_best: Number.isFinite(r.metrics.bestValLoss) ? r.metrics.bestValLoss : '',
    test_acc_last5: r.metrics.testAccuracyLast5,
    final_test_acc: r.finalTestAccuracy,
    best_test_acc: r.bestTestAccuracy,
    best_epoch: r.bestEpoch,
    final_train_acc: r.finalTrainAccuracy,
    final_train_loss: r.finalTrainLoss,
    final_test_loss: r.finalTestLoss,
    seconds: round(r.seconds),
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

/** A bar over all the run's steps on a terminal, one line per epoch otherwise, or nothing. */
class Progress {
  private bar: cliProgress.SingleBar | null = null;
  private lastEpoch: EpochRecord | null = null;

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
    if (this.mode === 'lines') {
      const of = `${e.epoch}`.padStart(`${this.epochs}`.length);
      process.stdout.write(
        `epoch ${of}/${this.epochs}  train loss ${e.trainLoss.toFixed(4)} acc ${pct(e.trainAccuracy)}  ` +
          `test loss ${e.testLoss.toFixed(4)} acc ${pct(e.testAccuracy)}  ${e.seconds.toFixed(2)} s\n`,
      );
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
    return `epoch ${e.epoch}: train ${pct(e.trainAccuracy)} test ${pct(e.testAccuracy)}`;
  }
}
