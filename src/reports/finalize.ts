/**
 * After the last job: runs.csv (one row per run), then summary.csv, claims.csv, the charts and
 * the report from it and the records (build-report.ts), from the folder's records only.
 *
 * Everything here reads the job records (result.json) of the plan in plan order and nothing
 * else that differs between machines, which is why a folder merged from shards ends with the
 * same summary as a folder one machine filled.
 */
import { UserError } from '../util/errors.js';
import type { BackendInfo } from '../nn/tfjs/backend.js';
import { claimNumber } from './claims/registry.js';
import { describeSettings, type ReportChart, type ReportData } from './report-data.js';
import { buildReport } from './build-report.js';
import { reportStrings, type Lang } from './i18n.js';
import { runRowsOf, writeRunsCsv } from './runs-table.js';
import { testImagesOfRuns } from './test-images.js';
import { trajectoriesOfRuns } from './trajectories.js';
import { protocolOf } from './protocol.js';
import { formatDuration } from '../experiment/progress.js';
import {
  readPlanFile,
  readSessions,
  jobDir,
  jobState,
  type PlanFile,
  type TrainRecord,
  type LandscapeRecord,
  type SessionRecord,
  type JobRecord,
} from '../experiment/store.js';

export interface FinalizeResult {
  runs: string;
  summary: string;
  claims: string;
  report: { md: string; html: string };
  charts: ReportChart[];
  data: ReportData;
}

/** The records of every job of the plan, or a UserError naming the missing ones. */
function collectRecords(outDir: string, plan: PlanFile): JobRecord[] {
  const records: JobRecord[] = [];
  const missing: string[] = [];
  for (const job of plan.jobs) {
    const s = jobState(outDir, job);
    if (s.state === 'complete') records.push(s.record);
    else missing.push(job.id);
  }
  if (missing.length > 0) {
    const shown = missing.slice(0, 5).join(', ') + (missing.length > 5 ? `, ... (${missing.length - 5} more)` : '');
    throw new UserError(
      `${outDir}: ${missing.length} of ${plan.jobs.length} jobs are not complete (${shown}); run the sweep (or the missing shards) first`,
    );
  }
  return records;
}

export async function finalize(outDir: string, now: Date = new Date(), lang: Lang = 'en'): Promise<FinalizeResult> {
  const plan = readPlanFile(outDir);
  const records = collectRecords(outDir, plan);
  const train = records.filter((r): r is TrainRecord => r.kind === 'train');
  const landscape = records.filter((r): r is LandscapeRecord => r.kind === 'landscape');
  const runRows = runRowsOf(train, landscape);
  const runs = await writeRunsCsv(outDir, runRows);
  // Which full-split test images each run got right, from its predictions.csv: the accuracy claims' intervals.
  const trainJobs = new Map(plan.jobs.filter((j) => j.kind === 'train').map((j) => [j.id, j]));
  const images = testImagesOfRuns(
    train.map((r) => ({ config: r.config, configName: r.configName, seed: r.seed, dir: jobDir(outDir, trainJobs.get(r.id)!) })),
  );
  // The probed runs' units by epoch, from their activations.csv, with their histories and gradients.
  const trajectories = trajectoriesOfRuns(
    train.map((r) => ({
      configName: r.configName,
      seed: r.seed,
      dir: jobDir(outDir, trainJobs.get(r.id)!),
      history: r.history,
      gradients: r.gradients,
    })),
  );

  const sessions = readSessions(outDir);
  const protocol = await protocolOf(outDir, train, rulesOfPlan(plan));
  const built = await buildReport(outDir, runRows, {
    probes: { train, landscape },
    images,
    trajectories,
    protocol,
    title: reportStrings(lang).titleReproduction,
    source: plan.source,
    command: plan.command,
    settings: [`seeds ${plan.seeds.join(', ')}`, ...describeSettings(train.map((r) => r.config))],
    environment: environmentOf(records, sessions),
    notes: notesOf(plan, landscape, train, sessions),
    now,
    lang,
  });
  return { runs, summary: built.summary, claims: built.claimsCsv, report: built.report, charts: built.charts, data: built.data };
}

/** What plan.json recorded of the rules file the sweep followed (src/reproduce/article.ts), or null. */
function rulesOfPlan(plan: PlanFile): { file: string; version: number; sha256: string } | null {
  const rules = (plan.settings as { rules?: unknown } | null)?.rules;
  if (!rules || typeof rules !== 'object') return null;
  const r = rules as { file?: unknown; version?: unknown; sha256?: unknown };
  return typeof r.file === 'string' && typeof r.version === 'number' && typeof r.sha256 === 'string'
    ? { file: r.file, version: r.version, sha256: r.sha256 }
    : null;
}

