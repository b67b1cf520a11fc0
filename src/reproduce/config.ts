/**
 * configs/reproduce.json: what `reproduce` runs, validated with zod like the run configs.
 *
 * The file names the run configs of the sweep (each a JSON file beside it, e.g. `sigmoid5`
 * means `sigmoid5.json`), how many seeds each is trained with, which of them record per-layer
 * gradients, which trained networks the landscape probe sweeps, and how many worker processes
 * run at once. Every run config is loaded and validated here, before anything starts, so a
 * typo fails in a second rather than an hour into the sweep.
 */
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { UsageError } from '../util/errors.js';
import { parseJsonText, readTextFile } from '../util/json.js';
import { describeIssue, loadConfigFile, applyOverrides, type ConfigOverrides } from '../config/load.js';
import { BACKEND_CHOICES, ConfigNameSchema, ENGINE_CHOICES, MAX_SEED, type RunConfig } from '../config/schema.js';
import { LandscapeProbeSettingsSchema, checkLandscapeRange } from '../probes/landscape-settings.js';
import { loadConfirmatoryRules, type ConfirmatoryRules } from './rules.js';

/** The article probes, and records the gradients of, both 7-layer networks: the default when those are in the sweep. */
const DEFAULT_PROBED = ['sigmoid7', 'relu7'];

const DEFAULT_SEEDS = 3;
const DEFAULT_FIRST_SEED = 1;
/** Most seeds per config: 1,000 seeds of the 10 configs is already 10,000 training runs. */
const MAX_SEEDS = 1000;
/** Most worker processes per core: more only adds memory and switching, never speed. */
const JOBS_PER_CORE = 4;
const maxJobs = (): number => JOBS_PER_CORE * os.availableParallelism();

const LandscapeSettingsSchema = LandscapeProbeSettingsSchema.extend({
  /** Configs (from `configs`) whose trained networks are probed; default: those of sigmoid7, relu7 in the sweep. */
  configs: z.array(ConfigNameSchema).optional(),
  /** Probe the network trained with every seed (true) or only with the first seed (false). */
  allSeeds: z.boolean().default(true),
}).superRefine(checkLandscapeRange);

const ReproduceConfigSchema = z
  .strictObject({
    description: z.string().optional(),
    /** Run configs of the sweep, by name (a JSON file of that name beside this file). */
    configs: z.array(ConfigNameSchema).min(1),
    /** Seeds per config: seeds firstSeed, firstSeed+1, ... */
    seeds: z.number().int().min(1).max(MAX_SEEDS).optional(),
    firstSeed: z.number().int().min(0).max(MAX_SEED).optional(),
    /** Worker processes; "auto" = the number of cores; at most JOBS_PER_CORE per core. */
    jobs: z
      .union([z.literal('auto'), z.number().int().min(1)])
      .refine((j) => j === 'auto' || j <= maxJobs(), {
        message: `expected "auto" or at most ${JOBS_PER_CORE} worker processes per core (${maxJobs()} on this machine)`,
      })
      .default('auto'),
    /** Settings applied to every run config (optional): e.g. a quick sweep with fewer epochs. */
    overrides: z
      .strictObject({
        epochs: z.number().int().min(1).optional(),
        learningRate: z.number().positive().optional(),
        batchSize: z.number().int().min(1).optional(),
        backend: z.enum(BACKEND_CHOICES).optional(),
        engine: z.enum(ENGINE_CHOICES).optional(),
      })
      .default({}),
    /** Configs whose runs record per-layer gradients at initialisation and after every epoch. */
    gradients: z.strictObject({ configs: z.array(ConfigNameSchema).optional() }).default({}),
    landscape: LandscapeSettingsSchema.default({ allSeeds: true }),
    /**
     * A pre-registered rules file (relative to this file), e.g. "rules/confirmatory.json": the
     * seeds, the stopping rule and its maximum, and the learning-rate grid each network chooses
     * its rate from on the validation split (src/reproduce/rules.ts). It replaces "seeds" and
     * "firstSeed", which must then be absent.
     */
    rules: z.string().min(1).optional(),
  })
  .superRefine((c, ctx) => {
    // Seeds are 32-bit: seed 2^32 would wrap around to seed 0's numbers.
    if (c.rules !== undefined) {
      for (const field of ['seeds', 'firstSeed'] as const) {
        if (c[field] !== undefined)
          ctx.addIssue({ code: 'custom', path: [field], message: `comes from the rules file ("rules"); remove it here` });
      }
      return;
    }
    const lastSeed = (c.firstSeed ?? DEFAULT_FIRST_SEED) + (c.seeds ?? DEFAULT_SEEDS) - 1;
    if (lastSeed > MAX_SEED) {
      ctx.addIssue({
        code: 'custom',
        path: ['seeds'],
        message: `the last seed, firstSeed + seeds - 1 = ${lastSeed}, must be at most ${MAX_SEED}`,
      });
    }
    const seen = new Set<string>();
    c.configs.forEach((name, i) => {
      if (seen.has(name)) ctx.addIssue({ code: 'custom', path: ['configs', i], message: `"${name}" is listed twice` });
      seen.add(name);
    });
    for (const [field, names] of [
      ['gradients', c.gradients.configs ?? []],
      ['landscape', c.landscape.configs ?? []],
    ] as const) {
      names.forEach((name, i) => {
        if (!seen.has(name)) {
          ctx.addIssue({ code: 'custom', path: [field, 'configs', i], message: `"${name}" is not one of "configs"` });
        }
      });
    }
  });

