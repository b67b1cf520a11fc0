/**
 * The report's verdicts, on hand-made summaries: one world that agrees with the article, one
 * that contradicts it, one where the differences drown in the seeds' noise. The verdicts must
 * follow the data, so the same code has to give all three answers.
 */
import { expect } from 'chai';
import { statsOf, type SummaryRow } from '../src/reports/summary.js';
import type { LandscapeRecord } from '../src/reproduce/store.js';
import type { LayerGradientStat } from '../src/nn/gradient-stats.js';
import {
  judgeClaims,
  judgeTypicalAccuracy,
  judgeDepthEffect,
  judgeBestDepth,
  judgeSigmoidVsRelu,
  judgeLandscape,
  judgeVanishingGradient,
  curveShape,
  combine,
  type GradientRun,
} from '../src/reports/report-claims.js';
import { renderMarkdown, disagreementSentence } from '../src/reports/report-md.js';
import { renderHtml } from '../src/reports/report-html.js';
import type { ReportData } from '../src/reports/report-data.js';
import { describeCurve } from '../src/probes/landscape-shape.js';

function row(activation: string, layers: number, testBySeed: number[]): SummaryRow {
  const s = statsOf(testBySeed);
  return {
    config: `${activation}${layers}`,
    activation,
    layers,
    hidden: Array.from({ length: layers - 2 }, () => 10),
    seeds: testBySeed.map((_, i) => i + 1),
    epochs: 30,
    test: s,
    bestTest: statsOf(testBySeed.map((v) => v + 0.01)),
    bestEpochMean: 12,
    train: statsOf(testBySeed.map((v) => v + 0.1)),
    seconds: statsOf(testBySeed.map(() => 10)),
    secondsTotal: 10 * testBySeed.length,
    testBySeed,
  };
}

/** Three seeds around `mean`, spread by +-spread. */
function seeds(mean: number, spread: number): number[] {
  return [mean - spread, mean, mean + spread];
}

/** The article's world: ~70 %, best Sigmoid 5 layers, best ReLU 6, Sigmoid 1 point ahead, small noise. */
const ARTICLE_LIKE: SummaryRow[] = [
  ...[
    [3, 0.695],
    [4, 0.705],
    [5, 0.72],
    [6, 0.705],
    [7, 0.7],
  ].map(([d, m]) => row('sigmoid', d, seeds(m, 0.002))),
  ...[
    [3, 0.685],
    [4, 0.69],
    [5, 0.695],
    [6, 0.71],
    [7, 0.69],
  ].map(([d, m]) => row('relu', d, seeds(m, 0.002))),
];

/** A world against the article: 80 %, depth matters a lot, best at 3 layers, ReLU clearly ahead. */
const CONTRARY: SummaryRow[] = [
  ...[
    [3, 0.8],
    [4, 0.76],
    [5, 0.72],
    [6, 0.68],
    [7, 0.6],
  ].map(([d, m]) => row('sigmoid', d, seeds(m, 0.002))),
  ...[
    [3, 0.86],
    [4, 0.85],
    [5, 0.84],
    [6, 0.83],
    [7, 0.82],
  ].map(([d, m]) => row('relu', d, seeds(m, 0.002))),
];

/** The article's means, but seeds scattered +-4 points: nothing can be told apart. */
const NOISY: SummaryRow[] = ARTICLE_LIKE.map((r) => row(r.activation, r.layers, seeds(r.test.mean, 0.04)));

function grid(lo: number, hi: number, n: number): number[] {
  return Array.from({ length: n }, (_, i) => lo + ((hi - lo) * i) / (n - 1));
}

function landscape(activation: string, seed: number, loss: (w: number) => number): LandscapeRecord {
  const values = grid(-10, 10, 81);
  const losses = values.map(loss);
  // Where the minimum lies is judged by the probe's own code, as in a real sweep.
  const shape = describeCurve(
    values,
    losses,
    losses.map(() => 0),
  );
  return {
    kind: 'landscape',
    id: `landscape-${activation}7-s${seed}`,
    configName: `${activation}7`,
    seed,
    trainId: `${activation}7-s${seed}`,
    fingerprint: 'x',
    activation,
    hidden: [150, 100, 50, 30, 15],
    examples: 'training set',
    seconds: 1,
    host: 'h',
    finishedAt: '',
    versions: { node: '', tfjs: '', project: '' },
    series: [{ weightI: 3, weightJ: 4, original: 0.1, values, losses, minimum: shape.minimum, monotone: shape.monotone }],
    check: { relative: 0.001, tolerance: 0.05, passed: true, where: '' },
  };
}

