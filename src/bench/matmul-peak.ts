/**
 * What the runtime can do at best: the GFLOP/s of a plain tf.matMul of two constant matrices
 * on the active backend, the best over a square product and the benchmark's largest product
 * (its first layer at batch 4,000). The engine's products have changing operands and smaller
 * shapes, so this bounds them from above. Measured in the same process, backend and thread
 * count as the engine's cells, so each cell's share of it is a same-run ratio.
 */
import * as tf from '@tensorflow/tfjs';
import { median } from './measure.js';

/** [m, k, n]: an [m, k] by [k, n] product. */
type Shape = [number, number, number];
const PEAK_SHAPES: readonly Shape[] = [
  [1024, 1024, 1024],
  [4000, 1024, 150],
];

export interface MatMulPeak {
  /** The product that ran fastest, "m x k by k x n". */
  shape: string;
  /** Its best repetition's GFLOP/s: the machine's noise only ever makes a repetition slower. */
  gflops: number;
  /** Its median repetition's GFLOP/s, for the record. */
  medianGflops: number;
  repetitions: number;
}

function timeShape([m, k, n]: Shape, repetitions: number): MatMulPeak {
  const a = tf.randomUniform([m, k], 0, 1, 'float32', 1);
  const b = tf.randomUniform([k, n], 0, 1, 'float32', 2);
  try {
    const once = (): number => {
      const t0 = performance.now();
      const c = tf.matMul(a, b);
      c.dataSync();
      const ms = performance.now() - t0;
      c.dispose();
      return ms;
    };
    once(); // warm-up: kernel setup and XNNPACK's packing of b, cached for the repetitions
    const times = Array.from({ length: repetitions }, once);
    const flops = 2 * m * k * n;
    return {
      shape: `${m}x${k} by ${k}x${n}`,
      gflops: flops / (Math.min(...times) * 1e6),
      medianGflops: flops / (median(times) * 1e6),
      repetitions,
    };
  } finally {
    a.dispose();
    b.dispose();
  }
}

export function measureMatMulPeak(repetitions: number): MatMulPeak {
  return PEAK_SHAPES.map((s) => timeShape(s, repetitions)).reduce((best, p) => (p.gflops > best.gflops ? p : best));
}
