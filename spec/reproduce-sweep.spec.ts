/**
 * The sweep end to end on synthetic CIFAR-10 files and tiny networks: a sweep killed halfway
 * resumes without redoing finished runs and without half-written files, and two shards merged
 * give the summary one machine gives.
 */
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { makeFixtureDataDir, type FixtureDataDir } from './helpers/cifar-fixture.js';
import { UserError } from '../src/util/errors.js';
import { parseCsv } from '../src/util/csv.js';
import { runSweep, type SweepOptions } from '../src/reproduce/article.js';
import { mergeShards } from '../src/experiment/merge.js';
import { finalize, type FinalizeResult } from '../src/reports/finalize.js';
import { readPlanFile, readSessions, RESULT_FILE } from '../src/experiment/store.js';

/** A stream that keeps what the sweep prints (so the test output stays readable). */
function sink(): NodeJS.WriteStream & { text: () => string } {
  const chunks: string[] = [];
  const w = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  w.text = () => chunks.join('');
  return w;
}

/** Complete job folders (runs and probes) of a sweep folder, by id. */
function completeJobs(dir: string): string[] {
  const ids: string[] = [];
  for (const parent of ['runs', 'probes']) {
    const p = path.join(dir, parent);
    if (!existsSync(p)) continue;
    for (const name of readdirSync(p)) if (existsSync(path.join(p, name, RESULT_FILE))) ids.push(name);
  }
  return ids.sort();
}

/** Every CSV under `dir` (outside temporary folders) parses into rows of its header's width. */
function assertNoHalfWrittenCsv(dir: string): number {
  let checked = 0;
  const walk = (d: string): void => {
    for (const name of readdirSync(d)) {
      const p = path.join(d, name);
      if (name.includes('.tmp-')) continue;
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.csv')) {
        const text = readFileSync(p, 'utf8');
        expect(text.endsWith('\n'), `${p} ends mid-line`).to.equal(true);
        const header = text.split('\n')[0].split(',').length;
        for (const row of parseCsv(text)) expect(Object.keys(row).length, p).to.equal(header);
        checked++;
      }
    }
  };
  walk(dir);
  return checked;
}

/** summary.csv without the columns that measure time (those differ between any two runs). */
function summaryWithoutTimes(dir: string): Record<string, string>[] {
  return parseCsv(readFileSync(path.join(dir, 'summary.csv'), 'utf8')).map((row) =>
    Object.fromEntries(Object.entries(row).filter(([k]) => !k.includes('seconds'))),
  );
}

