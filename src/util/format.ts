/** Number and text formats shared by progress lines, tables, reports and error messages. */

/** A fraction 0..1 as a percentage, e.g. 0.7234 -> "72.3 %"; "n/a" for NaN or infinities. */
export function pct(x: number, digits = 1): string {
  return Number.isFinite(x) ? `${(100 * x).toFixed(digits)} %` : 'n/a';
}

/** Characters of text from a file echoed in a message at most. */
const SHOWN_MAX = 60;

/**
 * Text from a file from elsewhere as it may be shown on a terminal, in one line: control and
 * direction-changing characters written as escapes (\x1b, \u202e), the length capped.
 */
export function shown(text: string, max = SHOWN_MAX): string {
  // eslint-disable-next-line no-control-regex
  const safe = text.replace(/[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (c) => {
    const code = c.charCodeAt(0);
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
  return safe.length > max ? `${safe.slice(0, max)}...` : safe;
}
