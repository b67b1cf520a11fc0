/**
 * `explain`: trains every variant of configs/explain.json at every depth, each variant a tuned
 * group of the engine in a folder of its own (plan.ts), one after the other in the config's
 * order, through the engine's runner of tuned experiments (src/experiment/tuned-experiment.ts).
 * A killed run resumes: a complete variant is skipped, an incomplete one resumes its phases. The
 * report (report.ts) is written from the records once every variant is complete.
 */
import { runTunedExperiment, type TunedRunSettings } from '../experiment/tuned-experiment.js';
import { formatShard } from '../experiment/shard.js';
import { loadExplainConfig, type ExplainConfig, type ExplainOverrides, type VariantName } from './config.js';
import { variantFolderIdentity, variantStudyPlan, variantsOfShard, type VariantPlan } from './plan.js';
import { writeExplainReport, type ExplainFiles } from './report.js';

export interface ExplainOptions extends TunedRunSettings {
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
  /** The table, chart and report, when `report` was asked for and every variant is complete. */
  report?: ExplainFiles;
}

const isComplete = (v: VariantPlan): boolean => v.groups.every((g) => v.done.has(g.id));

export async function runExplain(opts: ExplainOptions): Promise<ExplainOutcome> {
  const stream = opts.stream ?? process.stderr;
  const say = (line: string): void => void stream.write(`${line}\n`);
  const config = loadExplainConfig(opts.configFile, opts.overrides);
  const plans = config.variants.map((v) => variantStudyPlan(config, v, opts.outDir));
  const mine = new Set(variantsOfShard(config, opts.shard));
  const todo = plans.filter((p) => mine.has(p.variant) && !isComplete(p));
  say(
    `explain: ${config.variants.length} variants x ${config.layers.length} depths; shard ${formatShard(opts.shard)} has ${todo.length} to run: ${todo.map((v) => v.variant).join(', ') || 'none'}`,
  );
  await opts.onPlan?.(todo, config);
  const { finished, interrupted } = await runTunedExperiment(
    {
      label: 'explain',
      command: `node dist/run.js explain --config ${opts.configFile}`,
      rootMarker: 'variants',
      folders: todo.map((v, k) => ({
        name: v.variant,
        outDir: v.outDir,
        identity: variantFolderIdentity(opts.configFile, v),
        groups: v.groups,
        announce: `explain: variant ${v.variant} (${k + 1} of ${todo.length}): ${config.layers.join(', ')} layers`,
      })),
    },
    { ...opts, stream },
  );
  const ran = todo.filter((v) => finished.includes(v.variant)).map((v) => v.variant);
  if (opts.dryRun || interrupted) return { config, ran, interrupted, complete: false };
  const complete = config.variants.every((v) => isComplete(variantStudyPlan(config, v, opts.outDir)));
  if (!opts.report) return { config, ran, interrupted, complete };
  if (!complete) {
    say(
      `explain: shard ${formatShard(opts.shard)} complete; when every shard is, \`explain merge\` their folders (or, if they share this --out, run explain again without --shard) to write the report`,
    );
    return { config, ran, interrupted, complete };
  }
  return { config, ran, interrupted, complete, report: await writeExplainReport(opts.outDir, opts.configFile, config) };
}
