/** The sweep's progress lines and time estimate, driven by hand-made pool events and a fake clock. */
import { expect } from 'chai';
import { Writable } from 'node:stream';
import { SweepProgress, formatDuration } from '../src/experiment/progress.js';
import type { Job as PlannedJob } from '../src/experiment/job.js';
import type { RunConfig } from '../src/config/schema.js';

function train(id: string, epochs: number): PlannedJob {
  return { kind: 'train', id, configName: id, seed: 1, config: { epochs } as RunConfig };
}

function probe(id: string, trainId: string): PlannedJob {
  return { kind: 'landscape', id, configName: 'x', seed: 1, trainId, settings: { allSeeds: true } as never, mechanism: {} as never };
}

const epoch = (n: number) => ({
  epoch: n,
  valLoss: Number.NaN,
  valAccuracy: Number.NaN,
  trainLoss: 0.2,
  trainAccuracy: 0.7,
  testLoss: 0.2,
  testAccuracy: 0.7,
  seconds: 1,
  elapsedSeconds: n,
});

describe('reproduce progress display', () => {
  it('prints one line per event with done / running / left and an estimate from the measured rate', () => {
    let t = 0;
    const lines: string[] = [];
    const stream = new Writable({
      write: (c, _e, cb) => {
        lines.push(...String(c).split('\n').filter(Boolean));
        cb();
      },
    }) as unknown as NodeJS.WriteStream;
    const a = train('a', 10);
    const b = train('b', 10);
    const p = probe('p', 'a');
    const progress = new SweepProgress({ mode: 'lines', total: 4, alreadyDone: 1, pending: [a, b, p], workers: 2, stream, now: () => t });
    progress.handle({ type: 'start', worker: 1, job: a });
    progress.handle({ type: 'start', worker: 2, job: b });
    expect(lines[1]).to.equal('start b (worker 2) | 1/4 done, 2 running, 1 left | elapsed 0 s, ETA ?');
    // Two workers, 5 epochs each in 10 s: 1 epoch/s; 10 epochs of training left, and a probe
    // estimated at one training run's length (none measured yet) once a run has finished.
    t = 10;
    for (let k = 1; k <= 5; k++) {
      progress.handle({ type: 'epoch', worker: 1, job: a, epoch: epoch(k), epochs: 10 });
      progress.handle({ type: 'epoch', worker: 2, job: b, epoch: epoch(k), epochs: 10 });
    }
    expect(Number.isNaN(progress.etaSeconds())).to.equal(true); // the probe's length is still unknown
    t = 20;
    progress.handle({ type: 'done', worker: 1, job: a, seconds: 20, headline: 'test 70.0 %' });
    expect(lines[2]).to.match(/^done a: test 70\.0 % \| 2\/4 done, 1 running, 1 left \| elapsed 20 s, ETA/);
    // 15 epochs in 20 s -> 5 epochs left take 6.7 s; one probe of ~20 s shared by 2 workers: 10 s.
    expect(progress.etaSeconds()).to.be.closeTo(5 / (15 / 20) + 20 / 2, 1e-9);
    progress.handle({ type: 'failed', worker: 2, job: b, message: 'boom\nstack', userError: false });
    expect(lines.some((l) => l === 'FAILED b: boom')).to.equal(true);
    expect(lines[lines.length - 1]).to.match(/2\/4 done, 0 running, 1 left, 1 failed/);
  });

  it('formats durations for people', () => {
    expect(formatDuration(42.4)).to.equal('42 s');
    expect(formatDuration(125)).to.equal('2 min 05 s');
    expect(formatDuration(3 * 3600 + 7 * 60)).to.equal('3 h 07 min');
    expect(formatDuration(Number.NaN)).to.equal('?');
  });
});
