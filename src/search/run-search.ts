/**
 * `search`: the search for the author's setting, stage after stage, each stage a plan on the
 * engine (runPlan) in its own folder, each built from the records of the stages before:
 *
 *   OUT/search.json        which search the folder holds (config, quick, the rules' SHA-256)
 *   OUT/A/, B/, audit/, extend/, B2/, D/   the stages' plans (store.ts layout); a stage with no run has no folder
 *   OUT/matrix.csv, OUT/stages.csv, OUT/charts/matrix.svg/.png   when every stage is complete
 *
 * Running the command again resumes: complete stages are read, the first incomplete one resumes
 * its jobs. With a shard (`--shard k/n`, a Slurm array, a Kubernetes index) the command runs its
 * share of the first stage not complete in `--after` (the folder holding the stages before,
 * normally the merge of the previous stage's shards) into its own `--out`, and stops: the next
 * stage depends on every run of this one. `search merge` (merge-search.ts) combines the shards'
 * stage into the merged folder and goes on from there, so a search spread over machines ends in
 * the folder one machine would have written.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UserError } from '../util/errors.js';
import { writeFileAtomic } from '../util/atomic.js';
import { createFolder } from '../util/folders.js';
import { readJsonFile } from '../util/json.js';
import type { ProgressChoice } from '../util/progress-choice.js';
import { runPlan } from '../experiment/run-plan.js';
import { formatShard, selectShard, WHOLE, type Shard } from '../experiment/shard.js';
import { jobDir, jobState, readPlanFile, type TrainRecord } from '../experiment/store.js';
import type { SearchConfig } from './config.js';
import {
  auditRuns,
  chooseCells,
  extendRuns,
  outcomeOf,
  runKey,
  stageA,
  stageBRuns,
  stageDRuns,
  stageOf,
  type CellChoice,
  type Outcomes,
  type RunOutcome,
  type SearchRun,
  type Stage,
} from './plan.js';
import { judgePromoted, screenDistances, stageDCells, type PromotedRecord, type ScreenDistance } from './judge.js';
import { writeSearchMatrix, type StageSummary } from './matrix.js';
import { writeSearchVerdicts } from './verdicts.js';
import { writeSearchReport } from './report.js';

const SEARCH_FILE = 'search.json';

const IdentitySchema = z.object({ configFile: z.string(), quick: z.boolean(), rulesSha256: z.string(), settings: z.unknown() });
type SearchIdentity = z.output<typeof IdentitySchema>;

export function identityOf(config: SearchConfig): SearchIdentity {
  return {
    configFile: config.source,
    quick: config.quick,
    rulesSha256: config.rules.sha256,
    // What decides the numbers: the grid, the rules per batch size, the data and the networks.
    settings: JSON.parse(
      JSON.stringify({
        axes: config.axes,
        perBatch: [...config.perBatch.entries()],
        data: config.data,
        networks: [...config.networks.entries()].map(([n, c]) => [n, { ...c, description: undefined }]),
      }),
    ),
  };
}

function sameSearch(a: SearchIdentity, b: SearchIdentity): boolean {
  return a.quick === b.quick && a.rulesSha256 === b.rulesSha256 && JSON.stringify(a.settings) === JSON.stringify(b.settings);
}

export function readSearchIdentity(dir: string): SearchIdentity {
  const file = path.join(dir, SEARCH_FILE);
  if (!existsSync(file)) throw new UserError(`${dir}: not a search folder (no ${SEARCH_FILE})`);
  return readJsonFile(file, IdentitySchema, 'search identity');
}

/** Refuses `dir` unless it holds this search (or, when `claim`, is new or empty: it is made and marked). */
export async function checkSearchFolder(dir: string, config: SearchConfig, flag: string, claim: boolean): Promise<void> {
  const identity = identityOf(config);
  if (existsSync(path.join(dir, SEARCH_FILE))) {
    if (!sameSearch(readSearchIdentity(dir), identity))
      throw new UserError(`${dir}: holds a search with other settings (${path.join(dir, SEARCH_FILE)}); use another ${flag}`);
    return;
  }
  if (!claim) throw new UserError(`${flag} ${dir}: not a search folder (no ${SEARCH_FILE})`);
  await createFolder(dir, flag);
  if (readdirSync(dir).length > 0)
    throw new UserError(`${flag} ${dir}: is not empty and holds no search (${SEARCH_FILE}); give a new or empty folder`);
  await writeFileAtomic(path.join(dir, SEARCH_FILE), `${JSON.stringify(identity, null, 2)}\n`);
}

/** Whether `dir` holds the stage's whole plan, every job complete (false when there is no such folder). */
export function stageComplete(dir: string, stage: Stage): boolean {
  if (!existsSync(path.join(dir, 'plan.json'))) return false;
  const plan = readPlanFile(dir);
  if (plan.fingerprint !== stage.plan.fingerprint) {
    throw new UserError(`${dir}: holds another plan of stage ${stage.name} than the stages before it give; delete that folder to redo it`);
  }
  return plan.shard.count === 1 && stage.plan.jobs.every((job) => jobState(dir, job).state === 'complete');
}