/** As describeBackend (src/nn/tfjs/backend.ts) prints it; kept here so the parent process never loads TensorFlow.js. */
function backendText(b: BackendInfo): string {
  return `${b.name} (${b.provider}, ${b.threads} thread${b.threads === 1 ? '' : 's'})`;
}

function uniq(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function environmentOf(records: readonly JobRecord[], sessions: readonly SessionRecord[]): ReportData['environment'] {
  const train = records.filter((r): r is TrainRecord => r.kind === 'train');
  const backends = uniq(train.map((r) => (r.backend ? backendText(r.backend) : 'none (hand-written engine)')));
  const engines = uniq(train.map((r) => r.engine));
  const versions = uniq(
    records.map((r) => `Node ${r.versions.node}, @tensorflow/tfjs-core ${r.versions.tfjs}, this project ${r.versions.project}`),
  );
  const sources = uniq(train.map((r) => r.dataSource));
  const machines = uniq(sessions.map((s) => `${s.host}: ${s.cpus} x ${s.cpuModel}`));
  const busiest = sessions.reduce((m, s) => Math.max(m, (s.load5 ?? 0) / Math.max(1, s.cpus)), 0);
  // Sessions of one folder ran one after another (a resumed sweep); folders (shards) may have run side by side.
  const byFolder = new Map<string, SessionRecord[]>();
  for (const s of sessions) byFolder.set(s.folder, [...(byFolder.get(s.folder) ?? []), s]);
  const perFolder = [...byFolder.entries()].map(([folder, list]) => ({
    folder,
    seconds: list.reduce((a, s) => a + s.wallSeconds, 0),
    sessions: list.length,
    jobs: uniq(list.map((s) => String(s.jobs))).join('/'),
    shard: list[0].shard,
  }));
  let wallTime: string;
  if (perFolder.length === 0) wallTime = 'not recorded';
  else if (perFolder.length === 1) {
    const f = perFolder[0];
    wallTime = `${formatDuration(f.seconds)} until the report was written, with ${f.jobs} worker process${f.jobs === '1' ? '' : 'es'}${f.sessions > 1 ? ` (${f.sessions} sessions: the sweep was interrupted and resumed)` : ''}`;
  } else {
    const longest = Math.max(...perFolder.map((f) => f.seconds));
    wallTime =
      `${perFolder.length} shard folders: ${perFolder.map((f) => `shard ${f.shard} ${formatDuration(f.seconds)}`).join(', ')}; ` +
      `the longest ${formatDuration(longest)} (the sweep's wall time if the shards ran side by side)`;
  }
  const compute = records.reduce((a, r) => a + r.seconds, 0);
  return {
    backend: backends.join('; '),
    engine: engines.join('; '),
    versions: versions.join('; '),
    machine:
      machines.length > 0
        ? `${machines.join('; ')}${busiest > 1 ? ` (busy: 5-minute load average up to ${busiest.toFixed(1)} per core, so times are slower than on an idle machine)` : ''}`
        : 'not recorded',
    wallTime,
    computeTime: `${formatDuration(compute)} summed over ${records.length} jobs (training and probes, as each measured itself)`,
    dataSource: sources.join('; ') || 'unknown',
  };
}

function notesOf(
  plan: PlanFile,
  landscape: readonly LandscapeRecord[],
  train: readonly TrainRecord[],
  sessions: readonly SessionRecord[],
): string[] {
  const notes: string[] = [];
  if (plan.seeds.length < 2)
    notes.push('Only one seed per configuration: there is no spread over seeds, so no difference can be shown to exceed it.');
  if (landscape.length === 0)
    notes.push(`No landscape probe was run (landscape.configs is empty), so claim ${claimNumber('landscape-shape')} is not measured.`);
  if (!train.some((r) => r.gradients.length > 0))
    notes.push(`No run recorded gradients (gradients.configs is empty), so claim ${claimNumber('vanishing-gradient')} is not measured.`);
  if (plan.mergedFrom) notes.push(`Merged from ${plan.mergedFrom.length} folders: ${plan.mergedFrom.join(', ')}.`);
  const unfinished = sessions.filter((s) => s.status !== 'finished');
  if (unfinished.length > 0) {
    notes.push(
      `${unfinished.length} earlier session${unfinished.length === 1 ? ' was' : 's were'} interrupted or failed (${uniq(unfinished.map((s) => s.status)).join(', ')}); their complete runs were kept and the rest redone.`,
    );
  }
  return notes;
}
