/**
 * `report --runs FILE.csv --out DIR`: the summary, the verdicts (claims.csv), the charts and the
 * report from a runs table alone (src/reports/runs-table.ts), so runs made anywhere (another
 * framework, another machine) are judged exactly as the sweep judges its own.
 */
import type { Argv, CommandModule } from 'yargs';
import { UsageError } from '../util/errors.js';
import { choiceOption, stringOption } from './flags.js';
import { LANGS, type Lang } from '../reports/i18n.js';
import { claimOutputFolder, writeClaimed } from '../util/output-claim.js';

interface ReportArgs {
  runs?: string;
  out?: string;
  lang: Lang;
}

export const reportCommand: CommandModule<object, ReportArgs> = {
  command: 'report',
  describe:
    "judge the article's claims from a runs.csv (one row per run) and write summary, claims.csv, charts and report into a new folder",
  builder: (y) =>
    y
      .option(
        'runs',
        stringOption('runs', 'runs table: columns config, activation, layers, seed, test_acc (+ optional ones, see docs/reproduce.md)'),
      )
      .option('out', stringOption('out', 'output folder; must be new or empty'))
      .option(
        'lang',
        choiceOption('lang', "language of report.md, report.html and the charts' titles (the CSVs are the same)", LANGS, 'en'),
      )
      .example('$0 report --runs outputs/reproduce/runs.csv --out outputs/rejudged-ja --lang ja', 'the same report in Japanese')
      .example(
        '$0 report --runs outputs/reproduce/runs.csv --out outputs/rejudged',
        'judge the runs of a finished sweep again',
      ) as unknown as Argv<ReportArgs>,
  handler: async (argv) => {
    const runsFile = argv.runs;
    const outDir = argv.out;
    if (!runsFile) throw new UsageError('--runs: give the runs table to judge (e.g. --runs outputs/reproduce/runs.csv)');
    if (!outDir) throw new UsageError('--out: give a new or empty folder for the report');
    const { readRunsCsv } = await import('../reports/runs-csv.js');
    const runs = await readRunsCsv(runsFile);
    const { readTestImagesBeside } = await import('../reports/test-images.js');
    const images = readTestImagesBeside(runsFile, runs);
    const { readTrajectoriesBeside } = await import('../reports/trajectories.js');
    const trajectories = readTrajectoriesBeside(runsFile, runs);
    const claim = await claimOutputFolder(outDir, { flag: '--out', inputs: [runsFile] });
    const { buildReport, runsFileContext } = await import('../reports/build-report.js');
    const built = await writeClaimed(claim, () =>
      buildReport(outDir, runs, runsFileContext(runsFile, outDir, runs, new Date(), argv.lang, images, trajectories)),
    );
    process.stdout.write(
      [
        `summary: ${built.summary}`,
        `claims:  ${built.claimsCsv}`,
        `report:  ${built.report.md}`,
        `         ${built.report.html}`,
        `verdicts: ${built.data.claims.map((c) => `${c.number} ${c.verdict}`).join(', ')}`,
        '',
      ].join('\n'),
    );
  },
};
