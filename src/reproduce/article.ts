/**
 * The article's experiment, as `reproduce` (and `npm start`) runs it. Read this file first.
 *
 * The article (Sansan Builders Box, December 2019) trains multilayer perceptrons on CIFAR-10
 * airplane vs ship and asks why the deep Sigmoid networks fail where ReLU ones learn. This file
 * states that experiment in the order it happens, and names the module behind each step:
 *
 *   1. networks  the run configs configs/reproduce.json names, sigmoid3..7 and relu3..7: MLPs of
 *                3 to 7 layers (hidden 150, 100, 50, 30, 15), one output trained to 1/0 with
 *                squared error, on 2,000 training and 200 test images per class, 32x32 gray in
 *                0-1 (the files configs/<name>.json; loaded and checked by ./config.ts);
 *   2. seeds     every network trained with seeds firstSeed, firstSeed+1, ... (`seeds` of them);
 *      rates     with a rules file (configs/rules/confirmatory.json, the default `npm start`),
 *                first each network chooses its learning rate on the validation split: every
 *                rate of the rules' grid on the tuning seeds, each run trained to the stopping
 *                rule (./tune.ts); the seeds above then train at the chosen rates;
 *   3. probes    the trained networks of the probed configs (sigmoid7 and relu7): the loss as one
 *                first-layer weight moves (the article's figure), and the author's explanation
 *                measured on them (src/probes/);
 *   4. claims    the article's sentences, each judged from the runs table with its margins
 *                (src/reports/claims/registry.ts: one module per claim, numbered by its place);
 *   5. report    runs.csv, summary.csv, claims.csv, the charts and report.md / report.html,
 *                from the job records alone (src/reports/finalize.ts).
 *
 * Steps 1-3 are the plan: an in-memory list of jobs (src/experiment/job.ts) that the experiment
 * engine runs (src/experiment/run-plan.ts: resume, worker pool, progress, --shard); steps 4-5
 * are `finishArticle`, called once the whole plan is complete, here or by `reproduce merge`.
 */
import os from 'node:os';
import type { Lang } from '../reports/i18n.js';
import type { RunConfig } from '../config/schema.js';
import { DEFAULT_MECHANISM_SETTINGS } from '../probes/mechanism.js';
import { planRuns, type Plan } from '../experiment/job.js';
import { runPlan, type RunPlanOptions, type RunPlanOutcome } from '../experiment/run-plan.js';
import { finalize, type FinalizeResult } from '../reports/finalize.js';
import { loadReproduceConfig, type ReproduceConfig, type ReproduceOverrides } from './config.js';
import { TUNING_ENTRIES, tuneLearningRates } from './tune.js';

/** 1. Networks: the sweep's run configs by name, in the config's order (each complete: data, widths, activation, training). */
function articleNetworks(rc: ReproduceConfig): Map<string, RunConfig> {
  return new Map(
    rc.settings.configs.map((name) => {
      const config = rc.runConfigs.get(name);
      if (!config) throw new Error(`plan: config "${name}" was not loaded`);
      return [name, config] as const;
    }),
  );
}

/** 2. Seeds: firstSeed, firstSeed + 1, ... one training run of every network with each. */
function articleSeeds(rc: ReproduceConfig): number[] {
  return Array.from({ length: rc.settings.seeds }, (_, i) => rc.settings.firstSeed + i);
}

/**
 * The plan: every network x seed (1, 2), the probed networks' runs recording per-layer gradients,
 * then 3. the probes: the landscape along one first-layer weight and the author's explanation, of
 * the trained networks of the probed configs (with every seed, or the first only).
 */
export function articlePlan(rc: ReproduceConfig, learningRates?: ReadonlyMap<string, number>): Plan {
  const { configs: probed, allSeeds, ...probe } = rc.settings.landscape;
  const networks = articleNetworks(rc);
  for (const [name, rate] of learningRates ?? []) {
    const config = networks.get(name);
    if (config) networks.set(name, { ...config, learningRate: rate });
  }
  return planRuns({
    configs: networks,
    seeds: articleSeeds(rc),
    recordGradients: new Set(rc.settings.gradients.configs),
    probed,
    allSeeds,
    probe,
    mechanism: DEFAULT_MECHANISM_SETTINGS,
  });
}

/**
 * 4. Claims and 5. report: from the folder's records, the runs table, each claim's verdict and
 * the report. A folder merged from shards gives the same files as one machine's.
 */
export function finishArticle(outDir: string, lang?: Lang): Promise<FinalizeResult> {
  return finalize(outDir, new Date(), lang);
}

export type SweepOptions<Final = unknown> = Omit<
  RunPlanOptions<Final>,
  'plan' | 'source' | 'settings' | 'workers' | 'label' | 'command'
> & {
  configFile: string;
  overrides?: ReproduceOverrides;
  /** The command line, for the report (without --shard/--out). */
  command?: string;
};

/**
 * Runs the article's experiment: loads configs/reproduce.json (or `configFile`) with the flags'
 * overrides, plans it, and hands the plan to the engine; the caller's `finish` (normally
 * `finishArticle`) runs when the whole plan is complete. With a shard it runs only its share and
 * leaves the report to `reproduce merge`.
 */
export async function runSweep<Final>(opts: SweepOptions<Final>): Promise<RunPlanOutcome<Final>> {
  const { configFile, overrides, ...rest } = opts;
  const rc = loadReproduceConfig(configFile, overrides);
  const workers = rc.settings.jobs === 'auto' ? os.availableParallelism() : rc.settings.jobs;
  const command = opts.command ?? `node dist/run.js reproduce --config ${configFile}`;
  let learningRates: Map<string, number> | undefined;
  if (rc.rules) {
    const { finish: _finish, ...stageOptions } = rest;
    const tuned = await tuneLearningRates(rc, rc.rules, { ...stageOptions, workers, configFile, command });
    if (tuned.interrupted) return { ...tuned.outcome, final: null };
    learningRates = tuned.rates;
  }
  return runPlan({
    ...rest,
    plan: articlePlan(rc, learningRates),
    source: configFile,
    settings: { ...rc.settings, rules: rc.rules ? { file: rc.rules.file, version: rc.rules.version, sha256: rc.rules.sha256 } : null },
    workers,
    alsoHolds: rc.rules ? TUNING_ENTRIES : undefined,
    label: 'reproduce',
    command,
  });
}
