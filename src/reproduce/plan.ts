/**
 * The plan of a reproduction: its config becomes the list of jobs the engine runs
 * (src/experiment/job.ts planRuns): every config of the sweep x seed, then the landscape probe
 * and the author's explanation on the networks of the probed configs.
 */
import type { ReproduceConfig } from './config.js';
import { DEFAULT_MECHANISM_SETTINGS } from '../probes/mechanism.js';
import { planRuns, type Plan } from '../experiment/job.js';

export function makePlan(rc: ReproduceConfig): Plan {
  const { settings } = rc;
  const { configs: probed, allSeeds, ...probe } = settings.landscape;
  const configs = new Map(
    settings.configs.map((name) => {
      const config = rc.runConfigs.get(name);
      if (!config) throw new Error(`plan: config "${name}" was not loaded`);
      return [name, config] as const;
    }),
  );
  return planRuns({
    configs,
    seeds: Array.from({ length: settings.seeds }, (_, i) => settings.firstSeed + i),
    recordGradients: new Set(settings.gradients.configs),
    probed,
    allSeeds,
    probe,
    mechanism: DEFAULT_MECHANISM_SETTINGS,
  });
}