/** A complete stage's runs: each run, its record and its folder. */
function stageRecords(dir: string, stage: Stage): { run: SearchRun; record: TrainRecord; dir: string }[] {
  return stage.plan.jobs.map((job) => {
    const state = jobState(dir, job);
    if (state.state !== 'complete' || state.record.kind !== 'train') throw new UserError(`${dir}: run ${job.id} is not complete`);
    return { run: stage.byJob.get(job.id)!, record: state.record as TrainRecord, dir: jobDir(dir, job) };
  });
}

/** A complete stage's outcomes, by the search's learns threshold. */
export function readStageOutcomes(config: SearchConfig, dir: string, stage: Stage): RunOutcome[] {
  return stageRecords(dir, stage).map((r) => outcomeOf(r.run, r.record, config.rules.learnsThreshold));
}

/** What a complete search writes into its folder. */
interface SearchResultFiles {
  matrix: string;
  stages: string;
  verdicts: string;
  distance: string;
  /** Stage E's folder per judged (cell, arm). */
  judged: string[];
  report: string;
  charts: string[];
}

/**
 * How a stage is got to completion: `run` (this machine runs it, whole or its shard), or `read`
 * (only read what is complete: a merge, or the stages before a shard's).
 * Returns true when the stage is complete in `base` and may be read.
 */
type StageRunner = (stage: Stage) => Promise<boolean>;

export type SearchProgress =
  { done: true; files: SearchResultFiles; stages: StageSummary[] } | { done: false; next: Stage; stages: StageSummary[] };

/** Every stage's outcome once all are complete: what the matrix, stage E and the report are made of. */
export interface SearchStages {
  done: true;
  outcomes: Outcomes;
  choices: CellChoice[];
  screen: ScreenDistance[];
  promoted: CellChoice[];
  /** The promoted cells are the nearest, as no cell passed. */
  fallback: boolean;
  d: Stage;
  /** Stage D's runs. */
  judged: RunOutcome[];
  stages: StageSummary[];
}

/**
 * The order of the stages, each planned from the outcomes of those before it; `complete` gets a
 * stage to completion and returns its outcomes (null: not complete, the search stops there). A
 * stage with no run is complete at once. The one sequence behind running, merging and resuming.
 */
export async function searchStages(
  config: SearchConfig,
  complete: (stage: Stage) => Promise<RunOutcome[] | null>,
): Promise<SearchStages | { done: false; next: Stage; stages: StageSummary[] }> {
  const outcomes: Outcomes = new Map();
  const stages: StageSummary[] = [];
  const step = async (stage: Stage): Promise<RunOutcome[] | null> => {
    if (stage.plan.jobs.length === 0) return [];
    const found = await complete(stage);
    if (found === null) return null;
    stages.push({
      stage: stage.name,
      runs: found.length,
      stalled: found.filter((o) => o.stopReason === 'stalled').length,
      learned: found.filter((o) => o.learned).length,
      learned_before: found.filter((o) => outcomes.get(runKey(o.run))?.learned === true).length,
    });
    for (const o of found) outcomes.set(runKey(o.run), o);
    return found;
  };
  const stop = (next: Stage) => ({ done: false as const, next, stages });

  const a = stageA(config);
  if ((await step(a)) === null) return stop(a);
  const bRuns = stageBRuns(config, outcomes);
  const b = stageOf(config, 'B', bRuns);
  if ((await step(b)) === null) return stop(b);
  const audit = stageOf(config, 'audit', auditRuns(config, outcomes));
  const audited = await step(audit);
  if (audited === null) return stop(audit);
  const extend = stageOf(config, 'extend', extendRuns(config, outcomes, audited));
  if ((await step(extend)) === null) return stop(extend);
  const inB = new Set(bRuns.map(runKey));
  const b2 = stageOf(
    config,
    'B2',
    stageBRuns(config, outcomes).filter((r) => !inB.has(runKey(r))),
  );
  if ((await step(b2)) === null) return stop(b2);

  // The screen's outcomes, before stage D's runs (on other seeds) join them.
  const screenOutcomes: Outcomes = new Map(outcomes);
  const choices = chooseCells(config, screenOutcomes);
  const screen = screenDistances(config, screenOutcomes, choices);
  const { promoted, fallback } = stageDCells(config, choices, screen);
  const d = stageOf(config, 'D', stageDRuns(config, promoted));
  const judged = await step(d);
  if (judged === null) return stop(d);
  return { done: true, outcomes: screenOutcomes, choices, screen, promoted, fallback, d, judged, stages };
}

/**
 * The search from its first stage, each stage handed to `runStage`; records are read from
 * `base` (the folder holding complete stages). Stops at the first stage the runner leaves
 * incomplete; when every stage is complete, judges the promoted cells (stage E) and writes the
 * matrix, the verdicts, the distances, the charts and the report into `base`.
 */
