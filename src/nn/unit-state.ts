/**
 * Whether a unit is working on an example, from its output y: 'active' on the responsive part
 * of its activation, 'saturated' at a bound of a bounded activation, 'off' at a rectifier's 0.
 * One definition for the training run's activation statistics (src/nn/activation-stats.ts)
 * and the landscape probe's unit activity (src/probes/landscape-rules.ts, whose frozen rules
 * these thresholds are part of).
 *
 * Sigmoid: saturated at y <= 0.02 or y >= 0.98, where σ' = y(1 - y) has fallen below 0.02, a
 * twelfth of its peak 0.25 (Glorot & Bengio 2010 count saturation near the bounds). tanh uses
 * the same points mapped through tanh(z) = 2σ(2z) - 1: |y| >= 0.96. Clipped ReLU
 * (min(max(z, 0), 1)) is off at 0 and saturated at 1; ReLU and scaled ReLU are off at 0 and
 * never saturate.
 */
const SIGMOID_SATURATED_BELOW = 0.02;
const SIGMOID_SATURATED_ABOVE = 0.98;

export type UnitState = 'active' | 'off' | 'saturated';

/**
 * Takes the activation's name as a string so that the activations added for the explain
 * command (relu-clipped, relu-scaled) are judged without changing this module.
 */
export function unitState(activation: string, y: number): UnitState {
  switch (activation) {
    case 'sigmoid':
      return y <= SIGMOID_SATURATED_BELOW || y >= SIGMOID_SATURATED_ABOVE ? 'saturated' : 'active';
    case 'tanh':
      return Math.abs(y) >= 2 * SIGMOID_SATURATED_ABOVE - 1 ? 'saturated' : 'active';
    case 'relu-clipped':
      return y <= 0 ? 'off' : y >= 1 ? 'saturated' : 'active';
    case 'linear':
      return 'active';
    default:
      // relu and relu-scaled (and any other rectifier): off at 0, never saturated.
      return y > 0 ? 'active' : 'off';
  }
}
