/**
 * src/util/workers.ts, the one worker mechanism of the sweep, the landscape probe and the
 * benchmark: results and events checked, errors kept apart (a UserError stays one, a bug keeps
 * its message, a dead worker is one line), output captured line by line, timeouts that keep
 * the events sent before them. On processes and on threads, from the TypeScript sources.
 */
import { expect } from 'chai';
import { z } from 'zod';
import { UserError } from '../src/util/errors.js';
import { Workers, WorkerTimeout, nodeFlagsFor, workerEntry, type WorkerKind } from '../src/util/workers.js';

const entry = workerEntry(import.meta.url, './helpers/test-worker');
const Result = z.object({ sum: z.number(), typed: z.boolean() });
const Step = z.object({ step: z.number() });

describe('workers: the entry rule', () => {
  it('from TypeScript sources the entry is the .ts beside the caller, loaded through tsx; built, the .js', () => {
    expect(entry.file).to.match(/spec\/helpers\/test-worker\.ts$/);
    expect(entry.underTsx).to.equal(true);
    expect(nodeFlagsFor(entry)).to.deep.equal(['--import', 'tsx']);
    const built = workerEntry('file:///app/dist/bench/bench-run.js', './worker');
    expect(built).to.deep.equal({ file: '/app/dist/bench/worker.js', underTsx: false });
    expect(nodeFlagsFor(built)).to.deep.equal([]);
    expect(() => new Workers({ entry: built, kind: 'process', size: 1 })).to.throw(
      'the worker entry is missing: /app/dist/bench/worker.js',
    );
  });
});

for (const kind of ['process', 'thread'] as WorkerKind[]) {
  describe(`workers: ${kind} workers`, function () {
    this.timeout(30000);
    let workers: Workers;
    beforeEach(() => {
      workers = new Workers({ entry, kind, size: 2, captureOutput: true });
    });
    afterEach(async () => {
      await workers.stop();
    });

    it('returns the checked result, and the events and output lines in order', async () => {
      const steps: number[] = [];
      const lines: string[] = [];
      const r = await workers.run('count', [3, new Float32Array([1, 2, 3.5])], {
        result: Result,
        event: Step,
        onEvent: (e) => steps.push(e.step),
        onOutput: (line, stream) => lines.push(`${stream}: ${line}`),
      });
      expect(r.sum).to.equal(6.5);
      // Threads pass a typed array as it is; processes as JSON (an object of numbers).
      expect(r.typed).to.equal(kind === 'thread');
      expect(steps).to.deep.equal([1, 2, 3]);
      expect(lines).to.include('stderr: a line on stderr');
    });

    it("a worker's UserError is a UserError in the parent, with its message and exit code", async () => {
      const err = await workers.run('userError', [], { result: Result }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).to.be.instanceOf(UserError);
      expect((err as UserError).message).to.equal('--flag: expected a number');
      expect((err as UserError).exitCode).to.equal(2);
    });

    it('a bug stays an ordinary error with its message; an unexpected event or result is refused', async () => {
      const bug = await workers.run('bug', [], { result: Result }).catch((e: unknown) => e);
      expect(bug).to.be.instanceOf(Error).and.not.instanceOf(UserError);
      expect((bug as Error).message).to.equal('something broke');
      const badEvent = await workers.run('badEvent', [], { result: Result, event: Step }).catch((e: unknown) => e);
      expect((badEvent as Error).message).to.match(/sent an unexpected event: \{"step":"one"\}/);
      const badResult = await workers.run('count', [0, [1]], { result: z.object({ sum: z.string() }) }).catch((e: unknown) => e);
      expect((badResult as Error).message).to.match(/returned an unexpected result/);
    });

    it('a worker that dies fails its own task in one line; the next task gets a new worker', async () => {
      const err = await workers.run('die', [], { result: Result }).catch((e: unknown) => e);
      expect((err as Error).message).to.equal(`the worker ${kind} exited (code 3) while running it`);
      const r = await workers.run('count', [0, new Float32Array([2])], { result: Result });
      expect(r.sum).to.equal(2);
    });

    it('a timeout stops the worker; the events it sent before are kept', async () => {
      // One worker, loaded by a first task, so that the time limit is not spent starting it.
      const one = new Workers({ entry, kind, size: 1 });
      after(() => one.stop());
      await one.run('count', [0, [1]], { result: Result });
      const steps: number[] = [];
      const t0 = performance.now();
      const err = await one
        .run('spin', [], { result: Result, event: Step, onEvent: (e) => steps.push(e.step), timeoutSeconds: 0.5 })
        .catch((e: unknown) => e);
      expect(err).to.be.instanceOf(WorkerTimeout);
      expect(steps).to.deep.equal([1]);
      expect(performance.now() - t0).to.be.below(10000);
    });
  });
}
