/**
 * `explain merge DIR... --out OUT`: the folders of explain's shards (each run with its own --out),
 * combined into one by the engine's one merge (src/experiment/merge.ts), whose units here are
 * each variant's tuned group. The variants and their identities come from the config and flags
 * the shards ran with, so a folder of another definition is refused. Ends with explain.csv, the
 * chart and explain.md, as one machine running every variant would have written them.
 */
import { mergeShards, type MergeOutcome } from '../experiment/merge.js';
import { loadExplainConfig, type ExplainOverrides } from './config.js';
import { variantFolderIdentity, variantStudyPlan } from './plan.js';
import { writeExplainReport, type ExplainFiles } from './report.js';

export interface MergeExplainOptions {
  dirs: readonly string[];
  outDir: string;
  configFile: string;
  overrides: ExplainOverrides;
  log?: (line: string) => void;
}

export async function mergeExplain(opts: MergeExplainOptions): Promise<MergeOutcome<ExplainFiles>> {
  const config = loadExplainConfig(opts.configFile, opts.overrides);
  const variants = config.variants.map((name) => {
    const v = variantStudyPlan(config, name, opts.outDir);
    return {
      name,
      identity: variantFolderIdentity(opts.configFile, v),
      groupIds: v.groups.map((g) => g.id),
    };
  });
  return mergeShards({
    dirs: opts.dirs,
    outDir: opts.outDir,
    plan: { kind: 'variants', variants },
    log: opts.log,
    finish: (out) => writeExplainReport(out, opts.configFile, config),
  });
}
