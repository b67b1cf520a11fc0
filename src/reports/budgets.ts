/**
 * The budgets of configs/rules/confirmatory.json ("budgets"): what a network would have reported
 * had training ended after each of these epochs, replayed from the same runs (exact, since
 * training up to an epoch does not depend on when it stops). The stopping table reads accuracy
 * at them (protocol.ts), claim 8 its saturated share (claims/asymptote.ts).
 */
export const BUDGETS = [40, 100, 400] as const;
