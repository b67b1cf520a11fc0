/** Checks shared by the commands' flags, so every command words the same mistake the same way. */
import { UsageError } from '../util/errors.js';

/**
 * The value of a flag that may be given once. yargs turns a repeated flag into an array and a
 * flag given without a value into ''; both are mistakes, named in one line.
 */
export function singleFlag<T>(flag: string, value: T | T[] | undefined): T | undefined {
  if (Array.isArray(value)) throw new UsageError(`--${flag}: given more than once`);
  if (value === '') throw new UsageError(`--${flag}: expected a value after the flag`);
  return value;
}
