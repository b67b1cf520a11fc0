/**
 * `explain`: trains every variant of configs/explain.json at every depth, each variant as a study
 * of its own (plan.ts), one after the other in the config's order. A killed run resumes: a
 * complete variant is skipped, an incomplete one resumes its sweeps. The report (report.ts) is
 * written from the records once every variant is complete.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import type { Shard } from '../experiment/shard.js';
import { runGroups } from '../experiment/tuned-groups.js';
import { checkReuseRoot } from '../experiment/trust.js';
import { loadExplainConfig, type ExplainConfig, type ExplainOverrides, type VariantName } from './config.js';
import { variantFolderIdentity, variantStudyPlan, variantsOfShard, type VariantPlan } from './plan.js';

export interface ExplainOptions {
  outDir: string;
  dataDir: string;
  shard: Shard;
  jobs: number | 'auto';
  progress: ProgressChoice;
  /** Where messages go (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Only plan and estimate; run nothing. */
  dryRun?: boolean;
  /** A folder of an explain run before: runs there with exactly the same settings are copied, not run again. */
  reuseFrom?: string;
  configFile: string;
  overrides: ExplainOverrides;
  /** Called with this shard's variants still to run, before anything runs. */
  onPlan?: (todo: VariantPlan[], config: ExplainConfig) => Promise<void> | void;
}

export interface ExplainOutcome {
  config: ExplainConfig;
  ran: VariantName[];
  interrupted: boolean;
  /** Every variant of the config (all shards) is complete in the output folder: the report can be written. */
  complete: boolean;
}

const isComplete = (v: VariantPlan): boolean => v.groups.every((g) => v.done.has(g.id));

export async function runExplain(opts: ExplainOptions): Promise<ExplainOutcome> {
  const stream = opts.stream ?? process.stderr;
  const say = (line: string): void => void stream.write(`${line}\n`);
  const config = loadExplainConfig(opts.configFile, opts.overrides);
  const plans = config.variants.map((v) => variantStudyPlan(config, v, opts.outDir));
  const mine = new Set(variantsOfShard(config, opts.shard));
  const todo = plans.filter((p) => mine.has(p.variant) && !isComplete(p));
  await opts.onPlan?.(todo, config);
  if (opts.dryRun) return { config, ran: [], interrupted: false, complete: false };
  // explain.csv and explain.md go beside variants/: never into a folder that holds something else.
  if (existsSync(opts.outDir) && readdirSync(opts.outDir).length > 0 && !existsSync(path.join(opts.outDir, 'variants'))) {
    throw new UserError(`${opts.outDir}: is not empty and holds no explain experiment (variants/); give a new or empty --out`);
  }

  if (opts.reuseFrom !== undefined) checkReuseRoot(opts.reuseFrom, opts.outDir, 'variants', 'explain');
  const ran: VariantName[] = [];
  for (const [k, v] of todo.entries()) {
    say(`explain: variant ${v.variant} (${k + 1} of ${todo.length}): ${config.layers.join(', ')} layers`);
    const outcome = await runGroups({
      outDir: v.outDir,
      dataDir: opts.dataDir,
      identity: variantFolderIdentity(opts.configFile, v),
      groups: v.groups,
      jobs: opts.jobs,
      progress: opts.progress,
      stream,
      label: 'explain',
      command: `node dist/run.js explain --config ${opts.configFile}`,
      reuseFrom: opts.reuseFrom && path.join(opts.reuseFrom, path.relative(opts.outDir, v.outDir)),
    });
    if (outcome.interrupted) return { config, ran, interrupted: true, complete: false };
    ran.push(v.variant);
  }
  const complete = config.variants.every((v) => isComplete(variantStudyPlan(config, v, opts.outDir)));
  return { config, ran, interrupted: false, complete };
}