const bowl = (w: number) => 0.2 + 0.001 * (w - 1.5) ** 2; // ReLU-like: a minimum inside
const sigmoidTail = (w: number) => 0.2 + 0.05 / (1 + Math.exp(w)); // falls and levels off towards +10

function gradients(activation: string, seed: number, first: number, last: number): GradientRun {
  const rows: LayerGradientStat[] = [];
  for (const epoch of [0, 1, 2]) {
    for (let layer = 1; layer <= 6; layer++) {
      const meanAbs = first * (last / first) ** ((layer - 1) / 5);
      rows.push({ epoch, layer, fanIn: 10, fanOut: 10, meanAbs, l2: meanAbs * 10 });
    }
  }
  return { configName: `${activation}7`, activation, layers: 7, seed, gradients: rows };
}

describe('report verdicts', () => {
  it('a run like the article agrees with claims 1-4', () => {
    const claims = [
      judgeTypicalAccuracy(ARTICLE_LIKE),
      judgeDepthEffect(ARTICLE_LIKE),
      judgeBestDepth(ARTICLE_LIKE),
      judgeSigmoidVsRelu(ARTICLE_LIKE),
    ];
    expect(claims.map((c) => c.verdict)).to.deep.equal(['agrees', 'agrees', 'agrees', 'agrees']);
    expect(claims[2].measured).to.equal('Sigmoid best at 5 layers; ReLU best at 6 layers.');
  });

  it('a run against the article contradicts claims 1-4, and says by how much', () => {
    const claims = [judgeTypicalAccuracy(CONTRARY), judgeDepthEffect(CONTRARY), judgeBestDepth(CONTRARY), judgeSigmoidVsRelu(CONTRARY)];
    expect(claims.map((c) => c.verdict)).to.deep.equal(['contradicts', 'contradicts', 'contradicts', 'contradicts']);
    expect(claims[1].evidence[0]).to.match(
      /Sigmoid: depth means range from 60\.0 % \(7 layers\) to 80\.0 % \(3 layers\), a spread of 20\.0 points/,
    );
    expect(claims[3].measured).to.match(/^ReLU ahead by 12\.8 points on average over 5 depths \(Sigmoid ahead at 0 of 5\)/);
  });

  it('differences within the spread over seeds are inconclusive, not confirmations', () => {
    expect(judgeBestDepth(NOISY).verdict).to.equal('inconclusive');
    expect(judgeSigmoidVsRelu(NOISY).verdict).to.equal('inconclusive');
    expect(judgeSigmoidVsRelu(NOISY).evidence[0]).to.match(/not larger than the spread over seeds/);
    // Depth spreads of 2.5 points are "little" either way.
    expect(judgeDepthEffect(NOISY).verdict).to.equal('agrees');
  });

  it('with a single seed nothing can be shown to exceed the noise', () => {
    const single = ARTICLE_LIKE.map((r) => row(r.activation, r.layers, [r.test.mean]));
    expect(judgeBestDepth(single).verdict).to.equal('inconclusive');
    expect(judgeSigmoidVsRelu(single).verdict).to.equal('inconclusive');
    expect(judgeSigmoidVsRelu(single).evidence[0]).to.match(/cannot be judged with a single seed/);
  });

  it('an article depth missing from the sweep is "not measured"', () => {
    const shallow = ARTICLE_LIKE.filter((r) => r.layers <= 4);
    expect(judgeBestDepth(shallow).verdict).to.equal('not measured');
  });

  describe('the landscape (claim 5)', () => {
    it('classifies curve shapes', () => {
      const v = grid(-10, 10, 81);
      expect(curveShape(v, v.map(bowl))).to.equal('interior minimum');
      expect(curveShape(v, v.map(sigmoidTail))).to.equal('levels off');
      expect(
        curveShape(
          v,
          v.map((w) => 1 - 0.01 * w),
        ),
      ).to.equal('monotone, still falling');
      expect(
        curveShape(
          v,
          v.map(() => 0.25),
        ),
      ).to.equal('flat');
      // Mirrored: falling towards the left end.
      expect(
        curveShape(
          v,
          v.map((w) => sigmoidTail(-w)),
        ),
      ).to.equal('levels off');
      // A switched-off ReLU unit: a plateau with a rounding ripple, then a rise. Even when the
      // probe calls the ripple a minimum inside, it is no bowl.
      const plateau = v.map((w, k) => (w < 0 ? 0.178 + (k === 20 ? -1e-7 : 0) : 0.178 + 0.001 * w * w));
      expect(curveShape(v, plateau, 'inside')).to.equal('levels off');
      expect(curveShape(v, v.map(bowl), 'inside')).to.equal('interior minimum');
    });

    it('agrees when ReLU curves have an inner minimum and Sigmoid curves level off; contradicts when swapped', () => {
      const article = [
        landscape('relu', 1, bowl),
        landscape('relu', 2, bowl),
        landscape('sigmoid', 1, sigmoidTail),
        landscape('sigmoid', 2, sigmoidTail),
      ];
      expect(judgeLandscape(article).verdict).to.equal('agrees');
      const swapped = [landscape('relu', 1, sigmoidTail), landscape('sigmoid', 1, bowl)];
      expect(judgeLandscape(swapped).verdict).to.equal('contradicts');
      const mixed = [landscape('relu', 1, bowl), landscape('relu', 2, sigmoidTail), landscape('sigmoid', 1, sigmoidTail)];
      const m = judgeLandscape(mixed);
      expect(m.verdict).to.equal('partly agrees');
      expect(m.measured).to.match(/ReLU: 1 of 2 curves have an interior minimum/);
      expect(judgeLandscape([]).verdict).to.equal('not measured');
    });
  });

  describe('the vanishing gradient (claim 6)', () => {
    it('agrees when the first layer gets >= 10x less than the last, in every seed', () => {
      const r = judgeVanishingGradient([
        gradients('sigmoid', 1, 1e-5, 1e-2),
        gradients('sigmoid', 2, 2e-5, 1e-2),
        gradients('relu', 1, 1e-3, 2e-3),
      ]);
      expect(r.verdict).to.equal('agrees');
      expect(r.evidence[1]).to.match(/ReLU 7 layers: 2\.00x to 2\.00x/);
    });

    it('partly agrees when smaller but not 10x; contradicts when the first layer gets more', () => {
      expect(judgeVanishingGradient([gradients('sigmoid', 1, 1e-3, 3e-3)]).verdict).to.equal('partly agrees');
      expect(judgeVanishingGradient([gradients('sigmoid', 1, 1e-2, 1e-3)]).verdict).to.equal('contradicts');
      expect(judgeVanishingGradient([gradients('relu', 1, 1e-2, 1e-3)]).verdict).to.equal('not measured');
    });
  });

  it('combines parts of a claim', () => {
    expect(combine(['agrees', 'agrees'])).to.equal('agrees');
    expect(combine(['agrees', 'contradicts'])).to.equal('partly agrees');
    expect(combine(['inconclusive', 'contradicts'])).to.equal('contradicts');
    expect(combine(['agrees', 'inconclusive'])).to.equal('partly agrees');
    expect(combine(['inconclusive', 'not measured'])).to.equal('inconclusive');
    expect(combine(['not measured'])).to.equal('not measured');
  });

  describe('the report text', () => {
    const data = (rows: SummaryRow[]): ReportData => ({
      title: 'Test report <&>',
      generatedAt: '2026-01-01T00:00:00.000Z',
      source: 'configs/reproduce.json',
      command: 'node dist/run.js reproduce',
      claims: judgeClaims({ rows, landscape: [], gradients: [] }),
      rows,
      settings: ['epochs 30', 'learning rate 0.1'],
      environment: {
        backend: 'wasm',
        engine: 'tfjs',
        versions: 'v',
        machine: 'm',
        wallTime: '1 min',
        computeTime: '2 min',
        dataSource: 'cache',
      },
      charts: [],
      notes: [],
    });

    it('says a contradiction plainly and names the settings; says nothing of the kind when the run agrees', () => {
      const contrary = renderMarkdown(data(CONTRARY), '/tmp');
      expect(contrary).to.include('**CONTRADICTS the article**');
      expect(contrary).to.include('This run contradicts the article on this claim, with these settings: epochs 30; learning rate 0.1.');
      const agreeing = renderMarkdown(data(ARTICLE_LIKE), '/tmp');
      expect(agreeing).to.not.include('CONTRADICTS');
      expect(agreeing).to.not.include('This run contradicts');
      const verdict1 = data(ARTICLE_LIKE).claims[0];
      expect(disagreementSentence(verdict1, ['x'])).to.equal(null);
    });

    it('renders escaped, self-contained HTML that loads nothing from elsewhere', () => {
      const html = renderHtml(data(CONTRARY));
      expect(html).to.include('<title>Test report &lt;&amp;&gt;</title>');
      expect(html).to.include('Content-Security-Policy" content="default-src \'none\'; img-src data:');
      expect(html).to.not.match(/(src|href)="(https?:)?\/\//);
      // Two header rows, six claims, one row per configuration.
      expect(html.match(/<tr>/g)?.length).to.equal(2 + 6 + CONTRARY.length);
    });
  });
});
