/**
 * Reading, validating and overriding run configs. Every failure is a UsageError of one line
 * that names the file, the field and what was expected.
 */
import path from 'node:path';
import { type z } from 'zod';
import { UsageError } from '../util/errors.js';
import { firstIssue, parseJsonText, readTextFile } from '../util/json.js';
import { labelFrom } from '../util/paths.js';
import { RunConfigSchema, type RunConfig } from './schema.js';
import { checkFitsInMemory } from './memory.js';

/** Command-line flags that override config fields. */
export interface ConfigOverrides {
  epochs?: number;
  seed?: number;
  learningRate?: number;
  batchSize?: number;
  backend?: string;
  engine?: string;
  /** data.trainPerClass / data.testPerClass: a smaller problem for a smoke run. */
  trainPerClass?: number;
  testPerClass?: number;
}

/** Turns zod's first issue into "file: field "a.b": message". */
export function describeIssue(source: string, error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  if (issue.code === 'unrecognized_keys') {
    const keys = (issue as { keys?: string[] }).keys ?? [];
    const where = issue.path.length > 0 ? ` in "${field}"` : '';
    return `${source}: unknown key${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}${where}; see configs/README.md for the fields a config may have`;
  }
  return `${source}: ${firstIssue(error)}`;
}

/** Validates an already-parsed object. `source` names it in messages (a path, or "--flags"). */
export function parseConfig(raw: unknown, source: string, defaultName: string): RunConfig {
  const result = RunConfigSchema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssue(source, result.error));
  const config = { ...result.data, name: result.data.name ?? defaultName };
  checkFitsInMemory(config, source);
  return config;
}

/** Reads and validates a JSON config file. */
export function loadConfigFile(file: string): RunConfig {
  const raw = parseJsonText(readTextFile(file, 'config'), file);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a JSON object with the run's settings`);
  }
  // Without a "name" field the file's name is the label, made safe for folder names.
  return parseConfig(raw, file, labelFrom(path.basename(file).replace(/\.json$/i, '')));
}

/** The flag that overrides each field, named in error messages. */
const FLAG_OF: Readonly<Record<keyof ConfigOverrides, string>> = {
  epochs: '--epochs',
  seed: '--seed',
  learningRate: '--lr',
  batchSize: '--batch-size',
  backend: '--backend',
  engine: '--engine',
  trainPerClass: '--train-per-class',
  testPerClass: '--test-per-class',
};

/** Overrides that set a field of the config's "data" block rather than a top-level field. */
const DATA_FIELD: Partial<Record<keyof ConfigOverrides, string>> = { trainPerClass: 'trainPerClass', testPerClass: 'testPerClass' };

/** Applies command-line overrides and validates the result again (so `--lr -1` is caught). */
export function applyOverrides(config: RunConfig, overrides: ConfigOverrides): RunConfig {
  const merged: Record<string, unknown> = { ...config, data: { ...config.data } };
  for (const key of Object.keys(FLAG_OF) as (keyof ConfigOverrides)[]) {
    if (overrides[key] === undefined) continue;
    const dataField = DATA_FIELD[key];
    if (dataField) (merged.data as Record<string, unknown>)[dataField] = overrides[key];
    else merged[key] = overrides[key];
  }
  const result = RunConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue.path.join('.');
    const flag = (FLAG_OF as Record<string, string>)[field.replace(/^data\./, '')];
    throw new UsageError(flag ? `${flag}: ${issue.message.replace(/^Invalid input: /, '')}` : describeIssue('command line', result.error));
  }
  return { ...result.data, name: config.name };
}
