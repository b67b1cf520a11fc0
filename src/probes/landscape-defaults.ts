/**
 * The landscape probe's defaults, in a module of their own so that the command line can show
 * them in --help without loading TensorFlow.js.
 */

/** Swept weights per network when none are named: the article tried "about ten". */
export const DEFAULT_WEIGHT_COUNT = 10;
export const DEFAULT_POINTS = 101;
/**
 * Half-width of the default range around the weight's original value. A first-layer weight
 * of these networks is about 0.05 in size and an input pixel about 0.45, so a change of 8
 * moves the neuron's pre-activation by about 3.6 on average: far enough to push a sigmoid
 * neuron well into saturation both ways (where its curve flattens to the asymptote the
 * article describes) and to switch a ReLU neuron fully off on one side and far on the other.
 */
export const DEFAULT_SPAN = 8;
/** Largest accepted disagreement of the autodiff derivative with the slope of the loss, beyond the curve's kinks, relative to the curve's slope scale. */
export const DEFAULT_TOLERANCE = 0.05;
