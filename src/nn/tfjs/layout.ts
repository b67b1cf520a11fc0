/**
 * Which layout a batch runs in on the TensorFlow.js engine, without loading TensorFlow.js (the
 * command line's flags and the thread rule read it before any backend starts).
 */

/**
 * Batches of at least this many examples run row-major (batch first), smaller ones
 * feature-major (measured crossover on wasm: between 128 and 512; see dense.ts).
 */
export const ROW_MAJOR_FROM = 256;

export type Layout = 'feature' | 'row';

export function layoutFor(n: number): Layout {
  return n >= ROW_MAJOR_FROM ? 'row' : 'feature';
}
