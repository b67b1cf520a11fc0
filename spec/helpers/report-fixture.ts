/**
 * A reproduce folder made by hand, without training: plan.json, one result.json per job (with
 * the accuracies, gradients and landscape curves a caller chooses) and sessions.json, exactly
 * as a sweep leaves them. finalize() then writes the summary, charts and report from it.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../../src/config/load.js';
import type { RunConfig } from '../../src/config/schema.js';
import { parseReproduceSettings } from '../../src/reproduce/config.js';
import { articlePlan } from '../../src/reproduce/article.js';
import { jobFingerprint } from '../../src/experiment/job.js';
import { WHOLE } from '../../src/experiment/shard.js';
import type { MechanismSummary } from '../../src/probes/mechanism.js';
import {
  jobDir,
  planFileOf,
  RESULT_FILE,
  RUN_SUMMARY_FILE,
  SESSIONS_FILE,
  PLAN_FILE,
  type JobRecord,
  type SessionRecord,
} from '../../src/experiment/store.js';

const ARTICLE_HIDDEN = [150, 100, 50, 30, 15];

export interface SyntheticSweep {
  /** Final test accuracy of a run. */
  accuracy: (activation: string, layers: number, seed: number) => number;
  /** Loss along a swept weight of the probed network. */
  landscape?: (activation: string, w: number) => number;
  /** Mean |gradient| of a layer (1-based) of a 7-layer network at an epoch. */
  gradient?: (activation: string, layer: number, epoch: number) => number;
  /**
   * The author's explanation measured on the probed networks: log10 δ ratios, the "need" and saturated shares, and
   * log10 of how much the probed first-layer weights grew in training (default 0: the initial curves' weights equal the trained ones).
   */
  mechanism?: (activation: string) => {
    deltaInit: number;
    deltaTrained: number;
    need: number;
    saturated: number;
    /** The saturated share at initialisation (default 0). */
    saturatedInit?: number;
    weightGrowthLog10?: number;
  };
  seeds?: number;
}

function mechanismSummary(activation: string, m: ReturnType<NonNullable<SyntheticSweep['mechanism']>>): MechanismSummary {
  const state = (delta: number, saturated: number, need: number) => ({
    deltaMeanNorm: [1, 10 ** delta],
    deltaLog10TopOverFirst: delta,
    deltaShrinkPerLayer: 10 ** (delta / 4),
    needOutside: need,
    needAbove: need / 2,
    saturated,
    off: activation === 'relu' ? 0.5 : 0,
    deadUnits: 0,
  });
  return {
    activation,
    init: state(m.deltaInit, m.saturatedInit ?? 0, m.need),
    trained: state(m.deltaTrained, m.saturated, m.need),
    sameWeightsInit: [
      { activation: 'sigmoid', deltaLog10TopOverFirst: 2, deltaShrinkPerLayer: 3.16 },
      { activation: 'relu', deltaLog10TopOverFirst: 0, deltaShrinkPerLayer: 1 },
    ],
    seconds: 1,
  };
}

