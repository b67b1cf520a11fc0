/**
 * The one way this program runs work in other processes or threads: the sweep's pool of
 * processes (src/experiment/pool.ts), the landscape's weight-scan threads (src/probes/scan-jobs.ts)
 * and the benchmark's fresh process per cell (src/bench/bench-run.ts).
 *
 * Built on the maintained library `workerpool` (process and thread workers, worker-to-parent
 * events, a worker that dies fails only its own task and is replaced). It fits all three: the
 * sweep's kill/resume tests pass on it (a process worker exits when its parent's IPC channel
 * closes, so SIGKILL of the parent or of the whole group leaves nothing running), and a
 * timeout or stop() terminates the workers. This module adds only what the three need on top:
 * - one rule for the worker's entry: beside the caller, `.ts` through tsx's loader when the
 *   caller itself runs from source under tsx (tests, development), else the built `.js`;
 * - zod validation of every result and event that comes back (a worker is another program);
 * - errors: a worker's UserError is a UserError again in the parent (one line for the user);
 *   a worker that dies becomes one line naming how it ended; anything else keeps its stack;
 * - output lines of the workers, for a parent that shows them (the sweep's progress display).
 */
import { existsSync } from 'node:fs';
import { isMainThread } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import workerpool from 'workerpool';
import type { z } from 'zod';
import { UserError } from './errors.js';

export type WorkerKind = 'process' | 'thread';

/** A worker's entry module and whether it must be loaded through tsx. */
export interface WorkerEntry {
  file: string;
  underTsx: boolean;
}

/**
 * The module `name` (e.g. './worker') beside the module at `callerUrl` (its import.meta.url):
 * `.ts` when the caller is itself a .ts file (so running under tsx), else `.js`.
 */
export function workerEntry(callerUrl: string, name: string): WorkerEntry {
  const underTsx = callerUrl.endsWith('.ts');
  return { file: fileURLToPath(new URL(`${name}${underTsx ? '.ts' : '.js'}`, callerUrl)), underTsx };
}

/** The node flags a child process needs to load TypeScript sources (none for built .js). */
export function nodeFlagsFor(entry: WorkerEntry): string[] {
  return entry.underTsx ? ['--import', 'tsx'] : [];
}

export interface WorkersOptions {
  entry: WorkerEntry;
  kind: WorkerKind;
  /** Workers at most; each runs one task at a time. */
  size: number;
  /** Capture what the workers print (for each run's onOutput) instead of letting it through to this process's output. */
  captureOutput?: boolean;
}

export interface RunOptions<R, E> {
  /** What the task must return. */
  result: z.ZodType<R>;
  /** What the task's progress events must look like, and who gets them. */
  event?: z.ZodType<E>;
  onEvent?: (event: E) => void;
  /** Stop the task (and its worker) after this many seconds; the run then rejects with WorkerTimeout. */
  timeoutSeconds?: number;
  /**
   * Every line the worker prints while running the task (with captureOutput). A process's output
   * and its messages travel on different pipes, so a line printed just before the task ends may
   * arrive after it and is then dropped.
   */
  onOutput?: (line: string, stream: 'stdout' | 'stderr') => void;
}

/** A task stopped by its timeout. */
export class WorkerTimeout extends Error {
  constructor(seconds: number) {
    super(`the worker did not finish within ${seconds} s`);
    this.name = 'WorkerTimeout';
  }
}

/** What the worker side wraps an event in, to tell it from a chunk of the worker's output. */
interface EventEnvelope {
  event: unknown;
}
type StreamChunk = { stdout: string } | { stderr: string };

