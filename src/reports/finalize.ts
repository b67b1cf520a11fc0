/**
 * After the last job: runs.csv (one row per run), then summary.csv, claims.csv, the charts and
 * the report from it (build-report.ts), from the folder's records only.
 *
 * Everything here reads the job records (result.json) of the plan in plan order and nothing
 * else that differs between machines, which is why a folder merged from shards ends with the
 * same summary as a folder one machine filled.
 */
import path from 'node:path';
import { UserError } from '../util/errors.js';
import type { BackendInfo } from '../nn/tfjs/backend.js';
import { writeDeltaChart, writeGradientCharts, writeLandscapeChart } from '../charts/charts.js';
import { describeSettings, type ReportChart, type ReportData } from './report.js';
import { landscapeRulesTable } from './report-data.js';
import { shapeSensitivity } from '../probes/landscape-rules.js';
import type { LayerGradientStat } from '../nn/gradient-stats.js';
import { buildReport, CHARTS_DIR } from './build-report.js';
import { runRowsOf, writeRunsCsv } from './runs-table.js';
import { formatDuration } from '../experiment/progress.js';
import {
  readPlanFile,
  readSessions,
  jobState,
  type PlanFile,
  type TrainRecord,
  type LandscapeRecord,
  type SessionRecord,
  type JobRecord,
} from '../experiment/store.js';

interface GradientRun {
  configName: string;
  seed: number;
  gradients: readonly LayerGradientStat[];
}

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

export async function finalize(outDir: string, now: Date = new Date()): Promise<FinalizeResult> {
  const plan = readPlanFile(outDir);
  const records = collectRecords(outDir, plan);
  const train = records.filter((r): r is TrainRecord => r.kind === 'train');
  const landscape = records.filter((r): r is LandscapeRecord => r.kind === 'landscape');
  const runRows = runRowsOf(train, landscape);
  const runs = await writeRunsCsv(outDir, runRows);

  const chartsDir = path.join(outDir, CHARTS_DIR);
  const charts: ReportChart[] = [];
  // The charts show one network per config (the first seed's); the verdicts use every seed.
  const firstSeedOf = <T extends { configName: string; seed: number }>(list: readonly T[]): T[] => {
    const byConfig = new Map<string, T>();
    for (const r of list) {
      const have = byConfig.get(r.configName);
      if (!have || r.seed < have.seed) byConfig.set(r.configName, r);
    }
    return [...byConfig.values()];
  };
  if (landscape.length > 0) {
    const shown = firstSeedOf(landscape);
    const files = await writeLandscapeChart(
      chartsDir,
      shown.flatMap((r) =>
        r.series.map((s) => ({
          config: r.configName,
          activation: r.activation,
          weightI: s.weightI,
          weightJ: s.weightJ,
          original: s.original,
          values: s.values,
          losses: s.losses,
        })),
      ),
    );
    charts.push({
      name: 'landscape',
      title: 'Loss along one first-layer weight',
      caption: `Mean squared error over the ${shown[0].examples} as one first-layer weight of the trained network is swept, all other weights fixed (${shown.map((r) => `${r.configName} seed ${r.seed}`).join(', ')}).`,
      png: files.png,
      svg: files.svg,
    });
  }

  const mechanisms = firstSeedOf(landscape).filter((r) => r.mechanism);
  if (mechanisms.length > 0) {
    const files = await writeDeltaChart(
      chartsDir,
      mechanisms.flatMap((r) =>
        (['init', 'trained'] as const).flatMap((state) =>
          r.mechanism![state].deltaMeanNorm.map((meanNorm, l) => ({
            series: `${r.configName} ${state === 'init' ? 'init' : 'trained'}`,
            layer: l + 1,
            meanNorm: meanNorm ?? Number.NaN,
          })),
        ),
      ),
    );
    charts.push({
      name: 'deltas',
      title: 'Back-propagated error per hidden layer',
      caption: `Mean over the training images of the per-example error reaching each hidden layer, ||δ||, at initialisation and after training (log scale; claim 6): ${mechanisms.map((r) => `${r.configName} seed ${r.seed}`).join(', ')}.`,
      png: files.png,
      svg: files.svg,
    });
  }

  const gradientRuns: GradientRun[] = train
    .filter((r) => r.gradients.length > 0)
    .map((r) => ({ configName: r.configName, seed: r.seed, gradients: r.gradients }));
  if (gradientRuns.length > 0) {
    const shown = firstSeedOf(gradientRuns);
    const files = await writeGradientCharts(
      chartsDir,
      shown.flatMap((r) => r.gradients.map((g) => ({ ...g, run: `${r.configName} (seed ${r.seed})` }))),
    );
    charts.push({
      name: 'gradients-by-layer',
      title: 'Gradient norm against layer',
      caption: `L2 norm of each layer's weight gradient over the training set (log scale), at initialisation (epoch 0) and after every epoch: ${shown.map((r) => r.configName).join(' and ')}, seed ${shown[0].seed}.`,
      png: files.byLayer.png,
      svg: files.byLayer.svg,
    });
    charts.push({
      name: 'gradients-by-epoch',
      title: 'Gradient norm during training',
      caption: 'The same gradients against the epoch, one line per layer.',
      png: files.byEpoch.png,
      svg: files.byEpoch.svg,
    });
  }

  // Claim 5's curves recounted under other flatness floors and inside margins (the rules' two free constants).
  const sweptCurves = landscape.flatMap((r) =>
    r.series.map((c) => ({
      activation: r.activation,
      values: c.values,
      losses: c.losses,
      activity: c.unitActive && c.unitSaturated ? c.unitActive.map((active, p) => ({ active, saturated: c.unitSaturated![p] })) : undefined,
    })),
  );
  const landscapeRules = sweptCurves.length > 0 ? landscapeRulesTable(shapeSensitivity(sweptCurves)) : undefined;

  const sessions = readSessions(outDir);
  const built = await buildReport(outDir, runRows, {
    landscapeRules,
    title: 'Reproduction report: CIFAR-10 airplane vs ship, Sigmoid vs ReLU, and the vanishing gradient',
    source: plan.source,
    command: plan.command,
    settings: [`seeds ${plan.seeds.join(', ')}`, ...describeSettings(train.map((r) => r.config))],
    environment: environmentOf(records, sessions),
    notes: notesOf(plan, landscape, gradientRuns, sessions),
    extraCharts: charts,
    now,
  });
  return { runs, summary: built.summary, claims: built.claimsCsv, report: built.report, charts: built.charts, data: built.data };
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
  gradients: readonly GradientRun[],
  sessions: readonly SessionRecord[],
): string[] {
  const notes: string[] = [];
  if (plan.seeds.length < 2)
    notes.push('Only one seed per configuration: there is no spread over seeds, so no difference can be shown to exceed it.');
  if (landscape.length === 0) notes.push('No landscape probe was run (landscape.configs is empty), so claim 5 is not measured.');
  if (gradients.length === 0) notes.push('No run recorded gradients (gradients.configs is empty), so claim 6 is not measured.');
  if (plan.mergedFrom) notes.push(`Merged from ${plan.mergedFrom.length} folders: ${plan.mergedFrom.join(', ')}.`);
  const unfinished = sessions.filter((s) => s.status !== 'finished');
  if (unfinished.length > 0) {
    notes.push(
      `${unfinished.length} earlier session${unfinished.length === 1 ? ' was' : 's were'} interrupted or failed (${uniq(unfinished.map((s) => s.status)).join(', ')}); their complete runs were kept and the rest redone.`,
    );
  }
  return notes;
}
