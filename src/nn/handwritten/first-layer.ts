/**
 * The plain reference kernel of online SGD's hot loop: the first layer's deferred update fused
 * with the next example's forward pass through it (see engine.ts, "Speed"). The WebAssembly
 * kernel (first-layer-simd.ts) computes exactly these numbers, bit for bit, four columns at a
 * time; it calls `descendThenAffineColumns` for the columns and rows it leaves over, and
 * spec/first-layer-simd.spec.ts holds the two against each other.
 */

/** The arrays the hand-written network's math runs on (float32 for training, float64 for the gradient check). */
export type FloatArray = Float32Array | Float64Array;

/**
 * W[i, j] -= lr * p[i] d[j] exactly as descendOnOuterProduct computes it (p, d: the previous
 * example's input and delta), then out[j] = b[j] + sum_i x[i] W[i, j] on the updated weights, in
 * affine's order and grouping. Bit-identical to the two passes, but W is read and written once.
 */
export function descendThenAffine(
  p: FloatArray,
  d: FloatArray,
  lr: number,
  W: Float32Array,
  b: FloatArray,
  x: FloatArray,
  out: FloatArray,
  fanIn: number,
  fanOut: number,
): void {
  for (let j = 0; j < fanOut; j++) out[j] = b[j];
  descendThenAffineColumns(p, d, lr, W, x, out, fanIn, fanOut, 0, fanOut, 0);
}

/**
 * The accumulation part of descendThenAffine for columns [j0, j1), from row i0 (a multiple of
 * 4) on: rows in groups of four (one rounding of out[j] per group), then the rows left over one
 * by one. Each column's numbers depend on that column alone, so columns may be split between
 * kernels; within a column the rows must come in this order.
 */
export function descendThenAffineColumns(
  p: FloatArray,
  d: FloatArray,
  lr: number,
  W: Float32Array,
  x: FloatArray,
  out: FloatArray,
  fanIn: number,
  fanOut: number,
  j0: number,
  j1: number,
  i0: number,
): void {
  let i = i0;
  for (; i + 4 <= fanIn; i += 4) {
    const p0 = p[i],
      p1 = p[i + 1],
      p2 = p[i + 2],
      p3 = p[i + 3];
    const x0 = x[i],
      x1 = x[i + 1],
      x2 = x[i + 2],
      x3 = x[i + 3];
    const w0 = i * fanOut,
      w1 = w0 + fanOut,
      w2 = w1 + fanOut,
      w3 = w2 + fanOut;
    for (let j = j0; j < j1; j++) {
      const dj = d[j];
      const v0 = Math.fround(W[w0 + j] - lr * Math.fround(p0 * dj));
      const v1 = Math.fround(W[w1 + j] - lr * Math.fround(p1 * dj));
      const v2 = Math.fround(W[w2 + j] - lr * Math.fround(p2 * dj));
      const v3 = Math.fround(W[w3 + j] - lr * Math.fround(p3 * dj));
      W[w0 + j] = v0;
      W[w1 + j] = v1;
      W[w2 + j] = v2;
      W[w3 + j] = v3;
      out[j] += x0 * v0 + x1 * v1 + x2 * v2 + x3 * v3;
    }
  }
  for (; i < fanIn; i++) {
    const w = i * fanOut;
    for (let j = j0; j < j1; j++) {
      const v = Math.fround(W[w + j] - lr * Math.fround(p[i] * d[j]));
      W[w + j] = v;
      out[j] += x[i] * v;
    }
  }
}

/**
 * engine.ts affine's accumulation for columns [j0, j1) of every example, from row i0 (a multiple
 * of 4) on, one example at a time: out[r, j] += x0 W[i, j] + x1 W[i+1, j] + x2 W[i+2, j] + x3 W[i+3, j]
 * per group of four rows (in double, rounded to float32 once per group), then the rows left over.
 * What the WebAssembly kernel leaves to JavaScript (first-layer-simd.ts); the same order per element.
 */
export function affineColumns(
  a: Float32Array,
  W: Float32Array,
  out: Float32Array,
  n: number,
  fanIn: number,
  fanOut: number,
  j0: number,
  j1: number,
  i0: number,
): void {
  for (let r = 0; r < n; r++) {
    const ar = r * fanIn;
    const o = r * fanOut;
    let i = i0;
    for (; i + 4 <= fanIn; i += 4) {
      const x0 = a[ar + i],
        x1 = a[ar + i + 1],
        x2 = a[ar + i + 2],
        x3 = a[ar + i + 3];
      const w0 = i * fanOut,
        w1 = w0 + fanOut,
        w2 = w1 + fanOut,
        w3 = w2 + fanOut;
      for (let j = j0; j < j1; j++) out[o + j] += x0 * W[w0 + j] + x1 * W[w1 + j] + x2 * W[w2 + j] + x3 * W[w3 + j];
    }
    for (; i < fanIn; i++) {
      const x = a[ar + i];
      const w = i * fanOut;
      for (let j = j0; j < j1; j++) out[o + j] += x * W[w + j];
    }
  }
}
