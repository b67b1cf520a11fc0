/**
 * `merge DIR... --out DIR` for every experiment: combines the folders of a sharded plan into one,
 * then calls the experiment's `finish` (its summary, charts and report), so the merged folder is
 * what one machine running the whole plan would have written.
 *
 * The kind of folder is recognised from the file that marks it (its identity):
 * - a sweep (`reproduce`): `plan.json`; its units are the job folders `runs/<id>`, `probes/<id>`;
 * - a folder of tuned groups (`study`): `study.json`; its units are the groups `groups/<id>`;
 * - a folder of variants (`explain`): `variants/`, each variant a folder of tuned groups.
 * Every input must be of the kind the command merges and of the same plan (equal plan
 * fingerprints, equal group identities). Every unit is looked for before anything is written, so
 * a merge missing a shard names what is missing and writes nothing. The output is claimed with
 * the project's one claim (src/util/output-claim.ts): new, empty or a merge of the same kind
 * before, never one of the inputs; a merge that fails removes what it wrote. Each unit is copied
 * under a temporary name and renamed, so a folder that exists is complete.
 */
import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError, UsageError } from '../util/errors.js';
import { produceAtomically, removeStaleTemps, writeFileAtomic } from '../util/atomic.js';
import { claimOutputFolder, writeClaimed } from '../util/output-claim.js';
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
import { STUDY_FILE, groupDir, readFolderIdentity, readGroupRecord, sameExperiment, type FolderIdentity } from './tuned-groups.js';
import { checkedJobState, checkMergeInputs, copyRegularTree, mergeSourceOf, refuseLinkedFolders } from './trust.js';

/** The folder that holds explain's variants, each a folder of tuned groups. */
const VARIANTS_DIR = 'variants';

/** What a merge combines: the kind of folder, with what only the experiment's plan builder knows. */
type MergePlan =
  | { kind: 'sweep' }
  | { kind: 'groups'; groupIds: readonly string[] }
  | { kind: 'variants'; variants: readonly { name: string; identity: FolderIdentity; groupIds: readonly string[] }[] };

export type FolderKind = MergePlan['kind'];

const KINDS: Record<FolderKind, { marker: string; holds: string; command: string }> = {
  sweep: { marker: PLAN_FILE, holds: 'a reproduce sweep', command: 'reproduce merge' },
  groups: { marker: STUDY_FILE, holds: 'a study', command: 'study merge' },
  variants: { marker: VARIANTS_DIR, holds: 'an explain experiment', command: 'explain merge' },
};

/** The kind of experiment folder `dir` is, from the file that marks it; null when it is none. */
export function folderKind(dir: string): FolderKind | null {
  for (const kind of Object.keys(KINDS) as FolderKind[]) if (existsSync(path.join(dir, KINDS[kind].marker))) return kind;
  return null;
}

export interface MergeOptions<Final> {
  dirs: readonly string[];
  outDir: string;
  /** Default: a sweep, whose units the folders' plan.json lists. */
  plan?: MergePlan;
  log?: (line: string) => void;
  /** How messages name the merge when a sweep is one experiment's stage (default: the kind's command, e.g. "reproduce merge"). */
  command?: string;
  /** Builds the summary and report of the merged folder (the experiment's, passed in by the command line). */
  finish: (outDir: string) => Promise<Final>;
}

export interface MergeOutcome<Final> {
  copied: number;
  alreadyThere: number;
  final: Final;
}

/** A unit of a plan: one folder, complete or not in a given experiment folder. */
interface Unit {
  id: string;
  /** The unit's folder under an experiment folder. */
  dir: (root: string) => string;
  complete: (root: string) => boolean;
  /** Why the output's folder of this unit can be neither kept nor replaced (made with other settings), if so. */
  conflict?: (root: string) => string | undefined;
  /** The shard that should have run it, for the message that it is missing. */
  owner?: string;
  /** The input folder to copy it from (default: the first in which it is complete); may refuse an input. */
  source?: (dirs: readonly string[]) => string | undefined;
}

/** A kind of folder: its units, the check that the inputs hold one plan, and the identity the merged folder gets. */
interface Layout {
  units: Unit[];
  /** Writes the merged folder's identity files (after the units are in place). */
  writeIdentity: (out: string, inputs: readonly string[]) => Promise<void>;
  /** Called with the output claimed, before anything is copied: another lock or a check of what is there. */
  prepare?: (out: string) => Promise<() => Promise<void>>;
}

