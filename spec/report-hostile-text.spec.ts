/**
 * Names from elsewhere are hostile: a runs table whose names are formulas, HTML, Markdown links,
 * table separators or line breaks, read from a file whose name holds a shell command, gives
 * CSVs a spreadsheet does not execute, a report.md that renders no HTML and keeps its tables,
 * and a "reproduce with" command that runs nothing else when pasted.
 */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseCsv, toCsv } from '../src/util/csv.js';
import { markdownCell, markdownCode, markdownText, shellCommand, spreadsheetCell } from '../src/util/text-out.js';
import { reportCommand } from '../src/cli/report.js';
import { runCommandInProcess } from './helpers/run-command.js';

const HYPERLINK = '=HYPERLINK("http://evil.example","click")';
const SCRIPT = '<script>alert(1)</script>';
const IMG = '<img src=x onerror=alert(1)>';
const LINK = '[here](javascript:alert(1))';
/** Config names by (activation, layers); the others are plain. */
const NAMES: Record<string, string> = {
  sigmoid3: HYPERLINK,
  sigmoid4: SCRIPT,
  sigmoid5: '+cmd|calc',
  relu3: 'a|b',
  // A line break in a name never gets this far: the runs.csv reader refuses control characters (spec/hostile-files);
  // markdownText's own test below covers line breaks.
  relu4: 'x &amp; y',
  relu5: LINK,
  relu6: '@SUM(A1)',
};

/** Every data cell quoted, as a spreadsheet writes a cell with a comma, quote or line break. */
function hostileRunsCsv(): string {
  const quote = (v: string | number) => `"${String(v).replace(/"/g, '""')}"`;
  const rows = ['config,activation,layers,seed,test_acc,init'];
  for (const activation of ['sigmoid', 'relu'])
    for (let layers = 3; layers <= 7; layers++)
      for (let seed = 1; seed <= 3; seed++) {
        const plain = `${activation}${layers}`;
        // ReLU well ahead, so Sigmoid minus ReLU is negative: a negative number in claims.csv.
        const acc = (activation === 'relu' ? 0.8 : 0.7) + 0.001 * layers + 0.002 * seed;
        rows.push([NAMES[plain] ?? plain, activation, layers, seed, acc, plain === 'sigmoid7' ? IMG : 'he'].map(quote).join(','));
      }
  return `${rows.join('\n')}\n`;
}

/** Cells of one Markdown table row, split at the `|` that are not escaped. */
function cellsOf(line: string): string[] {
  return line
    .slice(1, -1)
    .split(/(?<!\\)\|/)
    .map((c) => c.trim());
}

