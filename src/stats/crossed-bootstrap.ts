/**
 * The two-stage, crossed bootstrap of configs/rules/confirmatory.json ("bootstrap"): intervals
 * for statistics of test accuracy that carry both sources of noise, the seeds and the finite
 * test set.
 *
 * Every run (a network trained with one seed) is scored on the same test images, so its
 * accuracy is a mean of 0/1 correctness over those images. One replicate draws the seeds with
 * replacement (n of the n seeds) and, independently, the images with replacement (N of the N
 * images, as counts), the same image draw for every network and every seed, so comparisons
 * between networks stay paired over images as they are over seeds (Owen's "pigeonhole"
 * bootstrap for a crossed design, slightly conservative). The statistic is recomputed on each
 * replicate; the interval is
 *     estimate +- t(1 - alpha/2, n - 1) x sqrt(n / (n - 1)) x SD(replicates),
 * t-scaled because only n = 10 seeds are drawn and the plain bootstrap SD is biased low by
 * sqrt((n - 1) / n). The estimate itself is the statistic on the data, never a replicate mean.
 *
 * A statistic here is always a mean over seeds of a per-seed value g(accuracies of the compared
 * networks at that seed): every claim of the article about accuracy is of that form.
 */
import { sd, tQuantileOf, type Estimate } from './stats.js';
import { Rng } from '../util/rng.js';

/**
 * Uniform draws from [0, n) for the resampling: xorshift128 (Marsaglia 2003) on typed-array
 * state, seeded from the project's generator. Four million draws per bootstrap (2,000 replicates
 * of 2,000 images) take a fraction of a second this way, against seconds through Rng.int; the
 * bias of scaling a 32-bit draw to n <= 65,535 is below 2e-5 and irrelevant to a bootstrap.
 */
function fastDraws(seed: number): (n: number) => number {
  const rng = new Rng(seed, 'crossed-bootstrap');
  const state = new Uint32Array([rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32() | 1]);
  return (n) => {
    let t = state[3];
    t ^= t << 11;
    t ^= t >>> 8;
    state[3] = state[2];
    state[2] = state[1];
    const s = state[0];
    state[1] = s;
    state[0] = t ^ s ^ (s >>> 19);
    return Math.floor((state[0] / 4294967296) * n);
  };
}

/** One run's 0/1 correctness on each test image (1 = correct), in the test set's order. */
export type Correctness = Uint8Array;

export interface CrossedBootstrapSettings {
  resamples: number;
  seed: number;
}

/**
 * The replicates of one design: `seeds` (the unit of replication) and the runs' correctness
 * vectors by network name and seed. The draws are made once, so every statistic asked of the same
 * object uses the same replicates (a claim's parts stay comparable).
 */
export class CrossedBootstrap {
  readonly images: number;
  private readonly seedDraws: Uint16Array[];
  private readonly imageCounts: Uint16Array[];
  private readonly cache = new Map<string, Float64Array>();

  constructor(
    readonly seeds: readonly number[],
    private readonly correctness: (network: string, seed: number) => Correctness | undefined,
    images: number,
    readonly settings: CrossedBootstrapSettings,
  ) {
    if (seeds.length < 2) throw new Error('CrossedBootstrap: at least two seeds are needed');
    if (seeds.length > 65535 || images > 65535) throw new Error('CrossedBootstrap: at most 65,535 seeds and images');
    this.images = images;
    const draw = fastDraws(settings.seed);
    this.seedDraws = [];
    this.imageCounts = [];
    for (let r = 0; r < settings.resamples; r++) {
      const seedDraw = new Uint16Array(seeds.length);
      for (let k = 0; k < seeds.length; k++) seedDraw[k] = draw(seeds.length);
      const counts = new Uint16Array(images);
      for (let i = 0; i < images; i++) counts[draw(images)]++;
      this.seedDraws.push(seedDraw);
      this.imageCounts.push(counts);
    }
  }

  /** Whether every network of `networks` has a correctness vector for every seed. */
  covers(networks: readonly string[]): boolean {
    return networks.every((n) => this.seeds.every((s) => this.correctness(n, s)?.length === this.images));
  }

  /** The run's accuracy on each replicate's image draw. */
  private accuracies(network: string, seed: number): Float64Array {
    const key = `${network}\u0000${seed}`;
    const hit = this.cache.get(key);
    if (hit) return hit;
    const bits = this.correctness(network, seed);
    if (!bits || bits.length !== this.images) throw new Error(`CrossedBootstrap: no correctness for ${network}, seed ${seed}`);
    const out = new Float64Array(this.imageCounts.length);
    for (let r = 0; r < this.imageCounts.length; r++) {
      const counts = this.imageCounts[r];
      let correct = 0;
      for (let i = 0; i < bits.length; i++) if (bits[i]) correct += counts[i];
      out[r] = correct / this.images;
    }
    this.cache.set(key, out);
    return out;
  }

  /**
   * The interval of mean over seeds of g(accuracy of each of `networks` at that seed), at a
   * two-sided `confidence`. `estimate` is the statistic on the data (the caller's point value).
   */
  interval(networks: readonly string[], g: (accuracies: readonly number[]) => number, estimate: number, confidence: number): Estimate {
    const n = this.seeds.length;
    const perNetwork = networks.map((net) => this.seeds.map((s) => this.accuracies(net, s)));
    const replicates: number[] = [];
    const values = new Array<number>(networks.length);
    for (let r = 0; r < this.seedDraws.length; r++) {
      const draw = this.seedDraws[r];
      let sum = 0;
      for (let k = 0; k < n; k++) {
        for (let j = 0; j < networks.length; j++) values[j] = perNetwork[j][draw[k]][r];
        sum += g(values);
      }
      replicates.push(sum / n);
    }
    const half = tQuantileOf(1 - (1 - confidence) / 2, n - 1) * Math.sqrt(n / (n - 1)) * sd(replicates);
    return { value: estimate, low: estimate - half, high: estimate + half, n };
  }
}
