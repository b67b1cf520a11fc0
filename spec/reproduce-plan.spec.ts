/**
 * The reproduction's plan: which runs, with which ids, and how --shard k/n splits them.
 * Pure: config files in a temp dir, no training.
 */
import { expect } from 'chai';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadReproduceConfig } from '../src/reproduce/config.js';
import { articlePlan } from '../src/reproduce/article.js';
import { parseShard, selectShard } from '../src/experiment/shard.js';
import { jobFingerprint, type Job, type Plan } from '../src/experiment/job.js';
import { jobCost } from '../src/experiment/cost.js';
import { usageMessage } from './helpers/usage-error.js';

function configDir(reproduce: Record<string, unknown>, names = ['sigmoid3', 'sigmoid4', 'sigmoid5', 'relu3', 'relu4', 'relu5']): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'reproduce-plan-'));
  for (const name of names) {
    const activation = name.startsWith('relu') ? 'relu' : 'sigmoid';
    const layers = Number(name.replace(/\D/g, ''));
    writeFileSync(
      path.join(dir, `${name}.json`),
      JSON.stringify({ activation, hidden: Array.from({ length: layers - 2 }, () => 4), epochs: 2 }),
    );
  }
  writeFileSync(path.join(dir, 'reproduce.json'), JSON.stringify(reproduce));
  return dir;
}

