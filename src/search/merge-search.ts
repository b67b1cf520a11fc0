/**
 * `search merge DIR... --out MERGED`: the shards of a search's stage, combined into MERGED by the
 * engine's one merge (src/experiment/merge.ts; a stage folder is a sweep, its units the job
 * folders), then the search goes on in MERGED as far as it can without running anything: the
 * next stage's plan, or, when every stage is complete, the matrix and the charts. MERGED is the
 * folder the next stage's shards read with `--after`; after the last stage it holds what one
 * machine running the whole search would have written.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from '../util/errors.js';
import { mergeShards } from '../experiment/merge.js';
import { readPlanFile } from '../experiment/store.js';
import type { SearchConfig } from './config.js';
import { advanceSearch, checkSearchFolder, identityOf, readSearchIdentity, stageComplete, type SearchProgress } from './run-search.js';

export async function mergeSearch(
  config: SearchConfig,
  dirs: readonly string[],
  outDir: string,
  say: (line: string) => void,
): Promise<SearchProgress> {
  if (dirs.length === 0) throw new UsageError('search merge: give at least one folder written with --shard k/n');
  const expected = JSON.stringify(identityOf(config));
  for (const dir of dirs) {
    if (!existsSync(dir)) throw new UserError(`${dir}: no such folder`);
    const found = readSearchIdentity(dir);
    if (JSON.stringify({ ...found, configFile: config.source }) !== expected)
      throw new UserError(
        `${dir}: holds a search with other settings than ${config.source}${config.quick ? ' --quick' : ''}; merge only shards of one search`,
      );
  }
  await checkSearchFolder(outDir, config, '--out', true);
  const progress = await advanceSearch(config, outDir, async (stage) => {
    const target = path.join(outDir, stage.name);
    if (stageComplete(target, stage)) return true;
    const inputs = dirs.map((d) => path.join(d, stage.name)).filter((d) => existsSync(d));
    if (inputs.length === 0) return false;
    for (const input of inputs) {
      if (readPlanFile(input).fingerprint !== stage.plan.fingerprint)
        throw new UserError(
          `${input}: holds another plan of stage ${stage.name} than the stages in ${outDir} give; merge the stages in order`,
        );
    }
    await mergeShards({
      dirs: inputs,
      outDir: target,
      plan: { kind: 'sweep' },
      command: `search merge (stage ${stage.name})`,
      log: say,
      finish: async () => null,
    });
    return true;
  });
  if (!progress.done) {
    say(
      `search merge: stage ${progress.next.name} is next (${progress.next.plan.jobs.length} runs): run each shard with --after ${outDir}, then merge again`,
    );
  }
  return progress;
}
