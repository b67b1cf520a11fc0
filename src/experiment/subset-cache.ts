/**
 * The data subset a worker trains and probes on. It depends only on the data settings, and a
 * worker keeps the last one it loaded, since consecutive jobs of a sweep nearly always share it.
 */
import { loadSubset } from '../data/subset.js';
import type { Subset } from '../data/types.js';
import type { RunConfig } from '../config/schema.js';

let cached: { key: string; subset: Subset } | null = null;

export async function subsetFor(config: RunConfig, dataDir: string): Promise<Subset> {
  const d = config.data;
  const key = JSON.stringify([dataDir, d.positive, d.negative, d.trainPerClass, d.testPerClass, d.validationPerClass, d.color]);
  if (cached?.key !== key) cached = { key, subset: await loadSubset({ dataDir, ...d }) };
  return cached.subset;
}