/** The error a run rejects with, from what workerpool rejected with. */
function parentError(err: unknown, kind: WorkerKind): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  if (err.name === 'UserError' || err.name === 'UsageError') {
    const exitCode = (err as { exitCode?: unknown }).exitCode;
    return new UserError(err.message, typeof exitCode === 'number' ? exitCode : 1);
  }
  if (err.name === 'TimeoutError') return err;
  const died = /terminated Unexpectedly\s+exitCode: `([^`]*)`\s+signalCode: `([^`]*)`/.exec(err.message);
  if (died) {
    const [, code, signal] = died;
    const bySignal = signal !== 'null' && signal !== 'undefined';
    return new Error(`the worker ${kind} exited (${bySignal ? signal : `code ${code}`}) while running it`);
  }
  return err;
}

/** Splits a stream's chunks into lines. */
function lineSplitter(onLine: (line: string) => void): { push: (chunk: string) => void; flush: () => void } {
  let rest = '';
  return {
    push(chunk) {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      for (const line of parts) onLine(line);
    },
    flush() {
      if (rest !== '') onLine(rest);
      rest = '';
    },
  };
}

/** A set of workers running one entry module's methods. */
export class Workers {
  private readonly pool: workerpool.Pool;

  constructor(private readonly opts: WorkersOptions) {
    // Checked here, where the cause is plain, rather than as a module error from inside each worker.
    if (!existsSync(opts.entry.file)) throw new Error(`the worker entry is missing: ${opts.entry.file} (was the program built?)`);
    const flags = nodeFlagsFor(opts.entry);
    // A worker thread cannot take --import: under tsx it starts from a line that registers tsx's loader first.
    const threadFromSource = opts.kind === 'thread' && opts.entry.underTsx;
    this.pool = workerpool.pool(
      threadFromSource
        ? `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(pathToFileURL(opts.entry.file).href)}); });`
        : opts.entry.file,
      {
        workerType: opts.kind,
        maxWorkers: Math.max(1, opts.size),
        emitStdStreams: opts.captureOutput ?? false,
        forkOpts: { execArgv: flags },
        workerThreadOpts: threadFromSource ? { eval: true } : {},
      },
    );
  }

  /** Runs `method(...args)` in a worker; resolves with its checked result. */
  async run<R, E = never>(method: string, args: unknown[], opts: RunOptions<R, E>): Promise<R> {
    const kind = this.opts.kind;
    let badEvent: Error | null = null;
    const out = lineSplitter((line) => opts.onOutput?.(line, 'stdout'));
    const err = lineSplitter((line) => opts.onOutput?.(line, 'stderr'));
    const on = (payload: EventEnvelope | StreamChunk): void => {
      if ('stdout' in payload) out.push(payload.stdout);
      else if ('stderr' in payload) err.push(payload.stderr);
      else if (opts.event && !badEvent) {
        const parsed = opts.event.safeParse(payload.event);
        if (parsed.success) opts.onEvent?.(parsed.data);
        else badEvent = new Error(`a worker ${kind} sent an unexpected event: ${JSON.stringify(payload.event).slice(0, 120)}`);
      }
    };
    const task = this.pool.exec(method, args, { on });
    if (opts.timeoutSeconds !== undefined) task.timeout(opts.timeoutSeconds * 1000);
    let raw: unknown;
    try {
      raw = await task;
    } catch (e) {
      if (e instanceof Error && e.name === 'TimeoutError') throw new WorkerTimeout(opts.timeoutSeconds ?? 0);
      throw parentError(e, kind);
    } finally {
      out.flush();
      err.flush();
    }
    if (badEvent) throw badEvent;
    const parsed = opts.result.safeParse(raw);
    if (!parsed.success) throw new Error(`a worker ${kind} returned an unexpected result: ${JSON.stringify(raw).slice(0, 120)}`);
    return parsed.data;
  }

  /** Stops every worker at once (their tasks reject); resolves when they are gone. */
  async stop(): Promise<void> {
    await this.pool.terminate(true);
  }
}

/**
 * The worker side: serves `methods` to the parent. A process worker exits when its parent goes
 * away (workerpool watches the IPC channel) and on Ctrl-C, which reaches the whole process
 * group: the parent decides what happens to the work, the worker just stops.
 */
export function serveWorker(what: string, methods: Record<string, (...args: never[]) => unknown>): void {
  if (isMainThread && !process.send) {
    process.stderr.write(`error: ${what} is started by the program, not directly\n`);
    process.exit(2);
  }
  if (isMainThread) process.on('SIGINT', () => process.exit(130));
  workerpool.worker(methods as Record<string, (...args: unknown[]) => unknown>);
}

/** Sends a progress event to the parent (it reaches the run's onEvent, checked there). */
export function emitToParent(event: unknown): void {
  workerpool.workerEmit({ event } satisfies EventEnvelope);
}
