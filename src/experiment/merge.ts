/**
 * `reproduce merge DIR... --out DIR`: combines the folders of a sharded sweep into one, and
 * writes the summary, charts and report that one machine would have written.
 *
 * The folders must come from the same sweep (equal plan fingerprints: same configs, seeds and
 * settings). Each complete job folder is copied into the output under a temporary name and
 * renamed, so an interrupted merge can simply be run again. Jobs no folder has complete are
 * listed, with the shard that should have run them.
 */
import path from 'node:path';
import { UserError, UsageError } from '../util/errors.js';
import { produceAtomically, removeStaleTemps } from '../util/atomic.js';
import type { Plan } from './job.js';
import { formatShard, selectShard, WHOLE } from './shard.js';
import {
  openSweepFolder,
  jobDir,
  jobParentDirs,
  readPlanFile,
  readSessions,
  writeJson,
  PLAN_FILE,
  SESSIONS_FILE,
  type PlanFile,
  type SessionRecord,
} from './store.js';
import { checkedJobState, checkMergeInputs, copyRegularTree, mergeSourceOf, refuseLinkedFolders } from './trust.js';

export interface MergeOptions<Final> {
  dirs: string[];
  outDir: string;
  log?: (line: string) => void;
  /** Builds the summary and report of the merged folder (the reports layer's finalize, passed in by the command line). */
  finish: (outDir: string) => Promise<Final>;
}

export interface MergeOutcome<Final> {
  copied: number;
  alreadyThere: number;
  final: Final;
}

export async function mergeShards<Final>(opts: MergeOptions<Final>): Promise<MergeOutcome<Final>> {
  const log = opts.log ?? (() => {});
  if (opts.dirs.length === 0) throw new UsageError('reproduce merge: give at least one folder written by `reproduce --shard k/n`');
  const out = path.resolve(opts.outDir);
  const inputs = opts.dirs.map((d) => ({ dir: d, abs: path.resolve(d), plan: readPlanFile(d) }));
  checkMergeInputs(inputs);
  const reference = inputs[0];
  for (const input of inputs.slice(1)) {
    if (input.plan.fingerprint !== reference.plan.fingerprint) {
      throw new UserError(
        `${input.dir}: comes from a different sweep than ${reference.dir} (other configs, seeds or settings: plan fingerprints differ); merge only shards of one sweep`,
      );
    }
  }

  const release = await openSweepFolder(opts.outDir);
  try {
    refuseLinkedFolders(out);
    for (const dir of jobParentDirs(out)) await removeStaleTemps(dir);
    try {
      const existing = readPlanFile(out);
      if (existing.fingerprint !== reference.plan.fingerprint && !inputs.some((i) => i.abs === out)) {
        throw new UserError(`${opts.outDir}: already holds a different sweep (${PLAN_FILE}); choose another --out`);
      }
    } catch (err) {
      if (!(err instanceof UserError) || !/not a reproduce folder/.test(err.message)) throw err;
    }

    let copied = 0;
    let alreadyThere = 0;
    const missing: string[] = [];
    for (const job of reference.plan.jobs) {
      const here = checkedJobState(out, job);
      if (here.state === 'complete') {
        alreadyThere++;
        continue;
      }
      if (here.state === 'conflict') {
        throw new UserError(`${opts.outDir}: ${here.why}; choose another --out, or delete that folder`);
      }
      const source = mergeSourceOf(
        inputs.filter((i) => i.abs !== out).map((i) => i.dir),
        job,
      );
      if (source === null) {
        missing.push(job.id);
        continue;
      }
      await produceAtomically(jobDir(out, job), (tmp) => copyRegularTree(jobDir(source, job), tmp));
      copied++;
    }
    log(`merge: ${copied} job folders copied, ${alreadyThere} already in ${opts.outDir}`);

    // Sessions: every folder's, once each, so the report can state each shard's wall time.
    const sessions = new Map<string, SessionRecord>();
    for (const input of [{ dir: out }, ...inputs]) for (const s of readSessions(input.dir)) sessions.set(s.id, s);
    await writeJson(path.join(out, SESSIONS_FILE), [...sessions.values()]);

    const others = inputs.filter((i) => i.abs !== out).map((i) => i.dir);
    const merged: PlanFile = { ...reference.plan, shard: WHOLE, ...(others.length > 0 ? { mergedFrom: others } : {}) };
    await writeJson(path.join(out, PLAN_FILE), merged);

    if (missing.length > 0) {
      const plan: Plan = { jobs: reference.plan.jobs, seeds: reference.plan.seeds, fingerprint: reference.plan.fingerprint };
      const count = reference.plan.shard.count;
      const owner = (id: string): string => {
        for (let k = 1; k <= count; k++)
          if (selectShard(plan, { index: k, count }).some((j) => j.id === id)) return formatShard({ index: k, count });
        return '?';
      };
      const shown = missing
        .slice(0, 5)
        .map((id) => `${id} (shard ${owner(id)})`)
        .join(', ');
      throw new UserError(
        `reproduce merge: ${missing.length} of ${reference.plan.jobs.length} jobs are in none of the folders (${shown}${missing.length > 5 ? ', ...' : ''}); ` +
          'finish those shards and merge again (the copied folders are kept)',
      );
    }
    const final = await opts.finish(out);
    return { copied, alreadyThere, final };
  } finally {
    await release();
  }
}
