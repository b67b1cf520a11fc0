/**
 * The explain experiment's plan: the shipped config, the variants x depths as study networks
 * (family = variant, the article's hidden prefixes), one learning-rate grid for all, the shards.
 */
import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parseExplainConfig, VARIANT_NAMES, type ExplainConfig } from '../src/explain/config.js';
import { variantStudyPlan, variantsOfShard } from '../src/explain/plan.js';
import { UsageError } from '../src/util/errors.js';

const raw = (): Record<string, unknown> => JSON.parse(readFileSync('configs/explain.json', 'utf8')) as Record<string, unknown>;
const shipped = (): ExplainConfig => parseExplainConfig(raw(), 'configs/explain.json');

describe('explain: plan', () => {
  it('the shipped config: six variants x 3..7 layers, He, batch 32, one grid, at least 5 seeds', () => {
    const c = shipped();
    expect(c.variants).to.deep.equal(['sigmoid', 'relu', 'relu-clipped', 'relu-scaled', 'sigmoid-reachable', 'sigmoid-normalised']);
    // Every variant but the forward-matched control, which configs/explain-matched.json runs in relu-scaled's place.
    expect(c.variants).to.have.members(VARIANT_NAMES.filter((v) => v !== 'relu-scaled-matched'));
    expect(c.layers).to.deep.equal([3, 4, 5, 6, 7]);
    expect(c.hidden).to.deep.equal([150, 100, 50, 30, 15]);
    expect(c.batchSize).to.equal(32);
    expect(c.init.scheme).to.equal('he');
    expect(c.seeds).to.be.at.least(5);
  });

  it('each variant is a study of its depths: family = variant, hidden prefixes, its activation and training changes', () => {
    const c = shipped();
    const plans = c.variants.map((v) => variantStudyPlan(c, v, '/tmp/explain-plan-spec'));
    for (const p of plans) {
      expect(p.networks.map((n) => n.name)).to.deep.equal(c.layers.map((l) => `${p.variant}${l}`));
      expect(new Set(p.networks.map((n) => n.family))).to.deep.equal(new Set([p.variant]));
      expect(p.networks.map((n) => n.config.hidden)).to.deep.equal([
        [150],
        [150, 100],
        [150, 100, 50],
        [150, 100, 50, 30],
        [150, 100, 50, 30, 15],
      ]);
      expect(p.groups.map((g) => [g.id, g.arms])).to.deep.equal([['b32-he', ['tuned']]]);
      expect(p.config.perBatch['32'].learningRates).to.deep.equal(c.learningRates);
      expect(p.config.perBatch['32'].epochs).to.equal(c.epochs);
      expect(p.outDir).to.equal(`/tmp/explain-plan-spec/variants/${p.variant}`);
    }
    const net = (variant: string) => plans.find((p) => p.variant === variant)!.networks[4].config;
    expect(net('relu-clipped').activation).to.equal('relu-clipped');
    expect(net('relu-scaled').activation).to.equal('relu-scaled');
    expect(net('sigmoid-reachable').activation).to.equal('sigmoid');
    expect(net('sigmoid-reachable').targets).to.deep.equal({ positive: 0.9, negative: 0.1 });
    expect(net('sigmoid-normalised').gradientNormalisation).to.equal('layer');
    expect(net('sigmoid').targets).to.deep.equal({ positive: 1, negative: 0 });
    expect(net('sigmoid').gradientNormalisation).to.equal('none');
  });

  it('overrides shrink the experiment; mistakes name their field', () => {
    const c = parseExplainConfig(raw(), 'x.json', { seeds: 2, epochs: 1, trainPerClass: 50, testPerClass: 20 });
    expect([c.seeds, c.epochs, c.trainPerClass, c.testPerClass]).to.deep.equal([2, 1, 50, 20]);
    expect(() => parseExplainConfig({ ...raw(), layers: [3, 8] }, 'x.json')).to.throw(
      UsageError,
      /layers\.1.*8 layers need 6 hidden widths/,
    );
    expect(() => parseExplainConfig({ ...raw(), variants: ['sigmoid', 'sigmoid'] }, 'x.json')).to.throw(UsageError, /variants/);
    expect(() => parseExplainConfig({ ...raw(), variants: ['tanh'] }, 'x.json')).to.throw(UsageError, /variants/);
    expect(() => parseExplainConfig({ ...raw(), seeds: 1 }, 'x.json')).to.throw(UsageError, /seeds/);
  });

  it('shards: every variant in exactly one shard', () => {
    const all = shipped().variants;
    for (const count of [1, 2, 4, 6, 7]) {
      const got = Array.from({ length: count }, (_, k) => variantsOfShard(shipped(), { index: k + 1, count })).flat();
      expect([...got].sort()).to.deep.equal([...all].sort());
    }
  });
});
