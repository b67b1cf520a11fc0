/**
 * Running one probe job of the plan on the network a training run of the sweep produced (its
 * weights.json), over that run's training set, into the probe's own folder, atomically:
 * - the loss along single first-layer weights (runLandscapeProbe, src/probes/landscape-run.ts, on
 *   the networks of probe-networks.ts: both shared with the `landscape` command), after training
 *   and, in init/, from the run's initial weights (redrawn from its init scheme and seed);
 * - the author's explanation measured at both states (src/probes/mechanism.ts): deltas.csv,
 *   target-activations.csv, and the summary in result.json.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { produceAtomically } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { selectBackend } from '../nn/tfjs/backend.js';
import { threadsForRun } from '../nn/tfjs/threads.js';
import { loadParams } from '../nn/params-io.js';
import { mkdir } from 'node:fs/promises';
import { runLandscapeProbe } from '../probes/landscape-run.js';
import type { LandscapeResult } from '../probes/landscape.js';
import type { ProbedNetwork } from '../probes/weight-scan.js';
import { measureMechanism, writeMechanismCsvs } from '../probes/mechanism.js';
import { jobFingerprint, type LandscapeJob } from './job.js';
import { jobDir, readJobRecord, writeJson, RESULT_FILE, type LandscapeRecord } from './store.js';
import { versionsWith } from './versions.js';
import type { ExecuteOptions, ExecuteResult } from './messages.js';
import { subsetFor } from './subset-cache.js';
import { initialParams, probeTrainingSet, probedNetwork } from './probe-networks.js';

export async function executeLandscapeJob(job: LandscapeJob, opts: ExecuteOptions): Promise<ExecuteResult> {
  const trainDir = jobDir(opts.outDir, { kind: 'train', id: job.trainId });
  const resultFile = path.join(trainDir, RESULT_FILE);
  if (!existsSync(resultFile))
    throw new UserError(`${job.id}: the run it probes, ${job.trainId}, is not complete (${resultFile} is missing)`);
  const trained = readJobRecord(resultFile);
  if (trained.kind !== 'train') throw new UserError(`${resultFile}: expected the result of a training run, found a ${trained.kind} probe`);
  const config = trained.config;
  const params = loadParams(path.join(trainDir, 'weights.json'));
  // The probe computes with TensorFlow.js whatever engine trained the network.
  const subset = await subsetFor(config, opts.dataDir);
  // The probe's forward passes take the whole training set at once (large products, where threads pay).
  const backend = await selectBackend(config.backend, threadsForRun('auto', subset.train.count, opts.cores).threads);
  // The loss the network was trained on: against its configured targets (e.g. 0.9 / 0.1), not always 1 / 0.
  const train = probeTrainingSet(subset.train, config);
  const trainedNetwork = probedNetwork(config, params, job.configName);
  // The same network before training: the weights its run started from (same init scheme and seed).
  const initial = initialParams(config, params.sizes);
  return produceAtomically(jobDir(opts.outDir, job), async (tmp) => {
    const probe = (network: ProbedNetwork, outDir: string) =>
      runLandscapeProbe({
        networks: [network],
        train,
        settings: job.settings,
        // The run's seed picks the weights, so sigmoid7 and relu7 of one seed, trained or not, are probed at the same positions.
        seed: job.seed,
        // A failed derivative check is reported in the record and the report rather than discarding the probe.
        failOnCheck: false,
        outDir,
      });
    const r = await probe(trainedNetwork, tmp);
    const initDir = path.join(tmp, INIT_DIR);
    await mkdir(initDir);
    const atInit = await probe({ ...trainedNetwork, name: `${job.configName} (init)`, params: initial }, initDir);
    const mechanism = measureMechanism({ trained: trainedNetwork, initial, data: train, seed: job.seed, settings: job.mechanism });
    await writeMechanismCsvs(tmp, job.configName, mechanism);
    const record: LandscapeRecord = {
      kind: 'landscape',
      id: job.id,
      configName: job.configName,
      seed: job.seed,
      trainId: job.trainId,
      fingerprint: jobFingerprint(job),
      activation: config.activation,
      hidden: [...config.hidden],
      examples: r.examples,
      series: r.curves.map(recordedCurve),
      initSeries: atInit.curves.map(recordedCurve),
      mechanism: mechanism.summary,
      check: { relative: r.check.relative, tolerance: r.check.tolerance, passed: r.check.passed, where: r.check.where },
      seconds: r.seconds.total + atInit.seconds.total + mechanism.summary.seconds,
      host: os.hostname(),
      finishedAt: new Date().toISOString(),
      versions: versionsWith(backend.tfjsVersion),
    };
    await writeJson(path.join(tmp, RESULT_FILE), record);
    const inside = r.counts.reduce((a, c) => a + c.inside, 0);
    const m = mechanism.summary;
    return {
      seconds: record.seconds,
      headline:
        `${r.curves.length} weights swept, minimum inside the range for ${inside}; derivative check ${r.check.passed ? 'passed' : 'FAILED'}; ` +
        `δ top/first hidden ${(10 ** m.init.deltaLog10TopOverFirst).toPrecision(3)}x at init, ${(10 ** m.trained.deltaLog10TopOverFirst).toPrecision(3)}x trained; ` +
        `saturated ${(100 * m.trained.saturated).toFixed(1)} % in ${record.seconds.toFixed(1)} s`,
    };
  });
}

/** Where the sweeps of the initial network go, inside the probe's folder. */
const INIT_DIR = 'init';

function recordedCurve(c: LandscapeResult['curves'][number]): LandscapeRecord['series'][number] {
  return {
    weightI: c.weightI,
    weightJ: c.weightJ,
    original: c.original,
    values: c.values,
    losses: c.losses,
    minimum: c.shape.minimum,
    monotone: c.shape.monotone,
    unitActive: c.unitActive,
    unitSaturated: c.unitSaturated,
  };
}
