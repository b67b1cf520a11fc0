/**
 * Reading, validating and overriding run configs. Every failure is a UsageError of one line
 * that names the file, the field and what was expected.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { type z } from 'zod';
import { UsageError, messageOf } from '../util/errors.js';
import { RunConfigSchema, type RunConfig } from './schema.js';

/** Command-line flags that override config fields. */
export interface ConfigOverrides {
  epochs?: number;
  seed?: number;
  learningRate?: number;
  batchSize?: number;
  backend?: string;
  engine?: string;
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
  return `${source}: field "${field}": ${issue.message.replace(/^Invalid input: /, '')}`;
}

/** Validates an already-parsed object. `source` names it in messages (a path, or "--flags"). */
export function parseConfig(raw: unknown, source: string, defaultName: string): RunConfig {
  const result = RunConfigSchema.safeParse(raw);
  if (!result.success) throw new UsageError(describeIssue(source, result.error));
  return { ...result.data, name: result.data.name ?? defaultName };
}

/** Reads and validates a JSON config file. */
export function loadConfigFile(file: string): RunConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a JSON file' : messageOf(err);
    throw new UsageError(`${file}: cannot read config: ${why}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${file}: not valid JSON: ${messageOf(err)}`);
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new UsageError(`${file}: expected a JSON object with the run's settings`);
  }
  return parseConfig(raw, file, path.basename(file).replace(/\.json$/i, ''));
}

/** The flag that overrides each field, named in error messages. */
const FLAG_OF: Readonly<Record<keyof ConfigOverrides, string>> = {
  epochs: '--epochs',
  seed: '--seed',
  learningRate: '--lr',
  batchSize: '--batch-size',
  backend: '--backend',
  engine: '--engine',
};

/** Applies command-line overrides and validates the result again (so `--lr -1` is caught). */
export function applyOverrides(config: RunConfig, overrides: ConfigOverrides): RunConfig {
  const merged: Record<string, unknown> = { ...config };
  for (const key of Object.keys(FLAG_OF) as (keyof ConfigOverrides)[]) {
    if (overrides[key] !== undefined) merged[key] = overrides[key];
  }
  const result = RunConfigSchema.safeParse(merged);
  if (!result.success) {
    const issue = result.error.issues[0];
    const flag = (FLAG_OF as Record<string, string>)[issue.path.join('.')];
    throw new UsageError(flag ? `${flag}: ${issue.message.replace(/^Invalid input: /, '')}` : describeIssue('command line', result.error));
  }
  return { ...result.data, name: config.name };
}
