/**
 * A job of an experiment, and its content fingerprint.
 *
 * Every experiment (reproduce, study, explain) is a plan builder: its config becomes an
 * in-memory list of these jobs, and the engine (run-plan.ts) runs them into one folder.
 * - train: one network trained with one config and seed (its folder: OUT/runs/<id>/);
 * - landscape: the probes of the network a train job of the same plan produced (the loss along
 *   first-layer weights, and the author's explanation) (its folder: OUT/probes/<id>/).
 * Steps that depend on the results of earlier jobs (choosing a learning rate on the validation
 * split, then training the chosen setting with more seeds) are staged plans: tuned-group.ts.
 *
 * A job's fingerprint is a hash of everything it computes from, so a finished job found in a
 * folder is reused only when it was made with exactly the settings planned now.
 */
import { createHash } from 'node:crypto';
import type { RunConfig } from '../config/schema.js';
import type { LandscapeProbeSettings } from '../probes/landscape-settings.js';
import type { MechanismSettings } from '../probes/mechanism.js';

export interface TrainJob {
  kind: 'train';
  id: string;
  configName: string;
  seed: number;
  /** The complete config of this run (seed and recordGradients set). */
  config: RunConfig;
}

export interface LandscapeJob {
  kind: 'landscape';
  id: string;
  configName: string;
  seed: number;
  /** The training run whose final network is probed. */
  trainId: string;
  settings: LandscapeProbeSettings;
  /** The author's explanation measured on the same network (src/probes/mechanism.ts); part of the job's fingerprint. */
  mechanism: MechanismSettings;
}

export type Job = TrainJob | LandscapeJob;

export interface Plan {
  jobs: Job[];
  /** Seeds the plan trains with (for the report). */
  seeds: number[];
  /** sha256 of the jobs: two folders hold parts of the same plan only if their fingerprints match. */
  fingerprint: string;
}

export function trainJobId(configName: string, seed: number): string {
  return `${configName}-s${seed}`;
}

function landscapeJobId(configName: string, seed: number): string {
  return `landscape-${configName}-s${seed}`;
}

/** What a plan of training runs and probes is made from (see planRuns). */
export interface RunsSpec {
  /** Complete run configs by name, in plan order (seed and recordGradients are set per run). */
  configs: ReadonlyMap<string, RunConfig>;
  seeds: number[];
  /** Names whose runs record per-layer gradients. */
  recordGradients: ReadonlySet<string>;
  /** Names whose trained networks are probed, with every seed's network or only the first seed's. */
  probed: readonly string[];
  allSeeds: boolean;
  probe: LandscapeProbeSettings;
  mechanism: MechanismSettings;
}

/**
 * Training runs config x seed, in the order of `configs`, seeds ascending, each with a stable id
 * (`sigmoid5-s2`) that names its folder, so a restarted plan and every shard agree on what a run
 * is; then the probes (`landscape-relu7-s1`), each of the network its training run produced.
 */
export function planRuns(spec: RunsSpec): Plan {
  const jobs: Job[] = [];
  for (const [name, loaded] of spec.configs) {
    // A description changes no number, so editing one must not make finished runs look foreign.
    const { description: _description, ...base } = loaded;
    for (const seed of spec.seeds) {
      const config: RunConfig = { ...base, name, seed, recordGradients: base.recordGradients || spec.recordGradients.has(name) };
      jobs.push({ kind: 'train', id: trainJobId(name, seed), configName: name, seed, config });
    }
  }
  for (const name of spec.probed) {
    for (const seed of spec.allSeeds ? spec.seeds : spec.seeds.slice(0, 1)) {
      jobs.push({
        kind: 'landscape',
        id: landscapeJobId(name, seed),
        configName: name,
        seed,
        trainId: trainJobId(name, seed),
        settings: spec.probe,
        mechanism: spec.mechanism,
      });
    }
  }
  return planOf(jobs, spec.seeds);
}

/**
 * A plan of training runs each with its own seed, in the order given (the search's audit reruns
 * single runs of its screen, so configs x seeds does not describe it). Each config must be
 * complete, with its name and seed set; ids are formed as planRuns forms them.
 */
export function planTrainRuns(runs: readonly { configName: string; seed: number; config: RunConfig }[]): Plan {
  const jobs: Job[] = runs.map(({ configName, seed, config }) => ({
    kind: 'train',
    id: trainJobId(configName, seed),
    configName,
    seed,
    config,
  }));
  return planOf(
    jobs,
    [...new Set(runs.map((r) => r.seed))].sort((a, b) => a - b),
  );
}

/** A plan of these jobs (in this order), with its fingerprint. */
function planOf(jobs: Job[], seeds: number[]): Plan {
  return { jobs, seeds, fingerprint: fingerprintOf(jobs) };
}

/** The job that must be complete before this one can start: a probe needs the run it probes. */
export function dependencyOf(job: Pick<Job, 'kind'> & Partial<Pick<LandscapeJob, 'trainId'>>): string | null {
  return job.kind === 'landscape' ? (job.trainId ?? null) : null;
}

/** A stable hash of what the jobs compute (key order does not matter). */
function fingerprintOf(jobs: readonly Job[]): string {
  return createHash('sha256').update(canonicalJson(jobs)).digest('hex');
}

/** The fingerprint of a plan's jobs as read back from plan.json: equal to the one stored there unless the file was edited. */
export function planFingerprint(jobs: readonly Job[]): string {
  return fingerprintOf(jobs);
}

/** A fingerprint of one job, stored with its result so a resumed plan can tell it was made with the same settings. */
export function jobFingerprint(job: Job): string {
  return fingerprintOf([job]);
}

/** JSON with object keys sorted, so equal values give equal text. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}
