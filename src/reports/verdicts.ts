/**
 * For callers outside src/reports/: the claims are judged by the registry
 * (src/reports/claims/registry.ts), one module per claim beside it.
 */
export { judgeClaims } from './claims/registry.js';
export type { ClaimResult } from './claims/claim.js';
