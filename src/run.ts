#!/usr/bin/env node
/**
 * The one command-line entry: `node dist/run.js <command> [flags]`.
 *
 * Each command lives in its own module under src/cli/; this file registers them and is the
 * error boundary of every command: whatever ends a command, the user sees one line on stderr
 * and a non-zero exit code. A UserError (a mistake the user can fix) prints its message; any
 * other error, including one thrown from inside TensorFlow.js's WebAssembly glue, prints its
 * first line and how to get the full trace (--debug, or CIFAR10_MLP_DEBUG=1).
 */
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError, UsageError, messageOf } from './util/errors.js';
import { trainCommand } from './cli/train.js';
import { dataCommand } from './cli/data.js';
import { compareCommand } from './cli/compare.js';
import { landscapeCommand } from './cli/landscape.js';
import { reproduceCommand } from './cli/reproduce.js';
import { benchCommand } from './cli/bench.js';
import { reportCommand } from './cli/report.js';
import { studyCommand } from './cli/study.js';
import { explainCommand } from './cli/explain.js';
import { searchCommand } from './cli/search.js';
import { DEBUG_ENV, failWithUsage } from './cli/flags.js';
import { projectVersion } from './util/version.js';

/** Every command, in the order --help lists them; unknown words are checked against their names. */
const COMMAND_MODULES = [
  trainCommand,
  dataCommand,
  compareCommand,
  landscapeCommand,
  reproduceCommand,
  benchCommand,
  reportCommand,
  studyCommand,
  explainCommand,
  searchCommand,
] as CommandModule[];
// A module's command may be a list of names (train is also the default command, '$0').
const COMMANDS = COMMAND_MODULES.flatMap((c) => [c.command ?? []].flat().map((name) => String(name).split(' ')[0])).filter(
  (name) => name !== '$0',
);

/** Exit code of an unexpected error (a bug, or a failure this program does not know how to word): EX_SOFTWARE. */
const INTERNAL_ERROR_EXIT_CODE = 70;

export async function main(argv: string[]): Promise<number> {
  // A word where a command goes that is no command (the default command, train, takes no words).
  const first = argv[0];
  if (first !== undefined && !first.startsWith('-') && !COMMANDS.includes(first)) {
    throw new UsageError(`unknown command: ${first} (commands: ${COMMANDS.join(', ')}; see --help)`);
  }
  const parser = yargs(argv)
    .scriptName('node dist/run.js')
    .command(COMMAND_MODULES)
    .option('debug', { type: 'boolean', describe: `on an unexpected error, print its full stack trace (also ${DEBUG_ENV}=1)` })
    .strict()
    .demandCommand(1, 'give a command, or --config FILE to train one configuration (see --help)')
    .help()
    .alias('h', 'help')
    .version('version', 'print the version', projectVersion())
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail(failWithUsage);
  await parser.parseAsync();
  return Number(process.exitCode ?? 0);
}

function debugWanted(argv: readonly string[]): boolean {
  const env = process.env[DEBUG_ENV];
  return argv.includes('--debug') || (env !== undefined && env !== '' && env !== '0');
}

/** Prints how a command ended as one line (the full stack of an unexpected error only when asked) and returns the exit code. */
export function reportError(err: unknown, debug: boolean): number {
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  if (debug) {
    process.stderr.write(`${err instanceof Error && err.stack ? err.stack : String(err)}\n`);
  } else {
    const first = messageOf(err).split('\n')[0].trim() || 'unknown error';
    process.stderr.write(`error: unexpected: ${first} (run again with --debug or ${DEBUG_ENV}=1 for the full trace)\n`);
  }
  return INTERNAL_ERROR_EXIT_CODE;
}

const argv = hideBin(process.argv);
const debug = debugWanted(argv);
// Errors that escape every promise chain (a timer, an event handler, TensorFlow.js's wasm glue,
// which installs its own rethrowing handlers): ours run first and end the process with one line.
const endWithOneLine = (err: unknown): never => process.exit(reportError(err, debug));
process.prependListener('uncaughtException', endWithOneLine);
process.prependListener('unhandledRejection', endWithOneLine);
main(argv).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err, debug);
  },
);
