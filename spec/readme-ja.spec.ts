/**
 * README.ja.md keeps step with README.md: every command line of README.md's code blocks and command table, and every
 * number of its findings tables, appears in the Japanese README. Both are extracted mechanically from README.md, so a
 * command or a number added there without its Japanese counterpart fails here.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');
const read = (name: string): string => readFileSync(path.join(ROOT, name), 'utf8');

/** The command lines of a markdown text's fenced code blocks, each without its trailing `# comment`. */
export function codeBlockCommands(markdown: string): string[] {
  const commands: string[] = [];
  let inCode = false;
  for (const line of markdown.split('\n')) {
    if (line.startsWith('```')) {
      inCode = !inCode;
      continue;
    }
    if (!inCode) continue;
    const command = line.replace(/\s+#.*$/, '').trim();
    if (command !== '' && !command.startsWith('#')) commands.push(command);
  }
  return commands;
}

/** The markdown tables of a text, each as its rows of cells (the separator row left out), with the heading it sits under. */
export function tables(markdown: string): { section: string; rows: string[][] }[] {
  const found: { section: string; rows: string[][] }[] = [];
  let section = '';
  let current: string[][] | null = null;
  for (const line of markdown.split('\n')) {
    const heading = /^#+ (.*)$/.exec(line);
    if (heading) section = heading[1].trim();
    const trimmed = line.trim();
    if (trimmed.startsWith('|')) {
      if (!current) {
        current = [];
        found.push({ section, rows: current });
      }
      if (/^\|[\s|:-]+\|$/.test(trimmed)) continue;
      current.push(
        trimmed
          .slice(1, -1)
          .split(/(?<!\\)\|/)
          .map((c) => c.trim()),
      );
    } else {
      current = null;
    }
  }
  return found;
}

/** The commands of README.md's command table: every code span of its first column. */
export function commandTableCommands(markdown: string): string[] {
  const table = tables(markdown).find((t) => t.rows[0]?.[0] === 'command');
  if (!table) return [];
  return table.rows.slice(1).flatMap((row) => [...row[0].matchAll(/`([^`]+)`/g)].map((m) => m[1]));
}

/** Numbers as written (1,291, 75.5, −4.5, 6e-5), not the digits inside names such as sigmoid7 or log10; − and - read alike. */
export function numbersIn(text: string): string[] {
  return [...text.matchAll(/(?<![\p{L}\p{N}.,_-])[−-]?\d+(?:[.,]\d+)*(?:e[−-]?\d+)?/gu)].map((m) => m[0].replace(/−/g, '-'));
}

/** The findings tables: every table of README.md but the command table and the layout table. */
export function findingsNumbers(markdown: string): string[] {
  const findings = tables(markdown).filter((t) => t.rows[0]?.[0] !== 'command' && t.rows[0]?.[0] !== 'folder');
  return [...new Set(findings.flatMap((t) => t.rows.slice(1).flatMap((row) => row.flatMap(numbersIn))))];
}

export function missingFrom(japanese: string, english: string): { commands: string[]; numbers: string[] } {
  const commands = [...new Set([...codeBlockCommands(english), ...commandTableCommands(english)])];
  // A command counts where it stands whole: a line of a code block, or a code span of the prose and tables.
  const jaCommands = new Set([...codeBlockCommands(japanese), ...[...japanese.matchAll(/`([^`\n]+)`/g)].map((m) => m[1])]);
  const jaNumbers = new Set(numbersIn(japanese));
  return {
    commands: commands.filter((c) => !jaCommands.has(c)),
    numbers: findingsNumbers(english).filter((n) => !jaNumbers.has(n)),
  };
}

describe('README.ja.md keeps step with README.md', () => {
  const english = read('README.md');
  const japanese = read('README.ja.md');

  it('the extraction finds README.md commands and findings numbers (so the check below checks something)', () => {
    expect(codeBlockCommands(english)).to.include.members(['npm install', 'npm test']);
    expect(commandTableCommands(english)).to.include('node dist/run.js study --quick');
    expect(findingsNumbers(english).length).to.be.greaterThan(100);
    expect(findingsNumbers(english)).to.include.members(['75.5', '-4.5', '1,229']);
  });

  it('every command line and every findings number of README.md appears in README.ja.md', () => {
    expect(missingFrom(japanese, english)).to.deep.equal({ commands: [], numbers: [] });
  });

  it('README.md links the Japanese README at its top', () => {
    expect(english.split('\n').slice(0, 5).join('\n')).to.include('[README.ja.md](README.ja.md)');
  });

  it('README.ja.md uses the article’s own terms', () => {
    for (const term of ['正解率', '二乗誤差', '中間層', '勾配消失問題', '活性化関数', '学習率', 'エポック'])
      expect(japanese).to.include(term);
  });

  it('fails when README.md gains a command or a number the Japanese README lacks', () => {
    const grown = english
      .replace('npm test ', 'npm run coverage   # a new set-up step\nnpm test ')
      .replace('| 75.3 [73.3, 77.2] %', '| 99.9 [73.3, 77.2] %');
    expect(missingFrom(japanese, grown)).to.deep.equal({ commands: ['npm run coverage'], numbers: ['99.9'] });
  });

  it('numbers are read as written, not from inside names', () => {
    expect(numbersIn('sigmoid7 log10 2.05 [1.97, 2.12] −4.5 1,291 ms p = 6e-5 claim 3')).to.deep.equal([
      '2.05',
      '1.97',
      '2.12',
      '-4.5',
      '1,291',
      '6e-5',
      '3',
    ]);
  });
});