describe('reproduce plan', () => {
  const dirs: string[] = [];
  const load = (reproduce: Record<string, unknown>, flags = {}) => {
    const dir = configDir(reproduce);
    dirs.push(dir);
    return loadReproduceConfig(path.join(dir, 'reproduce.json'), flags);
  };
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  const standard = {
    configs: ['sigmoid3', 'sigmoid4', 'sigmoid5', 'relu3', 'relu4', 'relu5'],
    seeds: 3,
    gradients: { configs: ['sigmoid5', 'relu5'] },
    landscape: { configs: ['sigmoid5', 'relu5'] },
  };

  it('lists config x seed with stable ids, then one probe per probed run', () => {
    const plan = articlePlan(load(standard));
    const train = plan.jobs.filter((j) => j.kind === 'train');
    expect(train.map((j) => j.id).slice(0, 4)).to.deep.equal(['sigmoid3-s1', 'sigmoid3-s2', 'sigmoid3-s3', 'sigmoid4-s1']);
    expect(train).to.have.length(18);
    expect(plan.seeds).to.deep.equal([1, 2, 3]);
    for (const j of train) {
      expect(j.config.seed).to.equal(j.seed);
      expect(j.config.name).to.equal(j.configName);
      expect(j.config.recordGradients).to.equal(j.configName === 'sigmoid5' || j.configName === 'relu5');
    }
    const probes = plan.jobs.filter((j) => j.kind === 'landscape');
    expect(probes.map((j) => j.id)).to.deep.equal([
      'landscape-sigmoid5-s1',
      'landscape-sigmoid5-s2',
      'landscape-sigmoid5-s3',
      'landscape-relu5-s1',
      'landscape-relu5-s2',
      'landscape-relu5-s3',
    ]);
    expect(new Set(plan.jobs.map((j) => j.id)).size).to.equal(plan.jobs.length);
  });

  it('is deterministic: two loads give the same jobs and fingerprint; other settings another fingerprint', () => {
    const a = articlePlan(load(standard));
    const b = articlePlan(load(standard));
    expect(b.jobs).to.deep.equal(a.jobs);
    expect(b.fingerprint).to.equal(a.fingerprint);
    const fewerEpochs = articlePlan(load(standard, { epochs: 1 }));
    expect(fewerEpochs.fingerprint).to.not.equal(a.fingerprint);
    expect(jobFingerprint(fewerEpochs.jobs[0])).to.not.equal(jobFingerprint(a.jobs[0]));
    const moreSeeds = articlePlan(load(standard, { seeds: 4 }));
    expect(moreSeeds.jobs.filter((j) => j.kind === 'train')).to.have.length(24);
    // A job is the same job whatever else the plan holds.
    expect(jobFingerprint(moreSeeds.jobs[0])).to.equal(jobFingerprint(a.jobs[0]));
  });

  describe('--shard k/n', () => {
    const plan: Plan = articlePlan(load(standard));
    // Without probes every run of one depth costs the same, and the depths nearly so (the first layer dominates).
    const trainOnly: Plan = articlePlan(load({ ...standard, landscape: { configs: [] } }));
    const configOf = (p: Plan) => (id: string) => p.jobs.flatMap((j) => (j.kind === 'train' && j.id === id ? [j.config] : []))[0];
    for (const n of [1, 2, 3, 4, 7, 30]) {
      it(`shards 1..${n} partition the plan, each with ${n > 1 ? 'an even share of the estimated cost' : 'everything'}`, () => {
        const shards = Array.from({ length: n }, (_, k) => selectShard(plan, { index: k + 1, count: n }));
        const ids = shards.flatMap((s) => s.map((j) => j.id));
        expect(ids).to.have.length(plan.jobs.length); // no job in two shards
        expect(new Set(ids)).to.deep.equal(new Set(plan.jobs.map((j) => j.id))); // every job in one
        // Balanced by cost: no shard has more than the lightest one plus the costliest run with its probes.
        const loads = shards.map((s) => s.reduce((sum, j) => sum + jobCost(j, configOf(plan)), 0));
        const unitCost = (j: Job): number =>
          plan.jobs
            .filter((o) => o.id === j.id || (o.kind === 'landscape' && o.trainId === j.id))
            .reduce((sum, o) => sum + jobCost(o, configOf(plan)), 0);
        const costliest = Math.max(...plan.jobs.filter((j) => j.kind === 'train').map(unitCost));
        expect(Math.max(...loads) - Math.min(...loads)).to.be.at.most(costliest * (1 + 1e-9));
        const plain = Array.from({ length: n }, (_, k) => selectShard(trainOnly, { index: k + 1, count: n }));
        const trainCounts = plain.map((s) => s.filter((j) => j.kind === 'train').length);
        expect(Math.max(...trainCounts) - Math.min(...trainCounts)).to.be.at.most(1);
        for (const s of shards) {
          // A probe is in the shard of the run it probes, so no shard waits for another.
          for (const probe of s.filter((j) => j.kind === 'landscape')) {
            expect(s.map((j) => j.id)).to.include(probe.kind === 'landscape' ? probe.trainId : '');
          }
        }
      });
    }

    it('gives the same share every time, in plan order', () => {
      const first = selectShard(plan, { index: 2, count: 3 }).map((j) => j.id);
      const again = selectShard(articlePlan(load(standard)), { index: 2, count: 3 }).map((j) => j.id);
      expect(again).to.deep.equal(first);
      const order = plan.jobs.map((j) => j.id);
      expect(first.map((id) => order.indexOf(id))).to.deep.equal([...first.map((id) => order.indexOf(id))].sort((a, b) => a - b));
    });

    it('parses k/n and rejects nonsense with one line naming --shard', () => {
      expect(parseShard('2/5')).to.deep.equal({ index: 2, count: 5 });
      expect(parseShard(' 1 / 1 ')).to.deep.equal({ index: 1, count: 1 });
      for (const bad of ['0/4', '5/4', '1/0', 'a/b', '3', '1/2/3', '-1/2']) {
        const msg = usageMessage(() => parseShard(bad));
        expect(msg).to.match(/^--shard: /);
        expect(msg).to.not.include('\n');
      }
    });
  });

  describe('configs/reproduce.json validation', () => {
    it('probes and records gradients of the 7-layer networks by default, when the sweep has them', () => {
      const none = load({ configs: ['sigmoid3', 'relu3'] });
      expect(none.settings.landscape.configs).to.deep.equal([]);
      expect(none.settings.gradients.configs).to.deep.equal([]);
    });

    it('names the file and field of a mistake', () => {
      const dir = configDir({ configs: ['sigmoid3'], landscape: { configs: ['relu7'] } });
      dirs.push(dir);
      const file = path.join(dir, 'reproduce.json');
      expect(usageMessage(() => loadReproduceConfig(file))).to.equal(
        `${file}: field "landscape.configs.0": "relu7" is not one of "configs"`,
      );
    });

    it('rejects unknown keys, duplicate configs and bad seeds', () => {
      const unknown = configDir({ configs: ['sigmoid3'], seed: 3 });
      const dup = configDir({ configs: ['sigmoid3', 'sigmoid3'], gradients: { configs: [] }, landscape: { configs: [] } });
      const seeds = configDir({ configs: ['sigmoid3'], seeds: 0, gradients: { configs: [] }, landscape: { configs: [] } });
      dirs.push(unknown, dup, seeds);
      expect(usageMessage(() => loadReproduceConfig(path.join(unknown, 'reproduce.json')))).to.match(/unknown key "seed"/);
      expect(usageMessage(() => loadReproduceConfig(path.join(dup, 'reproduce.json')))).to.match(
        /field "configs.1": "sigmoid3" is listed twice/,
      );
      expect(usageMessage(() => loadReproduceConfig(path.join(seeds, 'reproduce.json')))).to.match(/field "seeds"/);
    });

    it('says so when given a run config instead of a reproduce config', () => {
      const dir = configDir({ configs: ['sigmoid3'] });
      dirs.push(dir);
      const file = path.join(dir, 'sigmoid3.json');
      expect(usageMessage(() => loadReproduceConfig(file))).to.equal(
        `${file}: is a run config; reproduce needs a list of "configs" such as configs/reproduce.json (to train this one config: node dist/run.js --config ${file})`,
      );
    });

    it('fails on a missing run config before anything runs', () => {
      const dir = configDir({ configs: ['sigmoid3', 'tanh9'], gradients: { configs: [] }, landscape: { configs: [] } });
      dirs.push(dir);
      expect(usageMessage(() => loadReproduceConfig(path.join(dir, 'reproduce.json')))).to.equal(
        `${path.join(dir, 'tanh9.json')}: cannot read config: no such file`,
      );
    });

    it("the shipped configs/reproduce.json is valid and names the article's ten networks", () => {
      const settings = loadReproduceConfig('configs/reproduce.json').settings;
      expect(settings.configs).to.deep.equal([
        'sigmoid3',
        'sigmoid4',
        'sigmoid5',
        'sigmoid6',
        'sigmoid7',
        'relu3',
        'relu4',
        'relu5',
        'relu6',
        'relu7',
      ]);
      expect(settings.seeds).to.equal(10); // from the rules file (configs/rules/confirmatory.json: seeds 11-20)
      expect(settings.firstSeed).to.equal(11);
      expect(settings.landscape.configs).to.deep.equal(['sigmoid7', 'relu7']);
    });
  });
});
