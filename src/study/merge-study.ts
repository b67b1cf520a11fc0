/**
 * `study merge DIR... --out OUT`: the folders of a study run as shards, combined into one.
 *
 * A group is complete in a folder when its group.json is there (written last, atomically). Each
 * complete group is copied whole from the first folder that has it; the merged folder then holds
 * the same runs, byte for byte, as one machine running the whole study would, so its report is
 * the same. Folders of different studies (other settings) are refused, never mixed.
 */
import { promises as fs, existsSync } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from '../util/errors.js';
import { produceAtomically, writeFileAtomic } from '../util/atomic.js';
import {
  GROUP_FILE,
  STUDY_FILE,
  groupDir,
  readGroupRecord,
  readFolderIdentity,
  sameExperiment,
  type FolderIdentity,
} from '../experiment/tuned-groups.js';

export interface MergeStudyOutcome {
  copied: string[];
  alreadyThere: string[];
  identity: FolderIdentity;
}

/** Copies every complete group of `dirs` into `outDir`; `groupIds` are the study's groups (from the plan). */
export async function mergeStudies(dirs: readonly string[], outDir: string, groupIds: readonly string[]): Promise<MergeStudyOutcome> {
  if (dirs.length === 0) throw new UsageError('study merge: give at least one folder written by `study --shard k/n`');
  const identities = dirs.map((d) => ({ dir: d, id: readFolderIdentity(d) }));
  const reference = identities[0];
  for (const other of identities.slice(1)) {
    if (!sameExperiment(other.id, reference.id)) {
      throw new UserError(
        `study merge: ${other.dir} holds a study with other settings than ${reference.dir}; merge only shards of one study`,
      );
    }
  }
  const out = path.resolve(outDir);
  if (existsSync(path.join(out, STUDY_FILE))) {
    const here = readFolderIdentity(out);
    if (JSON.stringify(here.config) !== JSON.stringify(reference.id.config)) {
      throw new UserError(`${outDir}: holds a study with other settings; use another --out`);
    }
  } else if (existsSync(out) && (await fs.readdir(out)).length > 0) {
    throw new UserError(`${outDir}: is not empty and holds no study; give a new or empty --out`);
  }

  const copied: string[] = [];
  const alreadyThere: string[] = [];
  const missing: string[] = [];
  for (const id of groupIds) {
    if (readGroupRecord(out, id)) {
      alreadyThere.push(id);
      continue;
    }
    const source = identities.find((s) => path.resolve(s.dir) !== out && readGroupRecord(s.dir, id));
    if (!source) {
      missing.push(id);
      continue;
    }
    const target = groupDir(out, id);
    await fs.rm(target, { recursive: true, force: true }); // an unfinished group of this study: replaced whole
    await produceAtomically(target, (tmp) => fs.cp(groupDir(source.dir, id), tmp, { recursive: true }));
    if (!existsSync(path.join(target, GROUP_FILE))) throw new Error(`study merge: ${target} lost its ${GROUP_FILE} in the copy`);
    copied.push(id);
  }
  const identity = { ...reference.id, shard: '1/1' };
  await writeFileAtomic(path.join(out, STUDY_FILE), `${JSON.stringify(identity, null, 2)}\n`);
  if (missing.length > 0) {
    throw new UserError(
      `study merge: ${missing.length} of ${groupIds.length} groups are complete in none of the folders (${missing.join(', ')}); finish those shards and merge again`,
    );
  }
  return { copied, alreadyThere, identity };
}
