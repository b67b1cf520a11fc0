/**
 * The search's stage sequence without running anything (searchStages, fed made-up outcomes):
 * the plans of stages A, B, audit, extend, B2 and D of the registered search are pinned by their
 * fingerprints, so that a change of the code cannot silently change a run config or a job id
 * (a search under way could then not be resumed); the distance to the article of
 * configs/rules/search.json on hand-made estimates; and the rules' fallback when no cell passes,
 * chosen on the validation accuracy of the screening seeds.
 */
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadSearchConfig } from '../src/search/config.js';
import { chooseCells, runKey, stageA, type Outcomes, type RunOutcome, type SearchRun, type Stage } from '../src/search/plan.js';
import { searchStages } from '../src/search/run-search.js';
import { cellDistance, DISTANCE_CAP, partDistance } from '../src/search/distance.js';
import { screenDistances, screenRows, stageDCells } from '../src/search/judge.js';
import type { ClaimResult } from '../src/reports/verdicts.js';
import { UsageError } from '../src/util/errors.js';
import { writeTinySearch } from './helpers/search-fixture.js';

const ROOT = path.resolve(import.meta.dirname, '..');

/** A made-up outcome, fixed by the run and the stage: the hardest network learns at some points, the rest mostly learns. */
function madeUp(run: SearchRun, stage: string, everyLearns = true): RunOutcome {
  const k = createHash('sha256')
    .update(`${stage}|${runKey(run)}|${run.variant}`)
    .digest()[0];
  let acc: number;
  if (!everyLearns && run.network.startsWith('relu')) acc = 0.55 + (k % 9) / 100;
  else if (stage === 'A')
    acc = ['xavier-gain4', 'uniform-1'].includes(run.cell.init.name) && run.learningRate >= 0.1 && run.seed === 2001 ? 0.7 : 0.5;
  else if (stage === 'audit') acc = 0.7;
  else if (stage === 'extend') acc = run.learningRate === 0.03 ? 0.68 : 0.52;
  else acc = 0.66 + (k % 20) / 100;
  const learned = acc >= 0.65;
  return {
    run,
    stopReason: learned ? 'patience' : 'stalled',
    valAccuracy: acc,
    bestValLoss: 0.3 - acc / 4 + (k % 7) / 1000,
    finalValAccuracy: acc,
    learned,
  };
}

