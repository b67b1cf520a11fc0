/**
 * docs/files.md against the code's own column lists: every column a command writes is documented
 * there, every documented column is written, and every CSV the code writes has a table. The lists
 * are imported, not copied, so adding a column to the code without its line in docs/files.md fails here.
 */
import { expect } from 'chai';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { HISTORY_COLUMNS, SUMMARY_COLUMNS as RUN_SUMMARY_COLUMNS } from '../src/training/train-run.js';
import { GRADIENT_COLUMNS } from '../src/nn/gradient-stats.js';
import { ACTIVATION_COLUMNS } from '../src/nn/activation-stats.js';
import { COMPARE_COLUMNS } from '../src/training/compare-engines.js';
import { LANDSCAPE_COLUMNS, SUMMARY_COLUMNS as LANDSCAPE_SUMMARY_COLUMNS } from '../src/probes/landscape.js';
import { DELTA_COLUMNS } from '../src/probes/backprop-deltas.js';
import { TARGET_COLUMNS } from '../src/probes/target-activations.js';
import { RUNS_COLUMNS } from '../src/reports/runs-table.js';
import { CONFIG_SUMMARY_COLUMNS } from '../src/reports/summary.js';
import { CLAIMS_COLUMNS } from '../src/reports/claims-table.js';
import { MATRIX_COLUMNS } from '../src/study/report.js';
import { EXPLAIN_COLUMNS } from '../src/explain/report.js';
import { EXPLAIN_RUN_COLUMNS, EXPLAIN_VERDICT_COLUMNS } from '../src/explain/runs-file.js';
import { SEARCH_MATRIX_COLUMNS, SEARCH_STAGE_COLUMNS } from '../src/search/matrix.js';
import { CHECK_COLUMNS } from '../src/search/run-check.js';
import { SEARCH_DISTANCE_COLUMNS, SEARCH_VERDICT_COLUMNS } from '../src/search/verdicts.js';
import { BENCH_COLUMNS } from '../src/bench/report.js';
import { trainCommand } from '../src/cli/train.js';
import { dataCommand } from '../src/cli/data.js';
import { compareCommand } from '../src/cli/compare.js';
import { landscapeCommand } from '../src/cli/landscape.js';
import { reproduceCommand } from '../src/cli/reproduce.js';
import { benchCommand } from '../src/cli/bench.js';
import { reportCommand } from '../src/cli/report.js';
import { studyCommand } from '../src/cli/study.js';
import { explainCommand } from '../src/cli/explain.js';
import { searchCommand } from '../src/cli/search.js';
import { runCommandInProcess } from './helpers/run-command.js';

import { LEARNING_RATE_COLUMNS } from '../src/reproduce/tune.js';
import { TEST_IMAGE_COLUMNS } from '../src/reports/test-images.js';
import { STOPPING_COLUMNS } from '../src/reports/protocol.js';
import { TRAJECTORY_COLUMNS } from '../src/reports/trajectories.js';
const ROOT = path.resolve(import.meta.dirname, '..');
const DOC = path.join(ROOT, 'docs', 'files.md');

/** Each CSV's heading in docs/files.md, the code's column list, and the list's name as the code's writeCsv calls spell it. */
const CSV_FILES: readonly { heading: string; columns: readonly string[]; listName: string }[] = [
  { heading: '`history.csv`', columns: HISTORY_COLUMNS, listName: 'HISTORY_COLUMNS' },
  { heading: '`summary.csv` of a run', columns: RUN_SUMMARY_COLUMNS, listName: 'SUMMARY_COLUMNS@training' },
  { heading: '`gradients.csv`', columns: GRADIENT_COLUMNS, listName: 'GRADIENT_COLUMNS' },
  { heading: '`activations.csv`', columns: ACTIVATION_COLUMNS, listName: 'ACTIVATION_COLUMNS' },
  { heading: '`compare.csv`', columns: COMPARE_COLUMNS, listName: 'COMPARE_COLUMNS' },
  { heading: '`landscape.csv`', columns: LANDSCAPE_COLUMNS, listName: 'LANDSCAPE_COLUMNS' },
  { heading: '`landscape-summary.csv`', columns: LANDSCAPE_SUMMARY_COLUMNS, listName: 'SUMMARY_COLUMNS@probes' },
  { heading: '`deltas.csv`', columns: DELTA_COLUMNS, listName: 'DELTA_COLUMNS' },
  { heading: '`target-activations.csv`', columns: TARGET_COLUMNS, listName: 'TARGET_COLUMNS' },
  { heading: '`runs.csv`', columns: RUNS_COLUMNS, listName: 'RUNS_COLUMNS' },
  { heading: '`summary.csv` of a sweep', columns: CONFIG_SUMMARY_COLUMNS, listName: 'CONFIG_SUMMARY_COLUMNS' },
  { heading: '`claims.csv`', columns: CLAIMS_COLUMNS, listName: 'CLAIMS_COLUMNS' },
  { heading: '`matrix.csv`', columns: MATRIX_COLUMNS, listName: 'MATRIX_COLUMNS' },
  { heading: '`explain.csv`', columns: EXPLAIN_COLUMNS, listName: 'EXPLAIN_COLUMNS' },
  { heading: '`explain-runs.csv`', columns: EXPLAIN_RUN_COLUMNS, listName: 'EXPLAIN_RUN_COLUMNS' },
  { heading: '`explain-verdict.csv`', columns: EXPLAIN_VERDICT_COLUMNS, listName: 'EXPLAIN_VERDICT_COLUMNS' },
  { heading: '`matrix.csv` of the search', columns: SEARCH_MATRIX_COLUMNS, listName: 'SEARCH_MATRIX_COLUMNS' },
  { heading: '`stages.csv`', columns: SEARCH_STAGE_COLUMNS, listName: 'SEARCH_STAGE_COLUMNS' },
  { heading: '`check.csv`', columns: CHECK_COLUMNS, listName: 'CHECK_COLUMNS' },
  { heading: '`verdicts.csv`', columns: SEARCH_VERDICT_COLUMNS, listName: 'SEARCH_VERDICT_COLUMNS' },
  { heading: '`distance.csv`', columns: SEARCH_DISTANCE_COLUMNS, listName: 'SEARCH_DISTANCE_COLUMNS' },
  { heading: '`bench.csv`', columns: BENCH_COLUMNS, listName: 'BENCH_COLUMNS' },
  { heading: '`learning-rates.csv`', columns: LEARNING_RATE_COLUMNS, listName: 'LEARNING_RATE_COLUMNS' },
  { heading: '`test-images.csv`', columns: TEST_IMAGE_COLUMNS, listName: 'TEST_IMAGE_COLUMNS' },
  { heading: '`stopping.csv`', columns: STOPPING_COLUMNS, listName: 'STOPPING_COLUMNS' },
  { heading: '`trajectories.csv`', columns: TRAJECTORY_COLUMNS, listName: 'TRAJECTORY_COLUMNS' },
];

