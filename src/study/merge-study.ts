/**
 * `study merge DIR... --out OUT`: the folders of a study run as shards, combined into one by the
 * engine's one merge (src/experiment/merge.ts), whose units here are the study's groups: each
 * complete group (its group.json, written last) is copied whole from the first folder that has
 * it, so the merged folder holds the same runs, byte for byte, as one machine running the whole
 * study would, and its matrix and report are the same. Folders of other studies are refused.
 */
import { folderKind, mergeShards, type MergeOutcome } from '../experiment/merge.js';
import { studyGroupIds, writeStudyReport, type StudyReportFiles } from './report.js';

/** Merges the shards `dirs` into `outDir` and writes the study's matrix, charts and report there. */
export async function mergeStudies(
  dirs: readonly string[],
  outDir: string,
  log?: (line: string) => void,
): Promise<MergeOutcome<StudyReportFiles>> {
  // The study's groups come from its config (the grid), which every shard's study.json holds; merge checks they
  // agree, and names the right command for a folder of another kind.
  const groupIds = dirs.length > 0 && folderKind(dirs[0]) === 'groups' ? studyGroupIds(dirs[0]) : [];
  return mergeShards({ dirs, outDir, plan: { kind: 'groups', groupIds }, log, finish: (out) => writeStudyReport(out) });
}
