/**
 * The plan of a reproduction: the deterministic list of everything it runs.
 *
 * Training runs are config x seed, in the order the reproduce config lists the configs, seeds
 * ascending; each has a stable id (`sigmoid5-s2`) that names its folder, so a restarted sweep
 * and every shard agree on what a run is. Landscape probes follow, one per probed config and
 * seed (`landscape-relu7-s1`); each probes the network its training run produced.
 *
 * `--shard k/n` keeps a deterministic 1/n: training run number i (0-based, in plan order) goes
 * to shard (i mod n) + 1, which spreads every config over the shards so they take about equally
 * long; a probe goes to the shard of the run it probes, so a shard never waits for another.
 */
import { createHash } from 'node:crypto';
import { UsageError } from '../util/errors.js';
import type { RunConfig } from '../config/schema.js';
import type { ReproduceConfig, LandscapeSettings } from './config.js';
import { DEFAULT_MECHANISM_SETTINGS, type MechanismSettings } from '../probes/mechanism.js';

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
  settings: Omit<LandscapeSettings, 'configs' | 'allSeeds'>;
  /** The author's explanation measured on the same network (src/probes/mechanism.ts); part of the job's fingerprint. */
  mechanism: MechanismSettings;
}

export type PlannedJob = TrainJob | LandscapeJob;

export interface Plan {
  jobs: PlannedJob[];
  /** Seeds every config is trained with. */
  seeds: number[];
  /** sha256 of the jobs: two folders hold parts of the same sweep only if their fingerprints match. */
  fingerprint: string;
}

export interface Shard {
  /** 1-based: shard k of n. */
  index: number;
  count: number;
}

export const WHOLE: Shard = { index: 1, count: 1 };

function trainId(configName: string, seed: number): string {
  return `${configName}-s${seed}`;
}

function landscapeId(configName: string, seed: number): string {
  return `landscape-${configName}-s${seed}`;
}

export function makePlan(rc: ReproduceConfig): Plan {
  const { settings } = rc;
  const seeds = Array.from({ length: settings.seeds }, (_, i) => settings.firstSeed + i);
  const recordGradients = new Set(settings.gradients.configs);
  const jobs: PlannedJob[] = [];
  for (const name of settings.configs) {
    const loaded = rc.runConfigs.get(name);
    if (!loaded) throw new Error(`plan: config "${name}" was not loaded`);
    // A description changes no number, so editing one must not make finished runs look foreign.
    const { description: _description, ...base } = loaded;
    for (const seed of seeds) {
      const config: RunConfig = { ...base, name, seed, recordGradients: base.recordGradients || recordGradients.has(name) };
      jobs.push({ kind: 'train', id: trainId(name, seed), configName: name, seed, config });
    }
  }
  const { configs: probed, allSeeds, ...probe } = settings.landscape;
  for (const name of probed) {
    for (const seed of allSeeds ? seeds : seeds.slice(0, 1)) {
      jobs.push({
        kind: 'landscape',
        id: landscapeId(name, seed),
        configName: name,
        seed,
        trainId: trainId(name, seed),
        settings: probe,
        mechanism: DEFAULT_MECHANISM_SETTINGS,
      });
    }
  }
  return { jobs, seeds, fingerprint: fingerprintOf(jobs) };
}

/** Parses `k/n` (1 <= k <= n). */
export function parseShard(text: string): Shard {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`--shard: expected k/n such as 1/4, got "${text}"`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1) throw new UsageError(`--shard: the number of shards n must be at least 1, got "${text}"`);
  if (index < 1 || index > count)
    throw new UsageError(`--shard: k must be between 1 and ${count} (shards are numbered from 1), got "${text}"`);
  return { index, count };
}

export function formatShard(s: Shard): string {
  return `${s.index}/${s.count}`;
}

/** The jobs shard `s` runs, in plan order. */
export function selectShard(plan: Plan, s: Shard): PlannedJob[] {
  const shardOfTrain = new Map<string, number>();
  let i = 0;
  for (const job of plan.jobs) {
    if (job.kind === 'train') shardOfTrain.set(job.id, (i++ % s.count) + 1);
  }
  return plan.jobs.filter((job) => {
    const owner = job.kind === 'train' ? shardOfTrain.get(job.id) : shardOfTrain.get(job.trainId);
    if (owner === undefined) throw new Error(`plan: probe ${job.id} refers to unknown run`);
    return owner === s.index;
  });
}

/** A stable hash of what the jobs compute (key order does not matter). */
function fingerprintOf(jobs: readonly PlannedJob[]): string {
  return createHash('sha256').update(canonicalJson(jobs)).digest('hex');
}

/** A fingerprint of one job, stored with its result so a resumed sweep can tell it was made with the same settings. */
export function jobFingerprint(job: PlannedJob): string {
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