/** The column names of the table under `### <heading>` (first cell of each row, in backticks); undefined when there is no such heading. */
export function documentedColumns(markdown: string, heading: string): string[] | undefined {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.trim() === `### ${heading}`);
  if (start < 0) return undefined;
  const names: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('#')) break;
    const cell = /^\|\s*`([^`]+)`\s*\|/.exec(line);
    if (cell) names.push(cell[1]);
  }
  return names;
}

/** What is wrong between a documented table and the code's list: columns missing from the docs, and documented ones the code does not write. */
export function columnDrift(documented: readonly string[], columns: readonly string[]): { undocumented: string[]; stale: string[] } {
  return {
    undocumented: columns.filter((c) => !documented.includes(c)),
    stale: documented.filter((d) => !columns.includes(d)),
  };
}

/** GitHub's anchor for a heading: lower case, punctuation dropped (hyphens kept), spaces to hyphens. */
export function headingSlug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors a markdown file offers: its headings' slugs (repeats numbered as GitHub does), outside code blocks. */
export function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) inCode = !inCode;
    const h = inCode ? null : /^#{1,6} (.*)$/.exec(line);
    if (!h) continue;
    const base = headingSlug(h[1].trim());
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = path.join(dir, name);
    return statSync(p).isDirectory() ? sourceFiles(p) : p.endsWith('.ts') ? [p] : [];
  });
}

describe('docs/files.md documents every CSV column the code writes', () => {
  const markdown = readFileSync(DOC, 'utf8');

  for (const { heading, columns } of CSV_FILES) {
    it(`${heading}: the table lists exactly the code's columns`, () => {
      const documented = documentedColumns(markdown, heading);
      expect(documented, `docs/files.md has no heading "### ${heading}"`).to.not.equal(undefined);
      expect(columnDrift(documented!, columns)).to.deep.equal({ undocumented: [], stale: [] });
      expect(new Set(documented).size, `a column of ${heading} is documented twice`).to.equal(documented!.length);
    });
  }

  it('every writeCsv call in src/ writes one of the column lists above (a new CSV needs its table)', () => {
    const known = new Set(CSV_FILES.map((f) => f.listName.split('@')[0]));
    const calls = sourceFiles(path.join(ROOT, 'src')).flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bwriteCsv\(\s*[^,]+,\s*([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => ({
        file: path.relative(ROOT, file),
        list: m[1],
      })),
    );
    // The helper's own definition takes a parameter named `columns`.
    const writers = calls.filter((c) => c.file !== path.join('src', 'util', 'csv.ts'));
    expect(writers.length, 'no writeCsv call found: the pattern no longer matches the code').to.be.greaterThan(10);
    expect(writers.filter((c) => !known.has(c.list))).to.deep.equal([]);
  });

  it('the check fails on a column added without its line, and on a documented column the code dropped', () => {
    const documented = documentedColumns(markdown, '`history.csv`')!;
    expect(columnDrift(documented, [...HISTORY_COLUMNS, 'a_column_without_its_line'])).to.deep.equal({
      undocumented: ['a_column_without_its_line'],
      stale: [],
    });
    expect(columnDrift(documented, HISTORY_COLUMNS.slice(1))).to.deep.equal({ undocumented: [], stale: ['epoch'] });
    expect(documentedColumns(markdown, '`no-such-file.csv`')).to.equal(undefined);
  });
});

