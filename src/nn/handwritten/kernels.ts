/**
 * The hand-written engine's plain kernels for a layer's forward product (`affine`) and online
 * SGD's hot loop (`descendThenAffine`: the first layer's deferred update fused with the next
 * example's forward pass; see engine.ts, "Speed"). The WebAssembly kernels of the first layer
 * (first-layer.wat, through first-layer-simd.ts) compute exactly these numbers, bit for bit, four
 * columns at a time, and call the `...Columns` forms here for the columns and rows they leave
 * over; spec/first-layer-simd.spec.ts holds the two against each other.
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
 * out = a W + b: out[r, j] = b[j] + sum_i a[r, i] W[i, j], for a [n, fanIn], W [fanIn, fanOut].
 * Inputs are taken four at a time (four weight rows per pass over out[r, :]) and examples two at
 * a time (each weight, once loaded, serves both). Every example's sum runs over i in the same
 * order and groups, whatever n is, so an example's output does not depend on the batch it is in.
 */
export function affine(a: FloatArray, W: FloatArray, b: FloatArray, out: FloatArray, n: number, fanIn: number, fanOut: number): void {
  for (let r = 0; r < n; r++) out.set(b.subarray(0, fanOut), r * fanOut);
  affineColumns(a, W, out, n, fanIn, fanOut, 0, fanOut, 0);
}

/**
 * affine's accumulation (out must hold the bias, or what earlier rows added) for columns
 * [j0, j1), from row i0 (a multiple of 4) on: per group of four rows
 * out[r, j] += x0 W[i, j] + x1 W[i+1, j] + x2 W[i+2, j] + x3 W[i+3, j] (in double, rounded once per
 * group), then the rows left over one by one. Each element's numbers depend on its own example
 * and column alone, so columns may be split between kernels; within one, rows come in this order.
 */
export function affineColumns(
  a: FloatArray,
  W: FloatArray,
  out: FloatArray,
  n: number,
  fanIn: number,
  fanOut: number,
  j0: number,
  j1: number,
  i0: number,
): void {
  const fanIn4 = i0 + ((fanIn - i0) & ~3);
  for (let r = 0; r < n; r += 2) {
    const pair = r + 1 < n; // the last example of an odd batch goes alone
    const o0 = r * fanOut;
    const o1 = pair ? o0 + fanOut : o0;
    const a0 = r * fanIn;
    const a1 = pair ? a0 + fanIn : a0;
    for (let i = i0; i < fanIn4; i += 4) {
      const w0 = i * fanOut,
        w1 = w0 + fanOut,
        w2 = w1 + fanOut,
        w3 = w2 + fanOut;
      const x00 = a[a0 + i],
        x01 = a[a0 + i + 1],
        x02 = a[a0 + i + 2],
        x03 = a[a0 + i + 3];
      if (pair) {
        const x10 = a[a1 + i],
          x11 = a[a1 + i + 1],
          x12 = a[a1 + i + 2],
          x13 = a[a1 + i + 3];
        for (let j = j0; j < j1; j++) {
          const v0 = W[w0 + j],
            v1 = W[w1 + j],
            v2 = W[w2 + j],
            v3 = W[w3 + j];
          out[o0 + j] += x00 * v0 + x01 * v1 + x02 * v2 + x03 * v3;
          out[o1 + j] += x10 * v0 + x11 * v1 + x12 * v2 + x13 * v3;
        }
      } else {
        for (let j = j0; j < j1; j++) out[o0 + j] += x00 * W[w0 + j] + x01 * W[w1 + j] + x02 * W[w2 + j] + x03 * W[w3 + j];
      }
    }
    for (let i = fanIn4; i < fanIn; i++) {
      const w = i * fanOut;
      const x0 = a[a0 + i],
        x1 = a[a1 + i];
      for (let j = j0; j < j1; j++) out[o0 + j] += x0 * W[w + j];
      if (pair) for (let j = j0; j < j1; j++) out[o1 + j] += x1 * W[w + j];
    }
  }
}
