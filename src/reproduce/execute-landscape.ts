/**
 * Running one landscape probe of the plan: the loss along single first-layer weights of the
 * network a training run of the sweep produced (its weights.json), over that run's training
 * set, through runLandscapeProbe (src/probes/landscape-run.ts, shared with the `landscape`
 * command), into the probe's own folder, atomically.
 */
import os from 'node:os';
import path from 'node:path';
import { existsSync } from 'node:fs';
import { produceAtomically } from '../util/atomic.js';
import { UserError } from '../util/errors.js';
import { selectBackend } from '../nn/tfjs/backend.js';
import { loadParams } from '../nn/params-io.js';
import { runLandscapeProbe } from '../probes/landscape-run.js';
import { jobFingerprint, type LandscapeJob } from './plan.js';
import { jobDir, readJobRecord, writeJson, RESULT_FILE, type LandscapeRecord } from './store.js';
import { versionsWith } from './versions.js';
import type { ExecuteOptions, ExecuteResult } from './messages.js';
import { subsetFor } from './subset-cache.js';

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
  const backend = await selectBackend(config.backend);
  const subset = await subsetFor(config, opts.dataDir);
  return produceAtomically(jobDir(opts.outDir, job), async (tmp) => {
    const r = await runLandscapeProbe({
      networks: [
        {
          name: job.configName,
          activation: config.activation,
          outputActivation: config.outputActivation,
          params,
          learningRate: config.learningRate,
        },
      ],
      train: subset.train,
      settings: job.settings,
      // The run's seed picks the weights, so sigmoid7 and relu7 of one seed are probed at the same positions.
      seed: job.seed,
      // A failed derivative check is reported in the record and the report rather than discarding the probe.
      failOnCheck: false,
      outDir: tmp,
    });
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
      series: r.curves.map((c) => ({
        weightI: c.weightI,
        weightJ: c.weightJ,
        original: c.original,
        values: c.values,
        losses: c.losses,
        minimum: c.shape.minimum,
        monotone: c.shape.monotone,
      })),
      check: { relative: r.check.relative, tolerance: r.check.tolerance, passed: r.check.passed, where: r.check.where },
      seconds: r.seconds.total,
      host: os.hostname(),
      finishedAt: new Date().toISOString(),
      versions: versionsWith(backend.tfjsVersion),
    };
    await writeJson(path.join(tmp, RESULT_FILE), record);
    const inside = r.counts.reduce((a, c) => a + c.inside, 0);
    return {
      seconds: r.seconds.total,
      headline: `${r.curves.length} weights swept, minimum inside the range for ${inside}; derivative check ${r.check.passed ? 'passed' : 'FAILED'} in ${r.seconds.total.toFixed(1)} s`,
    };
  });
}
