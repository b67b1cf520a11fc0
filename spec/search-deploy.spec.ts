/**
 * The search's cluster files as dry runs: scripts/search-slurm.sh with every array task's Slurm
 * variables, and the command of scripts/search-k8s-job.yaml with every completion index, each run
 * with --dry-run on the registered search (it plans stage A and prints its shard's share, needing
 * no data). Every index must become its own shard k/n of one split, whose shares add up to the
 * stage. No Slurm or Kubernetes cluster runs here: the schedulers' variables are set by hand.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(import.meta.dirname, '..');

/** What one task printed: its shard, where the shard came from, the stage's runs and its own. */
function shardLine(stderr: string): { shard: string; source: string; total: number; mine: number } {
  const from = /search: shard (\d+\/\d+) \(([^)]+)\)/.exec(stderr);
  const stage = /search: stage A: (\d+) runs; shard (\d+\/\d+) runs (\d+)/.exec(stderr);
  expect(from, stderr).to.not.equal(null);
  expect(stage, stderr).to.not.equal(null);
  expect(stage![2]).to.equal(from![1]);
  return { shard: from![1], source: from![2], total: Number(stage![1]), mine: Number(stage![3]) };
}

describe('search on a cluster: the Slurm array and the Kubernetes Indexed Job as dry runs', function () {
  this.timeout(600_000);
  before(function () {
    if (!existsSync(path.join(ROOT, 'dist', 'run.js'))) this.skip();
  });

  // --array=1-4 whole; of --array=0-3 (the same shards numbered from 0) the first and the last task, to save time.
  for (const [min, ids] of [
    [1, [1, 2, 3, 4]],
    [0, [0, 3]],
  ] as const) {
    it(`Slurm, --array=${min}-${min + 3}: task i runs shard i - min + 1 of 4${ids.length === 4 ? ', and the shards cover stage A once' : ''}`, () => {
      const seen: string[] = [];
      let covered = 0;
      for (const id of ids) {
        const run = spawnSync('nice', ['-n', '19', 'bash', path.join(ROOT, 'scripts', 'search-slurm.sh')], {
          cwd: ROOT,
          encoding: 'utf8',
          env: {
            ...process.env,
            SLURM_ARRAY_TASK_ID: String(id),
            SLURM_ARRAY_TASK_COUNT: '4',
            SLURM_ARRAY_TASK_MIN: String(min),
            SLURM_SUBMIT_DIR: ROOT,
            SEARCH_ARGS: '--dry-run',
          },
        });
        expect(run.status, run.stderr).to.equal(0);
        const line = shardLine(run.stderr);
        expect([line.shard, line.source]).to.deep.equal([`${id - min + 1}/4`, 'Slurm array']);
        expect(line.total).to.equal(224);
        seen.push(line.shard);
        covered += line.mine;
      }
      expect(seen).to.deep.equal(ids.map((id) => `${id - min + 1}/4`));
      if (ids.length === 4) expect(covered).to.equal(224);
    });
  }

  it('Kubernetes: each completion index of the manifest runs its own shard k/n, n = spec.completions', () => {
    const manifest = readFileSync(path.join(ROOT, 'scripts', 'search-k8s-job.yaml'), 'utf8');
    expect(manifest).to.match(/^\s+completionMode: Indexed$/m);
    const completions = Number(/^\s+completions: (\d+)$/m.exec(manifest)![1]);
    expect(Number(/^\s+parallelism: (\d+)$/m.exec(manifest)![1])).to.equal(completions);
    // The container's command: the one item under args, run by /bin/sh -c as Kubernetes does.
    const command = /^\s+args:\n\s+- (.+)$/m.exec(manifest)![1];
    expect(command).to.include(`--shards ${completions}`);
    const seen: string[] = [];
    let covered = 0;
    for (let index = 0; index < completions; index++) {
      const run = spawnSync('nice', ['-n', '19', '/bin/sh', '-c', command], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, JOB_COMPLETION_INDEX: String(index), SEARCH_AFTER: '', SEARCH_ARGS: '--dry-run' },
      });
      expect(run.status, run.stderr).to.equal(0);
      const line = shardLine(run.stderr);
      expect([line.shard, line.source]).to.deep.equal([`${index + 1}/${completions}`, 'Kubernetes index']);
      seen.push(line.shard);
      covered += line.mine;
    }
    expect(new Set(seen).size).to.equal(completions);
    expect(covered).to.equal(224);
  });
});
