/**
 * `reproduce`: the whole article in one command.
 *
 * Loads configs/reproduce.json, turns it into the plan of runs and probes (plan.ts), and hands
 * the plan to the experiment engine (src/experiment/run-plan.ts: resume, worker pool, progress,
 * shards); when the whole plan is complete, the caller's `finish` writes the summary, charts and
 * report. With --shard k/n it runs only its share and leaves the summary to `reproduce merge`.
 */
import os from 'node:os';
import { runPlan, type RunPlanOptions, type RunPlanOutcome } from '../experiment/run-plan.js';
import { loadReproduceConfig, type ReproduceOverrides } from './config.js';
import { makePlan } from './plan.js';

export type SweepOptions<Final = unknown> = Omit<
  RunPlanOptions<Final>,
  'plan' | 'source' | 'settings' | 'workers' | 'label' | 'command'
> & {
  configFile: string;
  overrides?: ReproduceOverrides;
  /** The command line, for the report (without --shard/--out). */
  command?: string;
};

export function runSweep<Final>(opts: SweepOptions<Final>): Promise<RunPlanOutcome<Final>> {
  const { configFile, overrides, ...rest } = opts;
  const rc = loadReproduceConfig(configFile, overrides);
  return runPlan({
    ...rest,
    plan: makePlan(rc),
    source: configFile,
    settings: rc.settings,
    workers: rc.settings.jobs === 'auto' ? os.availableParallelism() : rc.settings.jobs,
    label: 'reproduce',
    command: opts.command ?? `node dist/run.js reproduce --config ${configFile}`,
  });
}
