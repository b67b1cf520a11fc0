/**
 * Flag definitions shared by the commands, in yargs' own terms (requiresArg, coerce, choices),
 * so every command words the same mistake the same way and nothing re-reads process.argv.
 *
 * A coercer throws a UsageError naming the flag; yargs hands it to the fail handler of
 * src/run.ts, which prints it as one line. Values that are config fields are then checked by
 * the config's zod schema (src/config/load.ts applyOverrides), like the file's own values.
 */
import type { Options } from 'yargs';
import { UsageError } from '../util/errors.js';
import { PROGRESS_CHOICES } from '../util/progress-choice.js';
import { MAX_WASM_THREADS } from '../nn/tfjs/threads.js';

/** The value of a flag that may be given once: yargs turns a repeated flag into an array. */
function once(flag: string, value: unknown): unknown {
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given more than once`);
  return value;
}

/** A flag with one number (`--epochs ten` names the flag and what it got). */
export function numberOption(flag: string, describe: string): Options {
  return {
    type: 'string',
    requiresArg: true,
    describe,
    coerce: (value: unknown): number => {
      const text = String(once(flag, value)).trim();
      const n = text === '' ? NaN : Number(text);
      if (!Number.isFinite(n)) throw new UsageError(`--${flag}: expected a number, got "${text}"`);
      return n;
    },
  };
}

/** A flag with one whole number in [min, max]. */
export function wholeNumberOption(flag: string, describe: string, min: number, max: number): Options {
  const number = numberOption(flag, describe);
  return {
    ...number,
    coerce: (value: unknown): number => {
      const n = (number.coerce as (v: unknown) => number)(value);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new UsageError(`--${flag}: expected a whole number from ${min} to ${max}, got ${n}`);
      }
      return n;
    },
  };
}

/** A flag with one string (a path, a name). */
export function stringOption(flag: string, describe: string, extra: Partial<Options> = {}): Options {
  return {
    type: 'string',
    requiresArg: true,
    describe,
    ...extra,
    coerce: (value: unknown): string => {
      const text = String(once(flag, value));
      if (text === '') throw new UsageError(`--${flag}: expected a value after the flag`);
      return text;
    },
  };
}

/** A flag with one of a fixed list of values. */
export function choiceOption(flag: string, describe: string, choices: readonly string[], defaultValue?: string): Options {
  return {
    ...stringOption(flag, describe),
    choices,
    ...(defaultValue !== undefined ? { default: defaultValue } : {}),
  };
}

/** --threads: `auto` (by batch size and cores, src/nn/tfjs/threads.ts) or a whole number of threads. */
export const threadsOption = (): Options => ({
  type: 'string',
  requiresArg: true,
  default: 'auto',
  describe: `threads of a wasm run: auto (every core for batches of 256 or more, where they pay; 1 below) or 1-${MAX_WASM_THREADS}; the numbers do not depend on it`,
  coerce: (value: unknown): 'auto' | number => {
    const text = String(once('threads', value)).trim();
    if (text === 'auto') return 'auto';
    const n = Number(text);
    if (text === '' || !Number.isInteger(n) || n < 1 || n > MAX_WASM_THREADS)
      throw new UsageError(`--threads: expected auto or a whole number from 1 to ${MAX_WASM_THREADS}, got "${text}"`);
    return n;
  },
});

/** --data-dir, the same for every command that reads CIFAR-10. */
export const dataDirOption = (): Options => stringOption('data-dir', 'CIFAR-10 cache (default: $CIFAR10_DATA_DIR or ~/.cache/cifar10-mlp)');

/** --reuse of the sweeps (reproduce, study, explain): copy finished runs with identical settings from another folder. */
export const reuseOption = (): Options =>
  stringOption(
    'reuse',
    'a folder of an earlier run of this command: runs there made with exactly the same settings are copied instead of run again',
  );

/** --dry-run of the long experiments: plan and estimate, run nothing. */
export const dryRunOption = (): Options => ({
  type: 'boolean',
  default: false,
  describe: 'print the runs and the calibrated time estimate, run nothing',
});

/** --progress, the same for every long command. */
export const progressOption = (describe: string): Options => choiceOption('progress', describe, PROGRESS_CHOICES, 'auto');

/** --debug: print the full stack of an unexpected error (also CIFAR10_MLP_DEBUG=1). */
export const DEBUG_ENV = 'CIFAR10_MLP_DEBUG';

/** yargs' own validation messages, worded like the rest of the program's: one line naming the flag (null: no rewording). */
function usageLine(msg: string): string | null {
  const missingValue = /^Not enough arguments following: (.+)$/.exec(msg);
  if (missingValue) return `--${missingValue[1]}: expected a value after the flag`;
  const choice = /^Invalid values:\s*Argument: ([^,]+), Given: (.+), Choices: (.+)$/s.exec(msg);
  if (choice) return `--${choice[1]}: expected one of ${choice[3].replace(/"/g, '')}, got ${choice[2]}`;
  return null;
}

const oneLine = (text: string): string => text.replace(/\s*\n\s*/g, ' ');

/**
 * The `.fail` handler of the command line: yargs calls it for its own validation failures
 * (msg), for errors thrown by a flag's coerce (a YError wrapping our message) and for errors
 * thrown in handlers (rethrown as they are, for the error boundary of src/run.ts).
 */
export function failWithUsage(msg: string | undefined, err: Error | undefined): never {
  if (err && err.name !== 'YError') throw err;
  // A coerce's own message already names the flag; yargs' messages are reworded or get a pointer to --help.
  const text = err?.message || msg || 'invalid command line';
  throw new UsageError(usageLine(text) ?? (err?.message ? oneLine(text) : `${oneLine(text)}; run with --help for usage`));
}