describe('search stages: the registered search on made-up outcomes', () => {
  const config = loadSearchConfig(path.join(ROOT, 'configs', 'search.json'), false);

  async function walk(everyLearns: boolean) {
    const seen: Stage[] = [];
    const found = await searchStages(config, async (stage) => {
      seen.push(stage);
      return stage.plan.jobs.map((job) => madeUp(stage.byJob.get(job.id)!, stage.name, everyLearns));
    });
    if (!found.done) throw new Error('the made-up search did not finish');
    return { found, seen };
  }

  it("every stage's plan is the one the search was started with: its fingerprint and job count are pinned", async () => {
    const { found, seen } = await walk(true);
    // Computed with the search as it was when the real search started; a change here breaks resuming it.
    expect(seen.map((s) => `${s.name} ${s.plan.jobs.length} ${s.plan.fingerprint}`)).to.deep.equal([
      'A 224 0089eeb168bbaeabb4fbf3ab13255d2b5fae3a49c76c6c3861e36fb18c8fbe57',
      'B 752 0f03cead902bc9f3a342e6b30147bcdaaa5c461905bf5cc4a536060deed2f981',
      'audit 6 ca6f8febb6a05b866664543a24014ed7d1065be1ceee14e5e803196c8dd4a5ec',
      'extend 44 e646f28d7d5b47b1e1ad7c9a934bdcd4f7718970713388adbd81123f2981f0d1',
      'B2 212 aa9fe8027228b77e8960dd42bef5b9c8dfe0b45394827543357f52f900c0efd0',
      'D 350 85c6123043563d7047f40c6608f31852fa822a78e95fa1d0dcce858e08c1cd04',
    ]);
    expect(found.fallback).to.equal(false);
    expect(found.promoted.map((p) => `${p.cell.id} ${p.arm}`)).to.deep.equal([
      'b1-uniform-0.5-lw one-rate',
      'b1-uniform-0.5-lw per-activation',
      'b1-uniform-fan-in-lw one-rate',
      'b1-xavier-gain4-zero one-rate',
    ]);
  });

  it("each stage counts its runs that repeat a run which had already learned: the audit's pool, read at the last epoch, holds runs that learned and fell", async () => {
    // Stage A's runs that learn end at 50 % on the last epoch, so they enter the audit's pool, and the nearest are among them.
    const fell = (run: SearchRun, stage: string): RunOutcome => {
      const o = madeUp(run, stage);
      return stage === 'A' && o.learned ? { ...o, finalValAccuracy: 0.5 } : o;
    };
    const screen = new Map<string, RunOutcome>();
    let audited: SearchRun[] = [];
    const found = await searchStages(config, async (stage) => {
      const outs = stage.plan.jobs.map((job) => fell(stage.byJob.get(job.id)!, stage.name));
      if (stage.name === 'A' || stage.name === 'B') for (const o of outs) screen.set(runKey(o.run), o);
      if (stage.name === 'audit') audited = outs.map((o) => o.run);
      return outs;
    });
    const row = (name: string) => found.stages.find((s) => s.stage === name)!;
    expect([row('A').learned_before, row('B').learned_before]).to.deep.equal([0, 0]);
    const before = audited.filter((r) => screen.get(runKey(r))!.learned).length;
    expect(before, 'the nearest are runs that had learned').to.be.at.least(config.rules.audit.nearestThreshold);
    expect(row('audit').learned_before).to.equal(before);
    expect(row('audit').learned).to.equal(audited.length);
  });

  it('when no cell passes, the two nearest by the distance on the screening seeds (validation accuracy) are promoted', async () => {
    const { found } = await walk(false);
    expect(found.choices.some((c) => c.passed)).to.equal(false);
    expect(found.fallback).to.equal(true);
    expect(found.promoted).to.have.length(2);
    // The two smallest distances among the candidates that have a rate for every network, in grid order on a tie.
    const runnable = found.screen.filter((s) => config.rules.networks.every((n) => s.choice.rates.has(n)));
    const sorted = [...runnable].sort((a, b) => a.distance.distance - b.distance.distance);
    expect(found.promoted.map((p) => found.screen.find((s) => s.choice === p)!.distance.distance)).to.deep.equal(
      sorted.slice(0, 2).map((s) => s.distance.distance),
    );
    // Stage D runs them on the promoted seeds.
    expect(new Set(found.judged.map((o) => o.run.seed))).to.deep.equal(new Set(config.rules.seeds.promoted));
    // The distance reads the validation accuracy: the rows carry it as the accuracy, and no test figure exists.
    const rows = screenRows(config, found.outcomes, found.promoted[0]);
    expect(rows).to.have.length(config.rules.networks.length * 2);
    for (const row of rows) {
      const o = found.outcomes.get(
        runKey({
          network: row.config,
          cell: found.promoted[0].cell,
          learningRate: row.learning_rate ?? found.promoted[0].rates.get(row.config)!,
          seed: row.seed,
        }),
      )!;
      expect([row.test_acc, row.val_acc]).to.deep.equal([o.valAccuracy, o.valAccuracy]);
    }
    // Where cells pass, the fallback does not act.
    const passing = (await walk(true)).found;
    expect(stageDCells(config, passing.choices, passing.screen).fallback).to.equal(false);
  });

  it('a cell where only the hardest network ran, at chance, is at the cap on every claim', () => {
    const outcomes: Outcomes = new Map();
    for (const stage of [stageA(config)])
      for (const run of stage.runs) outcomes.set(runKey(run), { ...madeUp(run, 'A'), valAccuracy: 0.5, learned: false });
    const screen = screenDistances(config, outcomes, chooseCells(config, outcomes));
    expect(screen).to.have.length(32);
    for (const s of screen) expect(s.distance.claims.map((c) => c.distance)).to.deep.equal([3, 3, 3, 3]);
    // Nothing passes, and the one-rate arm (a rate for every network) is promoted: grid order on the tie.
    const { promoted, fallback } = stageDCells(
      config,
      screen.map((s) => s.choice),
      screen,
    );
    expect(fallback).to.equal(true);
    expect(promoted.map((p) => `${p.cell.id} ${p.arm}`)).to.deep.equal([
      'b1-uniform-fan-in-zero one-rate',
      'b1-uniform-fan-in-lw one-rate',
    ]);
  });
});

