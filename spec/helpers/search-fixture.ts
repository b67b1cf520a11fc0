/**
 * A tiny search for the tests: three small networks (the hardest a 4-layer Sigmoid one), a grid of
 * two batch sizes (1 on the hand-written engine, 10 on TensorFlow.js), one initialisation, both
 * bias rules (or those asked for) and two rates, a few epochs with the stall rule at epoch 3; written as a rules file,
 * run configs and a search config in a fresh folder, to be run on makeFixtureDataDir's data.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * `bias`: the bias rules of the grid (default both); `jobs`: the worker processes (default 2);
 * `audit: false`: audit no run (no audit stage, so no extend and no B2 either).
 */
export function writeTinySearch(options: { bias?: string[]; jobs?: number; audit?: boolean } = {}): {
  root: string;
  configFile: string;
} {
  const audited = options.audit === false ? 0 : 1;
  const root = mkdtempSync(path.join(os.tmpdir(), 'search-'));
  const dir = path.join(root, 'configs');
  mkdirSync(path.join(dir, 'rules'), { recursive: true });
  for (const [name, activation, hidden] of [
    ['sigmoid3', 'sigmoid', [6]],
    ['sigmoid4', 'sigmoid', [6, 4]],
    ['relu3', 'relu', [6]],
  ] as const) {
    writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ activation, hidden, backend: 'cpu' }));
  }
  const stall = { K: 3, maxValAccuracy: 0.55, minLossRatio: 0.99 };
  writeFileSync(
    path.join(dir, 'rules', 'search.json'),
    JSON.stringify({
      version: 1,
      networks: ['sigmoid3', 'sigmoid4', 'relu3'],
      hardestFirst: ['sigmoid4'],
      axes: {
        batchSize: [1, 10],
        init: [{ name: 'xavier-gain4', scheme: 'xavier', gain: 4 }],
        bias: options.bias ?? ['zero', 'like-weights'],
        learningRate: [0.001, 0.3],
      },
      engines: { '1': 'handwritten', '10': 'tfjs' },
      stopping: { '1': { patience: 3, maxEpochs: 6 }, '10': { patience: 3, maxEpochs: 6 }, improvement: 'prose' },
      stall: {
        rule: 'prose',
        '1': stall,
        '10': stall,
        audit: { pool: 'prose', random: audited, nearestThreshold: audited, sampleSeed: 7, consequence: 'prose' },
      },
      learns: { threshold: 0.65 },
      seeds: { screen: [2001, 2002], promoted: { first: 2011, count: 2 } },
      maxPromoted: 2,
      learnsInSeeds: 1,
      distance: { claims: ['accuracy-level', 'depth-effect', 'best-depth', 'sigmoid-vs-relu'] },
    }),
  );
  const configFile = path.join(dir, 'search.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      rules: 'rules/search.json',
      jobs: options.jobs ?? 2,
      data: { trainPerClass: 20, validationPerClass: 10, testPerClass: 10 },
      quick: { batchSize: [10], bias: ['zero'], maxEpochs: 4 },
    }),
  );
  return { root, configFile };
}
