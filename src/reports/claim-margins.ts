/**
 * For callers outside src/reports/: each margin is declared in the claim that owns it
 * (src/reports/claims/), and the registry gathers them.
 */
export { MARGINS } from './claims/registry.js';
export { CONFIDENCE } from './claims/claim.js';
