/**
 * Every text that leaves the program passes one of these, chosen by where it lands: a CSV cell,
 * Markdown, HTML, or a command a reader pastes into a shell. Names of configurations, settings
 * and files come from config files and runs tables made elsewhere, so they are treated as hostile:
 * each function keeps ordinary text byte for byte and neutralises only what the destination
 * would execute or what would break its structure.
 */

/**
 * A string cell a spreadsheet would run as a formula starts with =, +, -, @, a tab or a carriage
 * return (OWASP, "CSV injection"); it gets a leading apostrophe, which spreadsheets show as text.
 * Numbers are never touched: a number cell is written as the number, and a string that is a
 * plain decimal number ("-0.5", "-1e-3", "-Infinity" for a non-finite number) is a number to the
 * spreadsheet too, not a formula, so negative numbers stay numbers.
 */
export function spreadsheetCell(text: string): string {
  if (!/^[=+\-@\t\r]/.test(text)) return text;
  if (PLAIN_NUMBER.test(text)) return text;
  return `'${text}`;
}

const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?Infinity$/;

/** Text for HTML element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

/**
 * Text for a line of Markdown (a paragraph, a heading, a list item). Markdown passes raw HTML
 * through, so what could open a tag, a comment or an autolink (`<` before a letter, `/`, `!` or
 * `?`) and what could spell an entity (`&name;`) is HTML-escaped, as report.html escapes it;
 * `](` is escaped so that no link (and no javascript: link) can form; line breaks become
 * spaces, so a value cannot start a new block. Comparisons such as `<=`, brackets and the
 * report's own emphasis stay as they are.
 */
export function markdownText(text: string): string {
  return text
    .replace(/\r\n|\r|\n/g, ' ')
    .replace(/&(?=#?[A-Za-z0-9]+;)/g, '&amp;')
    .replace(/<(?=[A-Za-z/!?])/g, '&lt;')
    .replace(/\]\(/g, '\\](');
}

/** Text for a cell of a Markdown table: markdownText, and `|` escaped so the row keeps its columns. */
export function markdownCell(text: string): string {
  return markdownText(text).replace(/\|/g, '\\|');
}

/**
 * Text as inline code: fenced with one more backtick than the longest run inside it (CommonMark),
 * so a backtick in a file name cannot end the code span early; line breaks become spaces.
 */
export function markdownCode(text: string): string {
  const flat = text.replace(/\r\n|\r|\n/g, ' ');
  const longest = Math.max(0, ...(flat.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = flat.startsWith('`') || flat.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${flat}${pad}${fence}`;
}

/**
 * A command line for a POSIX shell: each argument that is not plainly safe is single-quoted
 * (a quote inside becomes '\''), so pasting it runs the command and nothing else: no $(...),
 * backticks, globs, ; or & take effect.
 */
export function shellCommand(args: readonly string[]): string {
  return args.map(shellWord).join(' ');
}

function shellWord(arg: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}
