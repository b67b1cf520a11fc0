/**
 * Reading the JSON files the program reads back (configs, plan.json, result.json, ...): one
 * place that accepts a UTF-8 byte-order mark, words a syntax error as one line naming the file,
 * line and column, and checks the parsed value against a zod schema.
 */
import { readFileSync } from 'node:fs';
import type { z } from 'zod';
import { UsageError, UserError, messageOf } from './errors.js';

/** Characters JSON allows outside strings: an unexpected one of these cannot be located by a plain scan. */
const VALID_OUTSIDE_STRINGS = /[\s{}[\]:,0-9eE+\-.truefalsn]/;

/** Line and column (1-based) of a character offset. */
function lineColumn(text: string, offset: number): string {
  const before = text.slice(0, offset).split('\n');
  return `line ${before.length}, column ${before[before.length - 1].length + 1}`;
}

/** The offset of the first character `ch` outside a string, or -1. */
function firstOutsideStrings(text: string, ch: string): number {
  let inString = false;
  for (let k = 0; k < text.length; k++) {
    const c = text[k];
    if (inString) {
      if (c === '\\') k++;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === ch) return k;
  }
  return -1;
}

/** V8's JSON.parse messages quote the whole input (newlines included); this says where, in one line. */
function describeSyntaxError(text: string, err: unknown): string {
  const message = messageOf(err);
  const at = /at position (\d+)/.exec(message);
  const what = message.split(/,| in JSON/)[0];
  if (at) return `${what} at ${lineColumn(text, Number(at[1]))}`;
  if (/Unexpected end/.test(message)) return 'the file ends before the JSON value does';
  const token = /Unexpected token '(.)'/.exec(message)?.[1];
  if (token !== undefined && !VALID_OUTSIDE_STRINGS.test(token)) {
    const offset = firstOutsideStrings(text, token);
    if (offset >= 0) {
      const word = /^[A-Za-z]+/.exec(text.slice(offset))?.[0] ?? token;
      const hint = word === 'NaN' || word === 'Infinity' ? ` (JSON has no ${word}; write a number)` : '';
      return `unexpected ${JSON.stringify(word)} at ${lineColumn(text, offset)}${hint}`;
    }
  }
  return what.split('\n')[0];
}

/** Parses JSON text (a leading byte-order mark is skipped); a syntax error is a UsageError naming `source`. */
export function parseJsonText(text: string, source: string): unknown {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  try {
    return JSON.parse(body);
  } catch (err) {
    throw new UsageError(`${source}: not valid JSON: ${describeSyntaxError(body, err)}`);
  }
}

/** Reads a file as text; a missing or unreadable file is a UsageError naming it and what it should be. */
export function readTextFile(file: string, what: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, expected a JSON file' : messageOf(err);
    throw new UsageError(`${file}: cannot read ${what}: ${why}`);
  }
}

/** The first problem zod found, as "field "a.b": message". */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const field = issue.path.length > 0 ? issue.path.join('.') : '(top level)';
  return `field "${field}": ${issue.message.replace(/^Invalid input: /, '')}`;
}

/**
 * Reads a file this program wrote and reads back (plan.json, result.json, sessions.json,
 * weights.json): syntax and shape are checked, and a file that fails names itself and what
 * was expected (a UserError, exit 1: the file, not the command line, is wrong).
 */
export function readJsonFile<S extends z.ZodType>(file: string, schema: S, what: string): z.output<S> {
  let raw: unknown;
  try {
    raw = parseJsonText(readTextFile(file, what), file);
  } catch (err) {
    throw new UserError(messageOf(err));
  }
  const result = schema.safeParse(raw);
  if (!result.success) throw new UserError(`${file}: not a valid ${what}: ${firstIssue(result.error)}`);
  return result.data;
}