type ParsedSettings = Omit<z.output<typeof ReproduceConfigSchema>, 'seeds' | 'firstSeed' | 'rules'> & { seeds: number; firstSeed: number };
type LandscapeSettings = Omit<z.output<typeof LandscapeSettingsSchema>, 'configs'> & { configs: string[] };
/** The settings with the defaults that depend on `configs` filled in. */
export type ReproduceSettings = Omit<ParsedSettings, 'gradients' | 'landscape'> & {
  gradients: { configs: string[] };
  landscape: LandscapeSettings;
};

/** The reproduce config with every run config loaded, validated and overridden. */
export interface ReproduceConfig {
  /** The file it came from (for messages and the report). */
  source: string;
  settings: ReproduceSettings;
  /** Run configs by name, in the order of settings.configs; seed and recordGradients not yet set per run. */
  runConfigs: Map<string, RunConfig>;
  /** The pre-registered rules the run follows (seeds, stopping, a learning rate chosen per network), or null. */
  rules: ConfirmatoryRules | null;
}

/** Command-line flags that change the reproduce config. */
export interface ReproduceOverrides {
  seeds?: number;
  jobs?: number;
  epochs?: number;
  backend?: string;
  engine?: string;
  trainPerClass?: number;
  testPerClass?: number;
}

/** Where a field set by a flag comes from, for messages: the flag names the mistake, not the file. */
const FLAG_OF_FIELD: Readonly<Record<string, string>> = { seeds: '--seeds', jobs: '--jobs' };

