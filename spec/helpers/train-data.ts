/**
 * Small synthetic two-class sets for the training tests: learnable in a few epochs, built from
 * a seeded stream so every test sees the same numbers.
 */
import { Rng } from '../../src/util/rng.js';
import type { Dataset, Subset } from '../../src/data/types.js';

/**
 * `count` examples of `inputs` numbers in [0, 1]. The class is the side of a fixed random
 * hyperplane through the centre; examples within `margin` of it are pushed away, so the
 * two classes are linearly separable.
 */
function separableDataset(count: number, inputs: number, seed: number, margin = 0.15): Dataset {
  const rng = Rng.stream(seed, 'separable-data');
  const normal = Array.from({ length: inputs }, () => rng.normal());
  const norm = Math.hypot(...normal);
  const x = new Float32Array(count * inputs);
  const y = new Float32Array(count);
  for (let k = 0; k < count; k++) {
    const row = Array.from({ length: inputs }, () => rng.uniform());
    const side = row.reduce((s, v, i) => s + (v - 0.5) * normal[i], 0) / norm;
    const label = k % 2; // balanced classes
    // Move the example along the normal onto its label's side, at least `margin` from the plane.
    const shift = (label === 1 ? 1 : -1) * Math.max(Math.abs(side), margin) - side;
    for (let i = 0; i < inputs; i++) row[i] += (shift * normal[i]) / norm;
    for (let i = 0; i < inputs; i++) x[k * inputs + i] = row[i];
    y[k] = label;
  }
  return { x, y, count, inputs };
}

/** A Subset (what loadSubset returns) made of two separable sets drawn from one hyperplane. */
export function separableSubset(trainCount: number, testCount: number, inputs: number, seed = 5): Subset {
  const all = separableDataset(trainCount + testCount, inputs, seed);
  const part = (from: number, n: number): Dataset => ({
    x: all.x.slice(from * inputs, (from + n) * inputs),
    y: all.y.slice(from, from + n),
    count: n,
    inputs,
  });
  return {
    train: part(0, trainCount),
    test: part(trainCount, testCount),
    positive: 'airplane',
    negative: 'ship',
    color: 'gray',
    source: 'synthetic separable set',
    dataDir: '(none)',
  };
}
