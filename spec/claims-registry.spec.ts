/**
 * The claims as units: the registry numbers them by its order, everything else names them by id,
 * and a claim whose runs-table columns are missing is not measured without its judge saying so.
 */
import { expect } from 'chai';
import { defineClaim } from '../src/reports/claims/claim.js';
import { claimNumber, isPrimary, judgeClaims, judgedParts, judgeEach, MARGINS } from '../src/reports/claims/registry.js';
import { methodText } from '../src/reports/report-data.js';
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

  it('counts the judged parts and the primary ones, and says what chance alone does to so many parts', () => {
    const claims = judgeClaims(syntheticRuns({ accuracy: ACCURACY, seeds: 5, noise: 0.002, valNoise: 0.001 }), MARGINS);
    expect(isPrimary('accuracy-level', 'typical')).to.equal(true);
    expect(isPrimary('accuracy-level', 'best')).to.equal(false);
    expect(isPrimary('depth-effect', 'relu')).to.equal(true);
    expect(isPrimary('best-depth', 'sigmoid')).to.equal(false);
    // Claims 1-4 are measured (2 + 2 + 2 + 1 parts); the probe claims are not, so they do not count.
    expect(judgedParts(claims)).to.deep.equal({ judged: 7, primary: 4 });
    const text = methodText(MARGINS, claims).join(' ');
    expect(text).to.include('judged 7 parts, 4 of them primary (claim 1 typical, claim 2, claim 4');
    expect(text).to.include('about 1 in 20 judged parts may land outside');
  });

  it('prints the failed runs beside claims 1-4 and judges claims 2-4 again on the seeds where every network learned', () => {
    const runs = syntheticRuns({ accuracy: ACCURACY, seeds: 5, noise: 0.002, valNoise: 0.001 });
    const clean = judgeClaims(runs, MARGINS);
    expect(clean[0].evidence).to.include('Failed runs (validation accuracy at the chosen epoch below 65.0 %): none of the 50.');
    expect(clean[1].evidence).to.include('Secondary, on the seeds where every network learned: all 5 seeds, so it is the analysis above.');
    expect(clean[0].evidence.some((e) => e.startsWith('Secondary'))).to.equal(false);
    // relu7 fails on seed 2 and sigmoid3 on seed 4: the secondary analysis keeps seeds 1, 3 and 5.
    const failing = runs.map((r) =>
      (r.config === 'relu7' && r.seed === 2) || (r.config === 'sigmoid3' && r.seed === 4) ? { ...r, val_acc: 0.5 } : r,
    );
    const judged = judgeClaims(failing, MARGINS);
    for (const c of judged.slice(0, 4))
      expect(c.evidence).to.include(
        'Failed runs (validation accuracy at the chosen epoch below 65.0 %): 2 of 50: relu7 (seed 2), sigmoid3 (seed 4).',
      );
    const secondary = judged[3].evidence.find((e) => e.startsWith('Secondary'))!;
    const kept = judgeClaims(
      runs.filter((r) => [1, 3, 5].includes(r.seed)),
      MARGINS,
    )[3].parts[0];
    expect(secondary).to.match(
      /^Secondary, on the seeds where every network learned \(3 of 5: seeds 1, 3, 5; t over seeds\): sigmoid-relu /,
    );
    expect(secondary).to.include(`sigmoid-relu ${(100 * kept.estimate.value).toFixed(1)} [${(100 * kept.estimate.low).toFixed(1)}, `);
    expect(secondary).to.include(`points, ${kept.verdict}; the claim ${kept.verdict}.`);
  });
});
