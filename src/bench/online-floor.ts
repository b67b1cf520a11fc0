/**
 * The hand-written engine's online (batch-1) step against its floor: the same WebAssembly memory
 * and weights, once stepped by the whole-step kernel (src/nn/handwritten/online-step.ts) and once
 * streamed by a kernel that moves exactly a step's weight traffic (every layer read and written by
 * the forward pass and its deferred update, every layer but the first read again by
 * backpropagation) and computes nothing. Their ratio says how close the step is to what the
 * memory system allows on this machine. Repetitions alternate the two, so both see the same load.
 */
import { OnlineStep } from '../nn/handwritten/online-step.js';
import { median } from './measure.js';
import type { Workload } from './workload.js';

export interface OnlineFloorTiming {
  /** Median wall and CPU time of one step, microseconds. */
  stepUs: number;
  stepCpuUs: number;
  /** Median wall and CPU time of one pass of the floor kernel, microseconds. */
  floorUs: number;
  floorCpuUs: number;
  repetitions: number;
  stepsPerRep: number;
}

const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1000;
};

/** Times both on the workload's network and data; null where the WebAssembly SIMD kernel is not available. */
export function timeOnlineFloor(w: Workload, repetitions: number, stepsPerRep: number): OnlineFloorTiming | null {
  const { sizes, hiddenActivation, outputActivation } = w.network;
  const kernel = OnlineStep.create(sizes, hiddenActivation, outputActivation, 'simd');
  if (!kernel || kernel.kernel !== 'simd') return null;
  kernel.load(w.params.weights, w.params.biases);
  const inputs = sizes[0];
  let next = 0;
  const time = (run: () => void): { wall: number; cpu: number } => {
    const [t0, c0] = [performance.now(), cpuMs()];
    run();
    return { wall: (1000 * (performance.now() - t0)) / stepsPerRep, cpu: (1000 * (cpuMs() - c0)) / stepsPerRep };
  };
  const steps = (): void => {
    for (let s = 0; s < stepsPerRep; s++, next = (next + 1) % w.samples)
      kernel.step(w.x.subarray(next * inputs, (next + 1) * inputs), w.y[next], w.sgd.learningRate);
  };
  const floors = (): void => {
    for (let s = 0; s < stepsPerRep; s++) kernel.streamWeights();
  };
  steps(); // warm-up: compilation and caches
  floors();
  const step: { wall: number; cpu: number }[] = [];
  const floor: { wall: number; cpu: number }[] = [];
  for (let r = 0; r < repetitions; r++) {
    step.push(time(steps));
    floor.push(time(floors));
  }
  return {
    stepUs: median(step.map((t) => t.wall)),
    stepCpuUs: median(step.map((t) => t.cpu)),
    floorUs: median(floor.map((t) => t.wall)),
    floorCpuUs: median(floor.map((t) => t.cpu)),
    repetitions,
    stepsPerRep,
  };
}
