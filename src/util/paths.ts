/**
 * Names that become parts of paths: a config's "name", a run id, a job id.
 *
 * A name is a label, not a path: letters, digits, `.`, `_` and `-`, starting with a letter or
 * digit (so never `..`, never hidden, never absolute), at most NAME_MAX_LENGTH characters (so a
 * folder built from it plus a timestamp stays far below the 255-byte limit of file names).
 * Every path built from a name goes through childPath, which checks both the name and that the
 * result stays inside its parent.
 */
import path from 'node:path';
import { UsageError } from './errors.js';

export const NAME_MAX_LENGTH = 64;
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
export const NAME_RULE = `letters, digits, . _ - (starting with a letter or digit), at most ${NAME_MAX_LENGTH} characters`;

/** Why `name` is not a safe label, or null when it is. */
function nameProblem(name: string): string | null {
  if (name.length === 0) return 'is empty';
  if (name.length > NAME_MAX_LENGTH) return `is ${name.length} characters long; at most ${NAME_MAX_LENGTH}`;
  if (!NAME_PATTERN.test(name)) return `${JSON.stringify(name)} is not a plain label (${NAME_RULE})`;
  return null;
}

/** A safe label made from free text (e.g. a config file's name): other characters become '-', cut to the length limit. */
export function labelFrom(text: string): string {
  const label = text
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, NAME_MAX_LENGTH);
  return label.length > 0 ? label : 'run';
}

/** `parent/name`, where `name` must be a safe label: the result can never leave `parent`. */
export function childPath(parent: string, name: string): string {
  const problem = nameProblem(name);
  if (problem) throw new UsageError(`name ${problem}`);
  const child = path.join(parent, name);
  const rel = path.relative(parent, child);
  if (rel !== name) throw new UsageError(`name ${JSON.stringify(name)} does not stay inside ${parent}`);
  return child;
}