export function makeSyntheticReproduceDir(s: SyntheticSweep): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'report-fixture-'));
  const names: string[] = [];
  const runConfigs = new Map<string, RunConfig>();
  for (const activation of ['sigmoid', 'relu']) {
    for (let layers = 3; layers <= 7; layers++) {
      const name = `${activation}${layers}`;
      names.push(name);
      runConfigs.set(name, parseConfig({ activation, hidden: ARTICLE_HIDDEN.slice(0, layers - 2), epochs: 3 }, name, name));
    }
  }
  const settings = parseReproduceSettings(
    { configs: names, seeds: s.seeds ?? 3, landscape: { count: 2, points: 41 } },
    'configs/reproduce.json',
  );
  const plan = articlePlan({ source: 'configs/reproduce.json', settings, runConfigs, rules: null });
  const versions = { node: process.version, tfjs: '4.22.0', project: '0.1.0' };
  const backend = {
    name: 'wasm' as const,
    requested: 'auto' as const,
    provider: '@tensorflow/tfjs-backend-wasm 4.22.0',
    threads: 1,
    tfjsVersion: '4.22.0',
    skipped: [],
  };
  for (const job of plan.jobs) {
    let record: JobRecord;
    const folder = jobDir(dir, job);
    mkdirSync(folder, { recursive: true });
    if (job.kind === 'train') {
      const c = job.config;
      const layers = c.hidden.length + 2;
      const acc = s.accuracy(c.activation, layers, job.seed);
      const history = [0, 1, 2, 3].map((epoch) => ({
        epoch,
        trainLoss: 0.25 - 0.02 * epoch,
        trainAccuracy: 0.5 + (acc - 0.45) * (epoch / 3),
        testLoss: 0.25 - 0.015 * epoch,
        testAccuracy: epoch === 0 ? 0.5 : acc - 0.01 * (3 - epoch),
        // lowest at the last epoch, so the run's primary figure (test accuracy there) is `acc`
        valLoss: 0.25 - 0.015 * epoch,
        valAccuracy: epoch === 0 ? 0.5 : acc - 0.01 * (3 - epoch),
        seconds: 2,
        elapsedSeconds: 2 * epoch,
      }));
      const gradients =
        c.recordGradients && s.gradient
          ? [0, 1, 2, 3].flatMap((epoch) =>
              [1, 2, 3, 4, 5, 6].map((layer) => {
                const meanAbs = s.gradient!(c.activation, layer, epoch);
                return { epoch, layer, fanIn: 10, fanOut: 10, meanAbs, l2: meanAbs * 30 };
              }),
            )
          : [];
      record = {
        kind: 'train',
        id: job.id,
        configName: job.configName,
        seed: job.seed,
        fingerprint: jobFingerprint(job),
        config: c,
        finalTestAccuracy: acc,
        bestTestAccuracy: acc,
        bestEpoch: 3,
        finalTrainAccuracy: acc + 0.05,
        finalTrainLoss: 0.19,
        finalTestLoss: 0.2,
        seconds: 6,
        backend,
        engine: 'tfjs',
        dataSource: 'cache',
        history,
        gradients,
        host: 'fixture',
        finishedAt: '2026-01-01T00:00:00.000Z',
        versions,
      };
      writeFileSync(path.join(folder, RUN_SUMMARY_FILE), 'config\nx\n');
    } else {
      const values = Array.from({ length: 41 }, (_, i) => -8 + (16 * i) / 40);
      const activation = job.configName.startsWith('relu') ? 'relu' : 'sigmoid';
      const losses = values.map((w) => (s.landscape ? s.landscape(activation, w) : 0.2));
      record = {
        kind: 'landscape',
        id: job.id,
        configName: job.configName,
        seed: job.seed,
        trainId: job.trainId,
        fingerprint: jobFingerprint(job),
        activation,
        hidden: ARTICLE_HIDDEN,
        examples: 'training set (4000 examples)',
        // Five swept weights per network, all with the world's curve: enough curves for the shares to be decided.
        series: [5, 6, 7, 8, 9].map((weightI) => ({
          weightI,
          weightJ: 7,
          original: 0.05,
          values,
          losses,
          minimum: 'inside' as const,
          monotone: 'no' as const,
        })),
        ...(s.mechanism ? { mechanism: mechanismSummary(activation, s.mechanism(activation)) } : {}),
        // The same positions in the initial network, smaller by the world's weight growth.
        initSeries: [5, 6, 7, 8, 9].map((weightI) => ({
          weightI,
          weightJ: 7,
          original: 0.05 / 10 ** (s.mechanism?.(activation).weightGrowthLog10 ?? 0),
          values,
          losses,
          minimum: 'inside' as const,
          monotone: 'no' as const,
        })),
        check: { relative: 0.001, tolerance: 0.05, passed: true, where: '' },
        seconds: 1,
        host: 'fixture',
        finishedAt: '2026-01-01T00:00:00.000Z',
        versions,
      };
      // What the probe decides about the minimum is its business; here it follows the curve.
      const min = losses.indexOf(Math.min(...losses));
      for (const curve of record.series) curve.minimum = min === 0 ? 'lower edge' : min === losses.length - 1 ? 'upper edge' : 'inside';
    }
    writeFileSync(path.join(folder, RESULT_FILE), JSON.stringify(record));
  }
  writeFileSync(
    path.join(dir, PLAN_FILE),
    JSON.stringify(
      planFileOf(plan, 'configs/reproduce.json', settings, WHOLE, 'node dist/run.js reproduce --config configs/reproduce.json'),
    ),
  );
  const session: SessionRecord = {
    id: 'fixture-1',
    host: 'fixture',
    cpus: 2,
    cpuModel: 'Test CPU',
    jobs: 2,
    shard: '1/1',
    startedAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:10:00.000Z',
    endedAt: '2026-01-01T00:10:00.000Z',
    wallSeconds: 600,
    jobsCompleted: plan.jobs.length,
    status: 'finished',
    folder: dir,
    load5: 0.5,
  };
  writeFileSync(path.join(dir, SESSIONS_FILE), JSON.stringify([session]));
  return dir;
}

/** The article's world: ~70 %, best Sigmoid at 5 layers, best ReLU at 6, Sigmoid slightly ahead; ReLU bowl, Sigmoid tail; vanishing Sigmoid gradients. */
export const ARTICLE_WORLD: SyntheticSweep = {
  accuracy: (a, layers, seed) => {
    const sig: Record<number, number> = { 3: 0.695, 4: 0.705, 5: 0.72, 6: 0.705, 7: 0.7 };
    const relu: Record<number, number> = { 3: 0.685, 4: 0.69, 5: 0.695, 6: 0.71, 7: 0.69 };
    return (a === 'sigmoid' ? sig : relu)[layers] + 0.002 * (seed - 2);
  },
  landscape: (a, w) => (a === 'relu' ? 0.2 + 0.001 * (w - 1) ** 2 : 0.2 + 0.05 / (1 + Math.exp(w))),
  gradient: (a, layer) => (a === 'sigmoid' ? 1e-6 * 4 ** layer : 1e-3 * (1 + 0.1 * layer)),
  mechanism: (a) =>
    a === 'sigmoid'
      ? { deltaInit: 2, deltaTrained: 1.5, need: 0.8, saturated: 0.3, weightGrowthLog10: 0.3 }
      : { deltaInit: 0.1, deltaTrained: 0.1, need: 0.3, saturated: 0, weightGrowthLog10: 0.1 },
};