describe('search distance (configs/rules/search.json "distance")', () => {
  it('a rules file naming a claim the distance has no region for is one line naming the field', () => {
    const tiny = writeTinySearch();
    try {
      const file = path.join(tiny.root, 'configs', 'rules', 'search.json');
      const rules = JSON.parse(readFileSync(file, 'utf8'));
      writeFileSync(file, JSON.stringify({ ...rules, distance: { claims: ['accuracy-level', 'landscape-shape'] } }));
      expect(() => loadSearchConfig(tiny.configFile, false)).to.throw(
        UsageError,
        /search\.json: field "distance\.claims\.1": expected one of accuracy-level, depth-effect, best-depth, sigmoid-vs-relu/,
      );
    } finally {
      rmSync(tiny.root, { recursive: true, force: true });
    }
  });

  it('a part: 0 inside its region, else to the nearest edge in margins; no estimate is the cap', () => {
    expect(partDistance('accuracy-level', 'typical', 0.7)).to.equal(0);
    expect(partDistance('accuracy-level', 'typical', 0.6)).to.be.closeTo((0.655 - 0.6) / 0.045, 1e-12);
    expect(partDistance('accuracy-level', 'best', 0.8)).to.be.closeTo((0.8 - 0.765) / 0.045, 1e-12);
    expect(partDistance('depth-effect', 'sigmoid', -0.09)).to.be.closeTo(2, 1e-12);
    // Claim 3: the smallest claimed - rival, plus the margin 0.01.
    expect(partDistance('best-depth', 'sigmoid', -0.005)).to.equal(0);
    expect(partDistance('best-depth', 'relu', -0.03)).to.be.closeTo(2, 1e-12);
    expect(partDistance('sigmoid-vs-relu', 'sigmoid-relu', 0.08)).to.be.closeTo(0.6, 1e-12);
    expect(partDistance('sigmoid-vs-relu', 'sigmoid-relu', -0.1)).to.be.closeTo(2, 1e-12);
    expect(partDistance('depth-effect', 'relu', Number.NaN)).to.equal(DISTANCE_CAP);
  });

  it('a claim: the mean over its parts, capped; a cell: the mean over the claims, each weighing the same', () => {
    const claim = (id: string, number: number, parts: [string, number][]): ClaimResult =>
      ({
        id,
        number,
        parts: parts.map(([part, value]) => ({ part, estimate: { value, low: value, high: value, n: 10 } })),
      }) as unknown as ClaimResult;
    const d = cellDistance(
      [
        claim('accuracy-level', 1, [
          ['typical', 0.7],
          ['best', 0.72 - 0.045 - 0.09],
        ]), // 0 and 2: 1
        claim('depth-effect', 2, [
          ['sigmoid', 0.5],
          ['relu', 0],
        ]), // 15.67 and 0: capped at 3
        claim('best-depth', 3, [
          ['sigmoid', 0],
          ['relu', Number.NaN],
        ]), // 0 and the cap: 1.5
        claim('sigmoid-vs-relu', 4, [['sigmoid-relu', 0.02]]), // 0
      ],
      ['accuracy-level', 'depth-effect', 'best-depth', 'sigmoid-vs-relu'],
    );
    expect(d.claims.map((c) => Number(c.distance.toFixed(9)))).to.deep.equal([1, 3, 1.5, 0]);
    expect(d.claims.map((c) => c.estimated)).to.deep.equal([2, 2, 1, 1]);
    expect(d.distance).to.be.closeTo(5.5 / 4, 1e-12);
  });
});
