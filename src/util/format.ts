/** Number formats shared by progress lines, tables and reports. */

/** A fraction 0..1 as a percentage, e.g. 0.7234 -> "72.3 %"; "n/a" for NaN or infinities. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : 'n/a';
}
