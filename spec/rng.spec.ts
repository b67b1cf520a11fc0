import { expect } from 'chai';
import { Rng } from '../src/util/rng.js';
import { initParams } from '../src/nn/params.js';

describe('Rng', () => {
  it('gives the same sequence for the same seed and label, and different ones otherwise', () => {
    const a = Rng.stream(7, 'init');
    const b = Rng.stream(7, 'init');
    const c = Rng.stream(7, 'shuffle');
    const d = Rng.stream(8, 'init');
    const seqA = Array.from({ length: 5 }, () => a.nextUint32());
    expect(Array.from({ length: 5 }, () => b.nextUint32())).to.deep.equal(seqA);
    expect(Array.from({ length: 5 }, () => c.nextUint32())).to.not.deep.equal(seqA);
    expect(Array.from({ length: 5 }, () => d.nextUint32())).to.not.deep.equal(seqA);
  });

  it('draws uniforms in [0,1) with the right mean and normals with unit variance', () => {
    const r = new Rng(123);
    let sum = 0;
    let sumSq = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      const u = r.uniform();
      expect(u).to.be.at.least(0).and.below(1);
      sum += u;
      const z = r.normal();
      sumSq += z * z;
    }
    expect(sum / n).to.be.closeTo(0.5, 0.01);
    expect(sumSq / n).to.be.closeTo(1, 0.03);
  });

  it('permutes without losing or repeating an index', () => {
    const p = new Rng(5).permutation(1000);
    expect(Array.from(p).sort((x, y) => x - y)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(p.subarray(0, 10))).to.not.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('initParams', () => {
  it("draws weights in the [fanIn, fanOut] layout within each scheme's bounds, biases zero, deterministically", () => {
    const sizes = [20, 8, 1];
    const p = initParams(sizes, { scheme: 'xavier' }, 3);
    expect(p.weights.map((w) => w.length)).to.deep.equal([160, 8]);
    expect(p.biases.map((b) => b.length)).to.deep.equal([8, 1]);
    const bound = Math.sqrt(6 / 28);
    for (const w of p.weights[0]) expect(Math.abs(w)).to.be.at.most(bound);
    expect(Array.from(p.biases[0])).to.deep.equal(new Array(8).fill(0));
    expect(initParams(sizes, { scheme: 'xavier' }, 3)).to.deep.equal(p);
    expect(initParams(sizes, { scheme: 'xavier' }, 4).weights[0]).to.not.deep.equal(p.weights[0]);
    const u = initParams(sizes, { scheme: 'uniform' }, 3);
    for (const w of u.weights[0]) expect(Math.abs(w)).to.be.at.most(1 / Math.sqrt(20));
  });
});
