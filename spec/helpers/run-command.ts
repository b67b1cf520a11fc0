/**
 * Runs one CLI command in-process (spawning the full CLI under tsx takes seconds here) and
 * captures what it writes to stdout and the error it ends with, if any.
 */
import yargs, { type CommandModule } from 'yargs';
import { failWithUsage } from '../../src/cli/flags.js';

export async function runCommandInProcess(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any command module, whatever its argument types
  command: CommandModule<any, any>,
  args: string[],
): Promise<{ stdout: string; error?: Error }> {
  let stdout = '';
  const write = process.stdout.write;
  process.stdout.write = ((chunk: string) => {
    stdout += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await yargs(args).command(command).strict().exitProcess(false).fail(failWithUsage).parseAsync();
    return { stdout };
  } catch (error) {
    return { stdout, error: error as Error };
  } finally {
    process.stdout.write = write;
  }
}