describe('text that leaves the program: hostile names from a runs table', function () {
  this.timeout(60_000);
  let tmp = '';
  let out = '';
  let runsFile = '';
  before(async () => {
    tmp = mkdtempSync(path.join(os.tmpdir(), 'hostile-text-'));
    runsFile = path.join(tmp, 'runs-$(touch pwned).csv');
    writeFileSync(runsFile, hostileRunsCsv());
    out = path.join(tmp, 'report');
    const r = await runCommandInProcess(reportCommand, ['report', '--runs', runsFile, '--out', out]);
    if (r.error) throw r.error;
  });
  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('the fixture holds the hostile names raw', () => {
    const names = parseCsv(readFileSync(runsFile, 'utf8')).map((r) => r.config);
    expect(names).to.include.members([HYPERLINK, SCRIPT, '+cmd|calc', 'a|b', 'x &amp; y', LINK, '@SUM(A1)']);
  });

  it('summary.csv: a name a spreadsheet would run as a formula starts with an apostrophe; numbers stay numbers', () => {
    const rows = parseCsv(readFileSync(path.join(out, 'summary.csv'), 'utf8'));
    const configs = rows.map((r) => r.config);
    expect(configs).to.include.members([`'${HYPERLINK}`, `'+cmd|calc`, `'@SUM(A1)`, SCRIPT, 'a|b', 'x &amp; y', LINK]);
    for (const r of rows) for (const cell of Object.values(r)) expect(cell, cell).to.not.match(/^[=+@\t\r]/);
    for (const r of rows) expect(Number(r.test_acc_mean), r.config).to.be.within(0, 1);
  });

  it('claims.csv: a negative statistic is written as a number, without an apostrophe', () => {
    const text = readFileSync(path.join(out, 'claims.csv'), 'utf8');
    const row = parseCsv(text).find((r) => r.part === 'sigmoid-relu')!;
    expect(row.statistic).to.match(/^-0\.\d+/);
    expect(Number(row.statistic)).to.be.closeTo(-0.1, 0.01);
    expect(text).to.not.include("'-");
  });

  it('report.md: no raw HTML or link from a name, and every table row keeps its columns', () => {
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    expect(md).to.not.include('<script');
    expect(md).to.not.include('<img');
    expect(md).to.not.match(/(?<!\\)\]\(javascript:/);
    expect(md).to.include('[here\\](javascript:alert(1))');
    expect(md).to.include('&lt;script>alert(1)&lt;/script>');
    expect(md).to.include('&lt;img src=x onerror=alert(1)>');
    const lines = md.split('\n');
    // An entity in a name is shown as written, not decoded.
    expect(md).to.include('x &amp;amp; y');
    const summaryStart = lines.indexOf('## Summary (summary.csv)') + 2;
    const header = cellsOf(lines[summaryStart]);
    const body = lines.slice(summaryStart + 2).filter((l, i, all) => all.slice(0, i + 1).every((x) => x.startsWith('|')));
    expect(body).to.have.length(10);
    for (const row of body) expect(cellsOf(row), row).to.have.length(header.length);
    expect(body.map((row) => cellsOf(row)[0])).to.include.members(['a\\|b', 'x &amp;amp; y', '+cmd\\|calc']);
  });

  it('report.md: the "reproduce with" command, pasted into a shell, runs no command hidden in the file name', () => {
    const md = readFileSync(path.join(out, 'report.md'), 'utf8');
    const command = /reproduce with `(.*)`\.$/m.exec(md)![1];
    expect(command).to.include('runs-$(touch pwned).csv');
    // Paste it with `node` replaced by a command that does nothing with its arguments.
    execFileSync('bash', ['-c', command.replace(/^node /, 'true ')], { cwd: tmp });
    expect(existsSync(path.join(tmp, 'pwned'))).to.equal(false);
  });

  it('report.html: the same names escaped', () => {
    const html = readFileSync(path.join(out, 'report.html'), 'utf8');
    expect(html).to.not.include('<script');
    expect(html).to.not.include('<img src=x');
    expect(html).to.include('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
});

describe('text-out: one writer per destination', () => {
  it('spreadsheetCell: formulas get an apostrophe; plain numbers, even negative, do not', () => {
    for (const s of ['=1+2', '+1+2', '-1+2', '@A1', '\tx', '\rx', '-', '-x', '=HYPERLINK("a")'])
      expect(spreadsheetCell(s), JSON.stringify(s)).to.equal(`'${s}`);
    for (const s of ['-0.5', '-1e-3', '+2', '-Infinity', '-.5', 'relu3', '', 'a=b', ' =x'])
      expect(spreadsheetCell(s), JSON.stringify(s)).to.equal(s);
  });

  it('toCsv: string cells are neutralised, number cells are written as numbers', () => {
    expect(
      toCsv(
        ['name', 'x', 'y'],
        [
          { name: '=1+2', x: -3, y: '-0.25' },
          { name: '@a', x: -Infinity, y: 'ok' },
        ],
      ),
    ).to.equal("name,x,y\n'=1+2,-3,-0.25\n'@a,-Infinity,ok\n");
  });

  it('markdownText: ordinary prose is unchanged; tags, entities, links and line breaks are not passed through', () => {
    const prose = 'y <= 0.02 or >= 0.98; 68.2 [66.0, 70.4] points; **bold**; ||δ||; every part agrees -> agrees';
    expect(markdownText(prose)).to.equal(prose);
    expect(markdownText('<b>x</b> <!-- c --> &amp; [a](javascript:x)\nnext')).to.equal(
      '&lt;b>x&lt;/b> &lt;!-- c --> &amp;amp; [a\\](javascript:x) next',
    );
    expect(markdownCell('a|b')).to.equal('a\\|b');
  });

  it('markdownCode: a backtick in the text cannot close the span', () => {
    expect(markdownCode('plain')).to.equal('`plain`');
    expect(markdownCode('a`b')).to.equal('``a`b``');
    expect(markdownCode('`x')).to.equal('`` `x ``');
  });

  it('shellCommand: safe words bare, anything else single-quoted', () => {
    expect(shellCommand(['node', 'dist/run.js', '--out', 'out/a-b_c.1'])).to.equal('node dist/run.js --out out/a-b_c.1');
    expect(shellCommand(['x', '$(touch p)', "it's", ''])).to.equal(`x '$(touch p)' 'it'\\''s' ''`);
  });
});
