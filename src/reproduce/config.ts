/**
 * configs/reproduce.json: what `reproduce` runs, validated with zod like the run configs.
 *
 * The file names the run configs of the sweep (each a JSON file beside it, e.g. `sigmoid5`
 * means `sigmoid5.json`), how many seeds each is trained with, which of them record per-layer
 * gradients, which trained networks the landscape probe sweeps, and how many worker processes
 * run at once. Every run config is loaded and validated here, before anything starts, so a
 * typo fails in a second rather than an hour into the sweep.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { UsageError, messageOf } from '../util/errors.js';
import { describeIssue, loadConfigFile, applyOverrides, type ConfigOverrides } from '../config/load.js';
import { BACKEND_CHOICES, ENGINE_CHOICES, type RunConfig } from '../config/schema.js';

/** A config name becomes part of a folder name and of run ids, so it is kept to safe characters. */
const ConfigName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'expected a config name such as "sigmoid5" (letters, digits, . _ -)');

/** The article probes, and records the gradients of, both 7-layer networks: the default when those are in the sweep. */
const DEFAULT_PROBED = ['sigmoid7', 'relu7'];

const LandscapeSettingsSchema = z
  .strictObject({
    /** Configs (from `configs`) whose trained networks are probed; default: those of sigmoid7, relu7 in the sweep. */
    configs: z.array(ConfigName).optional(),
    /** Probe the network trained with every seed (true) or only with the first seed (false). */
    allSeeds: z.boolean().default(true),
    /**
     * Sweep settings passed to runLandscape (src/probes/landscape.ts); left out, its defaults apply
     * (10 weights picked with the run's seed, original value +- 8, 101 points).
     */
    count: z.number().int().min(1).optional(),
    span: z.number().positive().optional(),
    from: z.number().optional(),
    to: z.number().optional(),
    points: z.number().int().min(3).max(100001).optional(),
  })
  .superRefine((s, ctx) => {
    if ((s.from === undefined) !== (s.to === undefined))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'give both "from" and "to", or neither' });
    else if (s.from !== undefined && s.to !== undefined && !(s.from < s.to))
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be above "from"' });
    if (s.span !== undefined && s.from !== undefined)
      ctx.addIssue({ code: 'custom', path: ['span'], message: 'give either "span" or "from"/"to", not both' });
  });

const ReproduceConfigSchema = z
  .strictObject({
    description: z.string().optional(),
    /** Run configs of the sweep, by name (a JSON file of that name beside this file). */
    configs: z.array(ConfigName).min(1),
    /** Seeds per config: seeds firstSeed, firstSeed+1, ... */
    seeds: z.number().int().min(1).max(1000).default(3),
    firstSeed: z.number().int().min(0).max(4294967295).default(1),
    /** Worker processes; "auto" = the number of cores. */
    jobs: z.union([z.literal('auto'), z.number().int().min(1).max(256)]).default('auto'),
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
    gradients: z.strictObject({ configs: z.array(ConfigName).optional() }).default({}),
    landscape: LandscapeSettingsSchema.default({ allSeeds: true }),
  })
  .superRefine((c, ctx) => {
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

type ParsedSettings = z.output<typeof ReproduceConfigSchema>;
export type LandscapeSettings = Omit<z.output<typeof LandscapeSettingsSchema>, 'configs'> & { configs: string[] };
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
}

/** Command-line flags that change the reproduce config. */
export interface ReproduceOverrides {
  seeds?: number;
  jobs?: number;
  epochs?: number;
  backend?: string;
  engine?: string;
}

export function parseReproduceSettings(raw: unknown, source: string): ReproduceSettings {
  const result = ReproduceConfigSchema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssue(source, result.error));
  const s = result.data;
  const probed = DEFAULT_PROBED.filter((name) => s.configs.includes(name));
  return {
    ...s,
    gradients: { configs: s.gradients.configs ?? probed },
    landscape: { ...s.landscape, configs: s.landscape.configs ?? probed },
  };
}

/** Reads configs/reproduce.json (or another file) and every run config it names. */
export function loadReproduceConfig(file: string, flags: ReproduceOverrides = {}): ReproduceConfig {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${file}: cannot read reproduce config: no such file`);
    if (code === 'EISDIR') throw new UsageError(`${file}: is a directory, expected a reproduce config (JSON)`);
    if (err instanceof SyntaxError) throw new UsageError(`${file}: not valid JSON: ${err.message}`);
    throw new UsageError(`${file}: cannot read reproduce config: ${messageOf(err)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a JSON object listing "configs" (see configs/README.md)`);
  }
  if (!('configs' in raw) && ('hidden' in raw || 'activation' in raw)) {
    throw new UsageError(
      `${file}: is a run config; reproduce needs a list of "configs" such as configs/reproduce.json (to train this one config: node dist/run.js --config ${file})`,
    );
  }
  const settings = parseReproduceSettings(raw, file);
  if (flags.seeds !== undefined) settings.seeds = flags.seeds;
  if (flags.jobs !== undefined) settings.jobs = flags.jobs;
  const overrides: ConfigOverrides = { ...settings.overrides };
  if (flags.epochs !== undefined) overrides.epochs = flags.epochs;
  if (flags.backend !== undefined) overrides.backend = flags.backend;
  if (flags.engine !== undefined) overrides.engine = flags.engine;

  const dir = path.dirname(file);
  const runConfigs = new Map<string, RunConfig>();
  for (const name of settings.configs) {
    const loaded = loadConfigFile(path.join(dir, `${name}.json`));
    // The entry's name, not the file's "name" field, identifies the config in run ids and the summary.
    runConfigs.set(name, applyOverrides({ ...loaded, name }, overrides));
  }
  return { source: file, settings, runConfigs };
}