export function parseReproduceSettings(
  raw: unknown,
  source: string,
  flags: ReproduceOverrides = {},
  rules: ConfirmatoryRules | null = null,
): ReproduceSettings {
  // Flags go through the same schema as the file (limits, the last seed); with a rules file the
  // seeds are the rules' confirmatory ones (--seeds may take fewer of them, for a smoke run).
  const fromRules = rules ? { seeds: rules.seeds.confirmatory.count, firstSeed: rules.seeds.confirmatory.first } : {};
  const merged = {
    ...(raw as object),
    ...(flags.seeds !== undefined && !rules ? { seeds: flags.seeds } : {}),
    ...(flags.jobs !== undefined ? { jobs: flags.jobs } : {}),
  };
  const result = ReproduceConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.');
    const flag = FLAG_OF_FIELD[field];
    const fromFlag = flag !== undefined && flags[field as 'seeds' | 'jobs'] !== undefined;
    throw new UsageError(fromFlag ? `${flag}: ${issue.message.replace(/^Invalid input: /, '')}` : describeIssue(source, result.error));
  }
  const { rules: _rules, ...s } = result.data;
  const seeds = { seeds: DEFAULT_SEEDS, firstSeed: DEFAULT_FIRST_SEED, ...pick(s), ...fromRules };
  if (rules && flags.seeds !== undefined) {
    if (flags.seeds < 1 || flags.seeds > seeds.seeds)
      throw new UsageError(`--seeds: expected 1 to ${seeds.seeds} (the rules file ${rules.file} registers ${seeds.seeds} seeds)`);
    seeds.seeds = flags.seeds;
  }
  const probed = DEFAULT_PROBED.filter((name) => s.configs.includes(name));
  return {
    ...s,
    ...seeds,
    gradients: { configs: s.gradients.configs ?? probed },
    landscape: { ...s.landscape, configs: s.landscape.configs ?? probed },
  };
}

function pick(s: { seeds?: number; firstSeed?: number }): { seeds?: number; firstSeed?: number } {
  return {
    ...(s.seeds !== undefined ? { seeds: s.seeds } : {}),
    ...(s.firstSeed !== undefined ? { firstSeed: s.firstSeed } : {}),
  };
}

/** The rules file a reproduce config names, loaded and checked against the config's networks; null without one. */
function rulesOf(raw: object, file: string): ConfirmatoryRules | null {
  const name = (raw as { rules?: unknown }).rules;
  if (typeof name !== 'string' || name === '') return null;
  const rules = loadConfirmatoryRules(path.join(path.dirname(file), name));
  const configs = (raw as { configs?: unknown }).configs;
  if (Array.isArray(configs)) {
    const listed = new Set(configs.map(String));
    const registered = new Set(rules.networks);
    const differ = [...listed].some((n) => !registered.has(n)) || [...registered].some((n) => !listed.has(n));
    if (differ) throw new UsageError(`${file}: "configs" must list the networks of ${rules.file} (${rules.networks.join(', ')})`);
  }
  return rules;
}

/** Reads configs/reproduce.json (or another file) and every run config it names. */
export function loadReproduceConfig(file: string, flags: ReproduceOverrides = {}): ReproduceConfig {
  const raw = parseJsonText(readTextFile(file, 'reproduce config'), file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a JSON object listing "configs" (see configs/README.md)`);
  }
  if (!('configs' in raw) && ('hidden' in raw || 'activation' in raw)) {
    throw new UsageError(
      `${file}: is a run config; reproduce needs a list of "configs" such as configs/reproduce.json (to train this one config: node dist/run.js --config ${file})`,
    );
  }
  const rules = rulesOf(raw, file);
  const settings = parseReproduceSettings(raw, file, flags, rules);
  const overrides: ConfigOverrides = { ...settings.overrides };
  if (rules) overrides.epochs = rules.stopping.maxEpochs;
  if (flags.epochs !== undefined) overrides.epochs = flags.epochs;
  if (flags.backend !== undefined) overrides.backend = flags.backend;
  if (flags.engine !== undefined) overrides.engine = flags.engine;
  if (flags.trainPerClass !== undefined) overrides.trainPerClass = flags.trainPerClass;
  if (flags.testPerClass !== undefined) overrides.testPerClass = flags.testPerClass;

  const dir = path.dirname(file);
  const runConfigs = new Map<string, RunConfig>();
  for (const name of settings.configs) {
    const loaded = loadConfigFile(path.join(dir, `${name}.json`));
    // The entry's name, not the file's "name" field, identifies the config in run ids and the summary.
    const stopping = rules
      ? { patience: rules.stopping.patience.min, patienceFraction: rules.stopping.patience.fractionOfBestEpoch }
      : loaded.stopping;
    runConfigs.set(name, applyOverrides({ ...loaded, name, stopping }, overrides));
  }
  return { source: file, settings, runConfigs, rules };
}