describe('links into the docs resolve', () => {
  const pages = [
    'README.md',
    'README.ja.md',
    'CHANGELOG.md',
    'configs/README.md',
    'tools/README.md',
    ...readdirSync(path.join(ROOT, 'docs'))
      .filter((f) => f.endsWith('.md'))
      .map((f) => `docs/${f}`),
  ];

  it('every relative link of the markdown pages names a file that exists and, for a page, an anchor it has', () => {
    const broken: string[] = [];
    for (const page of pages) {
      const file = path.join(ROOT, page);
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue; // README.ja.md is checked by its own spec
      }
      text = text.replace(/```[\s\S]*?```/g, '');
      for (const m of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        const target = m[1];
        if (/^[a-z]+:/.test(target)) continue; // https:, mailto:
        const [rel, anchor] = target.split('#');
        const resolved = rel === '' ? file : path.resolve(path.dirname(file), rel);
        try {
          statSync(resolved);
        } catch {
          broken.push(`${page}: ${target} (no such file)`);
          continue;
        }
        if (anchor && resolved.endsWith('.md') && !anchorsOf(readFileSync(resolved, 'utf8')).has(anchor)) {
          broken.push(`${page}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).to.deep.equal([]);
  });

  it('every docs/ page named in src/, configs/ and the pages (CHANGELOG.md aside: it names pages of the past) exists', () => {
    const files = [
      ...pages.filter((page) => page !== 'CHANGELOG.md').map((page) => path.join(ROOT, page)),
      ...sourceFiles(path.join(ROOT, 'src')),
      ...readdirSync(path.join(ROOT, 'configs'), { recursive: true, encoding: 'utf8' })
        .map((f) => path.join(ROOT, 'configs', f))
        .filter((f) => statSync(f).isFile()),
    ];
    const missing = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/\bdocs\/[A-Za-z0-9_./-]+\.md/g)]
        .map((m) => m[0])
        .filter((doc) => {
          try {
            statSync(path.join(ROOT, doc));
            return false;
          } catch {
            return true;
          }
        })
        .map((doc) => `${path.relative(ROOT, file)}: ${doc}`),
    );
    expect(missing).to.deep.equal([]);
  });

  it('no section of the docs or READMEs is named after an issue or a pass (history goes to CHANGELOG.md)', () => {
    const offending = pages.flatMap((page) => {
      let text: string;
      try {
        text = readFileSync(path.join(ROOT, page), 'utf8');
      } catch {
        return [];
      }
      return text
        .split('\n')
        .filter((line) => /^#+ .*([Ii]ssue [0-9]+|[Pp]ass\b)/.test(line))
        .map((line) => `${page}: ${line}`);
    });
    expect(offending).to.deep.equal([]);
  });

  it('the anchor rule matches GitHub on the headings the docs link to', () => {
    expect(headingSlug('`npm start` and `study --quick`, timed end to end')).to.equal('npm-start-and-study---quick-timed-end-to-end');
    expect(headingSlug('The rules of claims 6–8, frozen before the runs they judge')).to.equal(
      'the-rules-of-claims-68-frozen-before-the-runs-they-judge',
    );
    expect([...anchorsOf('# A\n## B\n```\n# not a heading\n```\n## B\n')]).to.deep.equal(['a', 'b', 'b-1']);
  });
});

describe("every command's --help shows an example", () => {
  const cases: [string, Parameters<typeof runCommandInProcess>[0], string[]][] = [
    ['train', trainCommand, ['train', '--help']],
    ['data', dataCommand, ['data', '--help']],
    ['data fetch', dataCommand, ['data', 'fetch', '--help']],
    ['data verify', dataCommand, ['data', 'verify', '--help']],
    ['compare', compareCommand, ['compare', '--help']],
    ['landscape', landscapeCommand, ['landscape', '--help']],
    ['reproduce', reproduceCommand, ['reproduce', '--help']],
    ['reproduce merge', reproduceCommand, ['reproduce', 'merge', '--help']],
    ['bench', benchCommand, ['bench', '--help']],
    ['report', reportCommand, ['report', '--help']],
    ['study', studyCommand, ['study', '--help']],
    ['study merge', studyCommand, ['study', 'merge', '--help']],
    ['explain', explainCommand, ['explain', '--help']],
    ['search', searchCommand, ['search', '--help']],
    ['search merge', searchCommand, ['search', 'merge', '--help']],
    ['search check', searchCommand, ['search', 'check', '--help']],
  ];
  for (const [name, command, args] of cases) {
    it(name, async () => {
      const { stdout, error } = await runCommandInProcess(command, args);
      expect(error).to.equal(undefined);
      const examples = stdout.split('Examples:')[1];
      expect(examples, `${name} --help has no Examples section`).to.be.a('string');
      expect(examples).to.match(new RegExp(`\\b${name.split(' ')[0]}\\b|--config`));
    });
  }
});