export async function advanceSearch(config: SearchConfig, base: string, runStage: StageRunner): Promise<SearchProgress> {
  const found = await searchStages(config, async (stage) =>
    (await runStage(stage)) ? readStageOutcomes(config, path.join(base, stage.name), stage) : null,
  );
  if (!found.done) return found;
  const records = new Map<string, PromotedRecord>();
  if (found.d.plan.jobs.length > 0)
    for (const r of stageRecords(path.join(base, found.d.name), found.d)) records.set(runKey(r.run), { record: r.record, dir: r.dir });
  const judgements = found.promoted.map((choice) => judgePromoted(config, choice, records));
  const matrix = await writeSearchMatrix(base, config, found);
  const verdicts = await writeSearchVerdicts(base, config, found.screen, judgements);
  const report = await writeSearchReport(base, config, { ...found, judgements });
  const files: SearchResultFiles = {
    matrix: matrix.matrix,
    stages: matrix.stages,
    verdicts: verdicts.verdicts,
    distance: verdicts.distance,
    judged: verdicts.folders,
    report,
    charts: [...matrix.charts, ...verdicts.charts],
  };
  return { done: true, files, stages: found.stages };
}

export interface RunSearchOptions {
  config: SearchConfig;
  outDir: string;
  /** With a shard: the folder holding the stages before the one to run (default: none, so stage A). */
  after?: string;
  shard?: Shard;
  dataDir: string;
  progress: ProgressChoice;
  stream: NodeJS.WriteStream;
  /** Plan the next stage and say what would run; run nothing. */
  dryRun?: boolean;
  command: string;
  say: (line: string) => void;
}

export type RunSearchOutcome = SearchProgress & { interrupted: boolean };

/**
 * Runs a stage's plan (or a shard's share of it) on the engine into `dir`: the one place the
 * search's stages and its check meet runPlan.
 */
export function runStagePlan(
  opts: Pick<RunSearchOptions, 'config' | 'command' | 'dataDir' | 'progress' | 'stream'>,
  stage: Stage,
  where: { dir: string; shard: Shard; label: string; settings: Record<string, unknown> },
): Promise<{ interrupted: boolean }> {
  return runPlan({
    plan: stage.plan,
    source: opts.config.source,
    settings: where.settings,
    workers: opts.config.jobs,
    label: where.label,
    command: opts.command,
    shard: where.shard,
    outDir: where.dir,
    dataDir: opts.dataDir,
    progress: opts.progress,
    stream: opts.stream,
    // A search runs thousands of runs, judged from their records: no run draws its curves (about a second each).
    runCharts: false,
  });
}

/** Runs the search (or, with a shard, this shard's part of its next stage) into `outDir`. */
export async function runSearch(opts: RunSearchOptions): Promise<RunSearchOutcome> {
  const shard = opts.shard ?? WHOLE;
  const sharded = shard.count > 1;
  if (opts.after !== undefined && !sharded)
    throw new UserError('--after: only with --shard (a machine running the whole search reads its own --out)');
  const base = sharded ? opts.after : opts.outDir;
  // A dry run of a new folder plans stage A without making the folder.
  if (base !== undefined && (sharded || !opts.dryRun || existsSync(base)))
    await checkSearchFolder(base, opts.config, sharded ? '--after' : '--out', !sharded && !opts.dryRun);
  if (sharded && !opts.dryRun) await checkSearchFolder(opts.outDir, opts.config, '--out', true);
  let interrupted = false;
  const runner: StageRunner = async (stage) => {
    const complete = base !== undefined && stageComplete(path.join(base, stage.name), stage);
    if (complete) return true;
    if (interrupted) return false;
    const mine = selectShard(stage.plan, shard).length;
    if (opts.dryRun) {
      opts.say(`search: stage ${stage.name}: ${stage.plan.jobs.length} runs; shard ${formatShard(shard)} runs ${mine}`);
      return false;
    }
    opts.say(`search: stage ${stage.name}: ${stage.plan.jobs.length} runs${sharded ? `; shard ${formatShard(shard)} runs ${mine}` : ''}`);
    const outcome = await runStagePlan(opts, stage, {
      dir: path.join(opts.outDir, stage.name),
      shard,
      label: 'search',
      settings: { stage: stage.name, rules: opts.config.rules.file, rulesSha256: opts.config.rules.sha256, quick: opts.config.quick },
    });
    interrupted = outcome.interrupted;
    // A shard's stage is complete only once merged: the next stage waits for it.
    return !outcome.interrupted && !sharded;
  };
  const progress = await advanceSearch(opts.config, base ?? opts.outDir, runner);
  if (!progress.done && sharded && !opts.dryRun && !interrupted) {
    opts.say(
      `search: shard ${formatShard(shard)} of stage ${progress.next.name} complete; when every shard is, combine them: node dist/run.js search merge DIR... --out MERGED`,
    );
  }
  return { ...progress, interrupted };
}
