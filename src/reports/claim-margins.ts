/**
 * Every number that turns a word of the article into a region, declared in this one place
 * before any run of the new reproduction was judged (issue 12). The report prints them, and
 * shows how each verdict moves when one of them takes its alternative values.
 */

/** What the article reports. */
export const ARTICLE = {
  typicalAccuracy: 0.7,
  bestAccuracy: 0.72,
  bestDepth: { sigmoid: 5, relu: 6 } as Readonly<Record<string, number>>,
  /** The article's test set: 200 airplanes + 200 ships. */
  testImages: 400,
} as const;

/** Two-sided confidence of every interval. */
export const CONFIDENCE = 0.95;

/** Resamples and seed of the bootstrap (src/util/rng.ts stream 'bootstrap'), so reports are reproducible. */
export const BOOTSTRAP = { resamples: 2000, seed: 12 } as const;

export interface Margins {
  /**
   * "around 70 %", "about 72 %": within this many accuracy points (as a fraction). 0.045 is
   * 1.96 x sqrt(0.7 x 0.3 / 400), the 95 % half-width of the article's own accuracy on its
   * 400 test images: the article cannot place its 70 % more precisely than that.
   */
  around: number;
  /** "depth changes accuracy little": the depth effect from the shallowest to the deepest network stays within +- this. */
  little: number;
  /** "slightly better": ahead by more than 0 and at most this. */
  slightly: number;
  /** "much smaller gradients": the top hidden layer's back-propagated error at least this many times the first hidden layer's. */
  muchSmaller: number;
  /** "the curve has this shape" (claim 5), "most units would need" (claim 7): more than this share. */
  majority: number;
  /**
   * "the weights chase an asymptote" (claim 8): at least this share of the trained Sigmoid
   * network's (unit, image) pairs sit at a bound. Added with claims 7 and 8 (docs/probes.md).
   */
  saturated: number;
}

export const MARGINS: Readonly<Margins> = {
  around: 0.045,
  little: 0.03,
  slightly: 0.05,
  muchSmaller: 10,
  majority: 0.5,
  saturated: 0.1,
};

/** The values each margin is also tried at, to show how the verdicts move (the report's sensitivity table). */
export const MARGIN_ALTERNATIVES: Readonly<Record<keyof Margins, readonly number[]>> = {
  around: [0.03, 0.06],
  little: [0.02, 0.05],
  slightly: [0.03, 0.08],
  muchSmaller: [3, 30],
  majority: [0.33, 0.67],
  saturated: [0.05, 0.2],
};
