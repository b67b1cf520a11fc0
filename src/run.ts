#!/usr/bin/env node
/**
 * The one command-line entry: `node dist/run.js <command> [flags]`.
 *
 * Each command lives in its own module under src/cli/; this file only registers them and
 * turns user mistakes into one line on stderr and a non-zero exit (no stack trace).
 */
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UserError, UsageError } from './util/errors.js';
import { trainCommand } from './cli/train.js';
import { dataCommand } from './cli/data.js';
import { compareCommand } from './cli/compare.js';
import { landscapeCommand } from './cli/landscape.js';
import { reproduceCommand } from './cli/reproduce.js';
import { benchCommand } from './cli/bench.js';
import { reportCommand } from './cli/report.js';
import { studyCommand } from './cli/study.js';

export async function main(argv: string[]): Promise<number> {
  const parser = yargs(argv)
    .scriptName('node dist/run.js')
    .command(trainCommand)
    .command(dataCommand)
    .command(compareCommand)
    .command(landscapeCommand)
    .command(reproduceCommand)
    .command(benchCommand)
    .command(reportCommand)
    .command(studyCommand)
    .strict()
    .demandCommand(1, 'give a command, or --config FILE to train one configuration (see --help)')
    .help()
    .alias('h', 'help')
    .version(false)
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs calls this for its own validation failures (msg) and for errors thrown in handlers (err).
      if (err) throw err;
      throw new UsageError(`${msg}; run with --help for usage`);
    });
  await parser.parseAsync();
  return Number(process.exitCode ?? 0);
}

/** Prints a user error as one line; lets bugs keep their stack. */
export function reportError(err: unknown): number {
  if (err instanceof UserError) {
    process.stderr.write(`error: ${err.message}\n`);
    return err.exitCode;
  }
  throw err;
}

main(hideBin(process.argv)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.exitCode = reportError(err);
  },
);
