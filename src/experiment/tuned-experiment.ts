/**
 * An experiment made of tuned groups (tuned-groups.ts), run as its command runs it: `study` (one
 * folder of groups, --out) and `explain` (a folder per variant under --out/variants/) build their
 * folders and groups, and this runs them the same way: the runs still to go and their calibrated
 * time (group-cost.ts), nothing more on --dry-run, the checks of --out and --reuse, then each
 * folder's groups in order (runGroups), stopping at an interruption.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../util/errors.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import type { Shard } from './shard.js';
import { checkReuseRoot } from './trust.js';
import { estimateGroups, formatMinutes } from './group-cost.js';
import { STUDY_FILE, readGroupRecord, runGroups, type FolderIdentity, type TunedGroup } from './tuned-groups.js';

/** The settings every experiment of tuned groups takes from its command line. */
export interface TunedRunSettings {
  outDir: string;
  dataDir: string;
  shard: Shard;
  jobs: number | 'auto';
  progress: ProgressChoice;
  /** Where messages go (default stderr). */
  stream?: NodeJS.WriteStream;
  /** Only plan and estimate; run nothing. */
  dryRun?: boolean;
  /** Print the runs to go and their time, calibrated on this machine, before running (the commands do; it takes a second). */
  estimate?: boolean;
  /** A folder of this experiment run before: runs there with exactly the same settings are copied, not run again. */
  reuseFrom?: string;
  /** Write the experiment's report when every group of it is complete in outDir. */
  report?: boolean;
}

/** One folder of groups: the study's --out, or one explain variant's folder under it. */
interface GroupFolder {
  /** How messages name the folder (explain: the variant). */
  name: string;
  outDir: string;
  identity: FolderIdentity;
  /** This shard's groups of the folder, in order; complete ones are skipped. */
  groups: readonly TunedGroup[];
  /** Said before the folder's groups run. */
  announce?: string;
}

export interface TunedExperiment {
  /** How messages and plan.json name the experiment, e.g. "study". */
  label: string;
  /** The command that ran it, for plan.json. */
  command: string;
  /** Set when the folders lie under --out: the entry that marks --out as this experiment's (explain's "variants"). */
  rootMarker?: string;
  folders: readonly GroupFolder[];
}

export interface TunedRunOutcome {
  /** The ids of the groups completed now. */
  ran: string[];
  /** The names of the folders whose groups are all complete now, in order. */
  finished: string[];
  interrupted: boolean;
}

const say = (stream: NodeJS.WriteStream, line: string): void => void stream.write(`${line}\n`);

/** Runs the experiment's folders into `settings.outDir` (after the estimate; nothing but the estimate on a dry run). */
export async function runTunedExperiment(experiment: TunedExperiment, settings: TunedRunSettings): Promise<TunedRunOutcome> {
  const stream = settings.stream ?? process.stderr;
  const { label, rootMarker } = experiment;
  const todo = experiment.folders.flatMap((f) => f.groups.filter((g) => readGroupRecord(f.outDir, g.id) === null));
  if (settings.estimate && todo.length > 0) {
    const cost = await estimateGroups(todo, settings.jobs);
    say(
      stream,
      `${label}: ${cost.runs} runs to go at most (${cost.tuningRuns} tuning, ${cost.judgedRuns} judged); ` +
        `estimated ${formatMinutes(cost.seconds)} on ${cost.workers} workers (calibrated just now on this machine)`,
    );
  }
  const outcome: TunedRunOutcome = { ran: [], finished: [], interrupted: false };
  if (settings.dryRun) return outcome;
  const { outDir, reuseFrom } = settings;
  // The report goes beside the folders: never into a folder that holds something else.
  if (rootMarker !== undefined && existsSync(outDir) && readdirSync(outDir).length > 0 && !existsSync(path.join(outDir, rootMarker))) {
    throw new UserError(`${outDir}: is not empty and holds no ${label} experiment (${rootMarker}/); give a new or empty --out`);
  }
  if (reuseFrom !== undefined) checkReuseRoot(reuseFrom, outDir, rootMarker ?? STUDY_FILE, label);

  for (const folder of experiment.folders) {
    if (folder.announce !== undefined) say(stream, folder.announce);
    const { ran, interrupted } = await runGroups({
      outDir: folder.outDir,
      dataDir: settings.dataDir,
      identity: folder.identity,
      groups: folder.groups,
      jobs: settings.jobs,
      progress: settings.progress,
      stream,
      label,
      command: experiment.command,
      // The same folder in the experiment to reuse.
      reuseFrom: reuseFrom && (folder.outDir === outDir ? reuseFrom : path.join(reuseFrom, path.relative(outDir, folder.outDir))),
    });
    outcome.ran.push(...ran);
    if (interrupted) return { ...outcome, interrupted: true };
    outcome.finished.push(folder.name);
  }
  return outcome;
}
