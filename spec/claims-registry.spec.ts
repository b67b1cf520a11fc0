/**
 * The claims as units: the registry numbers them by its order, everything else names them by id,
 * and a claim whose runs-table columns are missing is not measured without its judge saying so.
 */
import { expect } from 'chai';
import { defineClaim } from '../src/reports/claims/claim.js';
import { claimNumber, judgeClaims, judgeEach, MARGINS } from '../src/reports/claims/registry.js';
import { syntheticRuns } from './helpers/synthetic-runs.js';

const ACCURACY = (a: 'sigmoid' | 'relu', layers: number) => (a === 'sigmoid' ? 0.7 : 0.69) + 0.001 * layers;

describe('claims registry', () => {
  it('numbers the claims by its order; ids are unique and an unknown id fails at once', () => {
    const claims = judgeClaims(syntheticRuns({ accuracy: ACCURACY, seeds: 3, noise: 0.002 }), MARGINS);
    expect(claims.map((c) => c.id)).to.deep.equal([
      'accuracy-level',
      'depth-effect',
      'best-depth',
      'sigmoid-vs-relu',
      'landscape-shape',
      'vanishing-gradient',
      'needs-two',
      'asymptote',
    ]);
    expect(claims.map((c) => c.number)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8]);
    for (const c of claims) expect(claimNumber(c.id)).to.equal(c.number);
    expect(() => claimNumber('no-such-claim')).to.throw(/no claim "no-such-claim"/);
  });

  it('a claim defined alone is judged, and is not measured when the runs lack its columns, whatever its judge says', () => {
    const always = defineClaim({
      id: 'always-agrees',
      group: 'results',
      sentence: 'Every probed network has curves.',
      articleJa: { text: '調べたどのネットワークにも曲線がある', verbatim: false },
      columns: ['landscape_curves'],
      margins: { least: { value: 1, alternatives: [2], text: (v) => `at least ${v}` } },
      judge: (runs, margins) => ({
        parts: [
          {
            part: 'all',
            statistic: `networks with at least ${margins.least} curve`,
            estimate: { value: runs.length, low: runs.length, high: runs.length, n: runs.length },
            region: '> 0',
            unit: 'share',
            verdict: 'agrees',
          },
        ],
        evidence: [`${runs.length} runs judged`],
      }),
    });
    const plain = syntheticRuns({ accuracy: ACCURACY, seeds: 2, noise: 0.002 });
    const probed = syntheticRuns({ accuracy: ACCURACY, seeds: 2, noise: 0.002, interiorShare: () => 0.5 });
    const [without] = judgeEach([always], plain, { least: 1 });
    expect(without.verdict).to.equal('not measured');
    expect(without.parts.map((p) => [p.part, p.verdict, p.estimate.n])).to.deep.equal([['all', 'not measured', 0]]);
    expect(without.evidence).to.deep.equal(['0 runs judged']);
    const [withColumns] = judgeEach([always], probed, { least: 1 });
    expect(withColumns.verdict).to.equal('agrees');
    expect(withColumns.number).to.equal(1);
  });

  it("the article's probe claims, without their columns, keep their parts' names and are not measured", () => {
    const plain = judgeClaims(syntheticRuns({ accuracy: ACCURACY, seeds: 3, noise: 0.002 }), MARGINS);
    const part = (id: string) => plain.find((c) => c.id === id)!;
    expect(part('landscape-shape').parts.map((p) => p.part)).to.deep.equal(['relu', 'sigmoid', 'relu-sigmoid']);
    expect(part('vanishing-gradient').parts.map((p) => p.part)).to.deep.equal(['sigmoid-init', 'sigmoid-trained', 'sigmoid-relu-init']);
    for (const id of ['landscape-shape', 'vanishing-gradient', 'needs-two', 'asymptote']) {
      expect(part(id).verdict, id).to.equal('not measured');
      expect(part(id).parts.every((p) => p.verdict === 'not measured')).to.equal(true);
    }
  });
});