function sweepLayout(dirs: readonly string[], outDir: string): Layout {
  const inputs = dirs.map((dir) => ({ dir, plan: readPlanFile(dir) }));
  // Each input's runs/ and probes/ real folders, and its plan.json what its fingerprint says (src/experiment/trust.ts).
  checkMergeInputs(inputs);
  const reference = inputs[0];
  for (const { dir, plan } of inputs.slice(1)) {
    if (plan.fingerprint !== reference.plan.fingerprint) {
      throw new UserError(
        `${dir}: comes from a different sweep than ${reference.dir} (other configs, seeds or settings: plan fingerprints differ); merge only shards of one sweep`,
      );
    }
  }
  const plan: Plan = { jobs: reference.plan.jobs, seeds: reference.plan.seeds, fingerprint: reference.plan.fingerprint };
  const count = reference.plan.shard.count;
  const owner = new Map<string, string>();
  for (let k = 1; k <= count; k++)
    for (const job of selectShard(plan, { index: k, count })) owner.set(job.id, formatShard({ index: k, count }));
  return {
    units: reference.plan.jobs.map((job) => ({
      id: job.id,
      dir: (root) => jobDir(root, job),
      complete: (root) => checkedJobState(root, job).state === 'complete',
      conflict: (root) => {
        const here = checkedJobState(root, job);
        return here.state === 'conflict' ? here.why : undefined;
      },
      owner: owner.get(job.id),
      // A job folder of an input that is there but not what the plan and this version make is refused, not skipped.
      source: (from) => mergeSourceOf(from, job) ?? undefined,
    })),
    prepare: async (out) => {
      refuseLinkedFolders(out);
      if (!existsSync(path.join(out, PLAN_FILE))) return async () => {}; // new: `reproduce` refuses it while the claim's lock is in it
      if (readPlanFile(out).fingerprint !== reference.plan.fingerprint) {
        throw new UserError(`${outDir}: already holds a different sweep (${PLAN_FILE}); choose another --out`);
      }
      // A sweep folder: also the sweep's own lock, so no `reproduce --out` of it resumes while the merge writes it.
      const release = await openSweepFolder(out);
      for (const parent of jobParentDirs(out)) await removeStaleTemps(parent);
      return release;
    },
    writeIdentity: async (out, inputs) => {
      // Sessions: every folder's, once each, so the report can state each shard's wall time.
      const sessions = new Map<string, SessionRecord>();
      for (const dir of [out, ...inputs]) for (const s of readSessions(dir)) sessions.set(s.id, s);
      await writeJson(path.join(out, SESSIONS_FILE), [...sessions.values()]);
      const merged: PlanFile = { ...reference.plan, shard: WHOLE, mergedFrom: [...inputs] };
      await writeJson(path.join(out, PLAN_FILE), merged);
    },
  };
}

/** The units of one folder of tuned groups at `sub` under each experiment folder ('' for the folder itself). */
function groupUnits(sub: string, groupIds: readonly string[]): Unit[] {
  return groupIds.map((id) => ({
    id: sub === '' ? id : `${sub}/${id}`,
    dir: (root) => groupDir(path.join(root, sub), id),
    complete: (root) => readGroupRecord(path.join(root, sub), id) !== null,
  }));
}

/** Refuses a folder of groups whose identity is not `expected` (other settings). */
function checkIdentity(dir: string, expected: FolderIdentity, what: string): void {
  if (!sameExperiment(readFolderIdentity(dir), expected)) {
    throw new UserError(`${dir}: holds ${what} with other settings than ${expected.configFile}; merge only shards of one plan`);
  }
}

async function writeIdentityFile(dir: string, identity: FolderIdentity): Promise<void> {
  await fs.mkdir(dir, { recursive: true });
  await writeFileAtomic(path.join(dir, STUDY_FILE), `${JSON.stringify({ ...identity, shard: '1/1' }, null, 2)}\n`);
}

function groupsLayout(dirs: readonly string[], groupIds: readonly string[]): Layout {
  const reference = readFolderIdentity(dirs[0]);
  for (const dir of dirs.slice(1)) checkIdentity(dir, reference, 'a study');
  return {
    units: groupUnits('', groupIds),
    prepare: async (out) => {
      if (existsSync(path.join(out, STUDY_FILE))) checkIdentity(out, reference, 'a study');
      return async () => {};
    },
    writeIdentity: (out) => writeIdentityFile(out, reference),
  };
}