describe('reproduce sweep (synthetic data, tiny networks)', function () {
  this.timeout(90_000);
  let fixture: FixtureDataDir;
  let root: string;
  let configFile: string;
  const single = (): string => path.join(root, 'single');
  let singleVerdicts: string[] = [];

  before(async () => {
    fixture = await makeFixtureDataDir({ recordsPerBatch: 50 });
    root = mkdtempSync(path.join(os.tmpdir(), 'reproduce-sweep-'));
    const cfg = path.join(root, 'configs');
    mkdirSync(cfg);
    // Two small networks of different depth and activation: every part of the sweep, in few jobs.
    for (const [activation, hidden] of [
      ['sigmoid', [6]],
      ['relu', [6, 4]],
    ] as const) {
      const config = {
        activation,
        hidden,
        epochs: 1,
        batchSize: 10,
        backend: 'cpu',
        data: { trainPerClass: 30, testPerClass: 15, validationPerClass: 10 },
      };
      writeFileSync(path.join(cfg, `${activation}${hidden.length + 2}.json`), JSON.stringify(config));
    }
    configFile = path.join(cfg, 'reproduce.json');
    writeFileSync(
      configFile,
      JSON.stringify({
        configs: ['sigmoid3', 'relu4'],
        seeds: 2,
        jobs: 2,
        gradients: { configs: ['sigmoid3', 'relu4'] },
        landscape: { configs: ['sigmoid3', 'relu4'], allSeeds: false, count: 1, points: 11 },
      }),
    );
  });

  after(async () => {
    await fixture?.cleanup();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  const sweep = (extra: Partial<SweepOptions<FinalizeResult>>) => {
    const stream = sink();
    return runSweep<FinalizeResult>({
      configFile,
      outDir: single(),
      dataDir: fixture.dataDir,
      progress: 'lines',
      stream,
      finish: (dir) => finalize(dir),
      ...extra,
    }).then((outcome) => ({ outcome, printed: stream.text() }));
  };

  it('a sweep killed halfway resumes: finished runs are kept, nothing is half-written, the rest is done', async () => {
    // The real command, in its own process group, killed like a crashed machine: parent and workers at once.
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'src/run.ts',
        'reproduce',
        '--config',
        configFile,
        '--out',
        single(),
        '--data-dir',
        fixture.dataDir,
        '--jobs',
        '1',
        '--progress',
        'lines',
      ],
      { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr!.on('data', (chunk: Buffer) => {
        err += String(chunk);
        // Kill after the first finished run, while the second is running.
        if ((err.match(/^done /gm) ?? []).length >= 1 && child.exitCode === null && !child.killed) process.kill(-child.pid!, 'SIGKILL');
      });
      child.on('exit', (code, signal) =>
        signal === 'SIGKILL' ? resolve() : reject(new Error(`sweep ended by itself (${code}) before it was killed:\n${err}`)),
      );
    });
    // Workers die with their group; give the kernel a moment to reap them.
    await new Promise((r) => setTimeout(r, 300));

    const before = completeJobs(single());
    expect(before.length).to.be.within(1, 5);
    expect(existsSync(path.join(single(), 'summary.csv'))).to.equal(false);
    expect(assertNoHalfWrittenCsv(single())).to.be.greaterThan(0);
    const mtimes = new Map(
      before.map((id) => [id, statSync(path.join(single(), id.startsWith('landscape-') ? 'probes' : 'runs', id, RESULT_FILE)).mtimeMs]),
    );

    const { outcome, printed } = await sweep({});
    expect(outcome.total).to.equal(6); // 2 configs x 2 seeds + 2 probes
    expect(outcome.skipped).to.equal(before.length);
    expect(outcome.ran).to.equal(6 - before.length);
    expect(printed).to.include(`${before.length} already complete`);
    for (const [id, mtime] of mtimes) {
      const file = path.join(single(), id.startsWith('landscape-') ? 'probes' : 'runs', id, RESULT_FILE);
      expect(statSync(file).mtimeMs, `${id} was redone`).to.equal(mtime);
    }
    expect(completeJobs(single())).to.have.length(6);
    for (const parent of ['runs', 'probes']) {
      expect(readdirSync(path.join(single(), parent)).filter((n) => n.includes('.tmp-'))).to.deep.equal([]);
    }
    assertNoHalfWrittenCsv(single());
    const rows = summaryWithoutTimes(single());
    expect(rows.map((r) => r.config)).to.deep.equal(['sigmoid3', 'relu4']);
    expect(rows.every((r) => r.seeds === '2' && r.seed_list === '1 2')).to.equal(true);
    const sessions = readSessions(single());
    expect(sessions.map((s) => s.status)).to.deep.equal(['running', 'finished']); // the killed one never got to say more
    expect(existsSync(path.join(single(), 'report.html'))).to.equal(true);

    // Once complete, starting again does nothing but rewrite the report.
    const again = await sweep({});
    expect(again.outcome.skipped).to.equal(6);
    expect(again.outcome.ran).to.equal(0);
    singleVerdicts = again.outcome.final!.data.claims.map((c) => c.verdict);
  });

  it('two shards merged give the same summary as one machine', async () => {
    const shardDirs = [path.join(root, 'shard-1'), path.join(root, 'shard-2')];
    // Two "machines" at once, one worker each.
    const outcomes = await Promise.all(
      shardDirs.map((dir, k) =>
        runSweep({
          configFile,
          outDir: dir,
          dataDir: fixture.dataDir,
          shard: { index: k + 1, count: 2 },
          overrides: { jobs: 1 },
          progress: 'none',
          stream: sink(),
        }),
      ),
    );
    for (const [k, dir] of shardDirs.entries()) {
      expect(outcomes[k].final, 'a shard leaves the summary to merge').to.equal(null);
      expect(existsSync(path.join(dir, 'summary.csv'))).to.equal(false);
    }
    const [a, b] = shardDirs.map(completeJobs);
    expect(a.filter((id) => b.includes(id))).to.deep.equal([]);
    expect([...a, ...b].sort()).to.deep.equal(completeJobs(single()));

    // A merge with a shard missing names what is missing and writes no summary.
    const partial = path.join(root, 'partial');
    let message = '';
    await mergeShards({ dirs: [shardDirs[0]], outDir: partial, finish: (dir) => finalize(dir) }).catch((e: unknown) => {
      expect(e).to.be.instanceOf(UserError);
      message = (e as Error).message;
    });
    expect(message).to.match(/^reproduce merge: \d+ of 6 are complete in none of the folders \(.*\(shard 2\/2\)/);
    expect(existsSync(partial), 'a failed merge leaves no folder behind').to.equal(false);
    // The output is claimed: never one of the inputs (the merge would rewrite the shard it reads).
    message = '';
    await mergeShards({ dirs: shardDirs, outDir: shardDirs[1], finish: (dir) => finalize(dir) }).catch((e: unknown) => {
      message = (e as Error).message;
    });
    expect(message).to.match(/^--out .*shard-2: is the input .*shard-2; give a new folder/);

    const merged = path.join(root, 'merged');
    const outcome = await mergeShards({ dirs: shardDirs, outDir: merged, finish: (dir) => finalize(dir) });
    expect(outcome.copied).to.equal(6);
    expect(readPlanFile(merged).fingerprint).to.equal(readPlanFile(single()).fingerprint);
    expect(completeJobs(merged)).to.deep.equal(completeJobs(single()));
    expect(summaryWithoutTimes(merged)).to.deep.equal(summaryWithoutTimes(single()));
    expect(outcome.final.data.claims.map((c) => c.verdict)).to.deep.equal(singleVerdicts);
    // The run time columns are there and come from the same records the shards wrote.
    const timeColumns = Object.keys(parseCsv(readFileSync(path.join(merged, 'summary.csv'), 'utf8'))[0]).filter((k) =>
      k.includes('seconds'),
    );
    expect(timeColumns).to.deep.equal(['run_seconds_mean']);
    expect(
      readSessions(merged)
        .map((s) => s.shard)
        .sort(),
    ).to.deep.equal(['1/2', '2/2']);
    expect(readFileSync(path.join(merged, 'report.md'), 'utf8')).to.match(/shard 1\/2 .*shard 2\/2/);
  });

  it('refuses to mix sweeps: other settings in the same folder, or shards of different sweeps', async () => {
    let message = '';
    await sweep({ overrides: { epochs: 2 } }).catch((e: unknown) => {
      message = (e as Error).message;
    });
    expect(message).to.match(/holds a sweep with other settings/);
    const other = path.join(root, 'other');
    // One seed, and a shard that holds no job at all: only its plan.json is written.
    await sweep({ outDir: other, overrides: { seeds: 1 }, shard: { index: 50, count: 50 } });
    message = '';
    await mergeShards({ dirs: [single(), other], outDir: path.join(root, 'never'), finish: (dir) => finalize(dir) }).catch((e: unknown) => {
      message = (e as Error).message;
    });
    expect(message).to.match(/comes from a different sweep/);
  });

  it('--reuse copies only the runs made with the same settings, and gives the same summary', async () => {
    // Same settings: every job is copied, nothing runs, the summary is the one the single run wrote.
    const same = path.join(root, 'reused-same');
    const copied = await sweep({ outDir: same, reuseFrom: single() });
    expect(copied.outcome.ran).to.equal(0);
    expect(copied.printed).to.match(/copied 6 finished jobs with the same settings/);
    expect(summaryWithoutTimes(same)).to.deep.equal(summaryWithoutTimes(single()));
    // Other epochs: no job has the same fingerprint, so nothing is copied and everything runs.
    const other = path.join(root, 'reused-other');
    const rerun = await sweep({ outDir: other, reuseFrom: single(), overrides: { epochs: 2 } });
    expect(rerun.printed).to.not.match(/copied/);
    expect(rerun.outcome.ran).to.equal(6);
    // A folder that does not exist is one clear error.
    let message = '';
    await sweep({ outDir: path.join(root, 'reused-none'), reuseFrom: path.join(root, 'nowhere') }).catch((e: unknown) => {
      message = (e as Error).message;
    });
    expect(message).to.match(/--reuse .*nowhere: no such folder/);
  });
});
