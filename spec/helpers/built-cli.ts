/**
 * The built command line as a user runs it: `node dist/run.js ARGS` in a child process (build
 * first; `npm test` does), with the data cache pointed at nothing so that no test reaches for the
 * real CIFAR-10 by accident. CLI_UNDER_TEST points the tests at another build.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
export const CLI = process.env.CLI_UNDER_TEST ?? path.join(ROOT, 'dist', 'run.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  cwd?: string;
  /** Added to this process's environment (after the empty data cache). */
  env?: NodeJS.ProcessEnv;
  /** A run that takes longer is killed: a hang is a failure, not a stuck suite (default 120 s). */
  timeoutMs?: number;
  onStdout?: (text: string, child: ReturnType<typeof spawn>) => void;
}

export function runBuiltCli(args: string[], opts: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd: opts.cwd ?? ROOT,
      env: { ...process.env, CIFAR10_DATA_DIR: '/nonexistent-cifar-cache', ...opts.env },
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 120_000);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      opts.onStdout?.(stdout, child);
    });
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** The command failed as the README promises: exit `code`, and one line on stderr, `error: ...` matching `pattern`. */
export function expectOneLine(r: CliResult, code: number, pattern: RegExp): void {
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines, `stderr was:\n${r.stderr}`).to.have.length(1);
  expect(lines[0]).to.match(/^error: /);
  expect(lines[0]).to.match(pattern);
  expect(r.code, `exit (signal ${r.signal}); stderr: ${r.stderr}`).to.equal(code);
}