function variantsLayout(dirs: readonly string[], plan: Extract<MergePlan, { kind: 'variants' }>): Layout {
  for (const dir of dirs) {
    for (const v of plan.variants) {
      const vdir = path.join(dir, VARIANTS_DIR, v.name);
      if (existsSync(path.join(vdir, STUDY_FILE))) checkIdentity(vdir, v.identity, `variant ${v.name}`);
    }
  }
  return {
    units: plan.variants.flatMap((v) => groupUnits(path.join(VARIANTS_DIR, v.name), v.groupIds)),
    prepare: async (out) => {
      for (const v of plan.variants) {
        const vdir = path.join(out, VARIANTS_DIR, v.name);
        if (existsSync(path.join(vdir, STUDY_FILE))) checkIdentity(vdir, v.identity, `variant ${v.name}`);
      }
      return async () => {};
    },
    writeIdentity: async (out) => {
      for (const v of plan.variants) await writeIdentityFile(path.join(out, VARIANTS_DIR, v.name), v.identity);
    },
  };
}

export async function mergeShards<Final>(opts: MergeOptions<Final>): Promise<MergeOutcome<Final>> {
  const log = opts.log ?? (() => {});
  const plan = opts.plan ?? { kind: 'sweep' };
  const kind = { ...KINDS[plan.kind], command: opts.command ?? KINDS[plan.kind].command };
  if (opts.dirs.length === 0) throw new UsageError(`${kind.command}: give at least one folder written with --shard k/n`);
  for (const dir of opts.dirs) {
    if (!existsSync(dir)) throw new UserError(`${dir}: no such folder`);
    const found = folderKind(dir);
    if (found !== plan.kind) {
      throw new UserError(
        found === null
          ? `${dir}: is not a folder of \`${kind.command.split(' ')[0]}\` (no ${kind.marker}); give folders written by \`${kind.command.split(' ')[0]} --shard k/n\``
          : `${dir}: holds ${KINDS[found].holds}, not ${kind.holds}; merge it with \`${KINDS[found].command}\``,
      );
    }
  }
  const layout =
    plan.kind === 'sweep'
      ? sweepLayout(opts.dirs, opts.outDir)
      : plan.kind === 'groups'
        ? groupsLayout(opts.dirs, plan.groupIds)
        : variantsLayout(opts.dirs, plan);

  const claim = await claimOutputFolder(opts.outDir, { flag: '--out', inputs: opts.dirs, ownMarker: kind.marker });
  const out = claim.path;
  return writeClaimed(claim, async () => {
    const release = layout.prepare ? await layout.prepare(out) : async () => {};
    try {
      // Where each unit comes from, all of them found before anything is written.
      const sources = new Map<string, string>();
      let alreadyThere = 0;
      const missing: Unit[] = [];
      for (const unit of layout.units) {
        if (unit.complete(out)) {
          alreadyThere++;
          continue;
        }
        const why = unit.conflict?.(out);
        if (why !== undefined) throw new UserError(`${opts.outDir}: ${why}; choose another --out, or delete that folder`);
        const source = unit.source ? unit.source(opts.dirs) : opts.dirs.find((dir) => unit.complete(dir));
        if (source === undefined) missing.push(unit);
        else sources.set(unit.id, source);
      }
      if (missing.length > 0) {
        const shown = missing
          .slice(0, 5)
          .map((u) => (u.owner !== undefined ? `${u.id} (shard ${u.owner})` : u.id))
          .join(', ');
        throw new UserError(
          `${kind.command}: ${missing.length} of ${layout.units.length} are complete in none of the folders (${shown}${missing.length > 5 ? ', ...' : ''}); ` +
            'finish those shards and merge again',
        );
      }
      for (const unit of layout.units) {
        const source = sources.get(unit.id);
        if (source === undefined) continue;
        const target = unit.dir(out);
        await fs.rm(target, { recursive: true, force: true }); // an unfinished unit of this plan: replaced whole
        await produceAtomically(target, (tmp) => copyRegularTree(unit.dir(source), tmp)); // regular files only: no link leaves the folder
      }
      await layout.writeIdentity(out, opts.dirs);
      log(`${kind.command}: ${sources.size} copied, ${alreadyThere} already in ${opts.outDir}`);
      const final = await opts.finish(out);
      return { copied: sources.size, alreadyThere, final };
    } finally {
      await release();
    }
  });
}
