/**
 * Reading a runs.csv (the columns: src/reports/runs-table.ts) that may come from anywhere: this
 * program, a spreadsheet, R, another framework. It is checked before it is believed.
 *
 * Accepted as those tools write it: a UTF-8 byte-order mark (Excel's "CSV UTF-8"), quoted
 * headers and NA for a missing value (R's write.csv, whose unnamed row-number column is
 * ignored like any unknown column), CRLF or LF line ends, quoted fields over several lines.
 * Refused with one line naming the file (and the line of the file and the column): a file over
 * MAX_RUNS_BYTES (before it is read), anything but a regular file, UTF-16 and invalid UTF-8, a
 * column named twice, a row with more or fewer fields than the header, a number that is not
 * plain decimal (0x10, 1e, Infinity, NaN), an activation not spelled as the configs spell it
 * (RELU), and rows of one configuration that disagree on what it is (activation, layers,
 * epochs, batch size, learning rate, init). Text echoed from the file in a message has its
 * control characters shown as escapes and is cut to 60 characters (src/util/format.ts). Text
 * cells (config, activation, init) may hold no control characters.
 *
 * The parser is this small hand-written one, not a library: it is strict where a general
 * parser relaxes (a quote inside an unquoted field, text after a closing quote), and it knows
 * each record's first line, which the messages need.
 */
import { z } from 'zod';
import { activationNames, isActivationFor } from '../config/activations.js';
import { UserError } from '../util/errors.js';
import { shown } from '../util/format.js';
import { readRegularFile } from '../util/regular-file.js';
import { RunRowSchema, type RunRow } from './runs-table.js';

/** Largest runs table read: a sweep of thousands of runs is a few MB. */
const MAX_RUNS_BYTES = 64 * 2 ** 20;

const REQUIRED = ['config', 'activation', 'layers', 'seed', 'test_acc'] as const;
/** Columns every row of one configuration must agree on, when given. */
const SAME_PER_CONFIG = ['activation', 'layers', 'epochs', 'batch_size', 'learning_rate', 'init'] as const;
/** A plain decimal number, as spreadsheets and R write them: no hex, no Infinity, no bare exponent. */
const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

const NUMERIC = new Set<string>(Object.entries(RunRowSchema.shape).flatMap(([k, t]) => (isNumeric(t) ? [k] : [])));
function isNumeric(t: z.ZodType): boolean {
  const inner = t instanceof z.ZodOptional ? (t.unwrap() as z.ZodType) : t;
  return inner instanceof z.ZodNumber;
}

/** The file's text: UTF-8 (a byte-order mark dropped); UTF-16 and invalid UTF-8 refused by name. */
function decode(file: string, bytes: Buffer): string {
  const utf16 =
    (bytes.length >= 2 && ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff))) ||
    (bytes.length >= 2 && (bytes[0] === 0 || bytes[1] === 0));
  if (utf16) throw new UserError(`${shown(file)}: the runs table is UTF-16; save it as UTF-8 (in Excel: "CSV UTF-8")`);
  const body = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? bytes.subarray(3) : bytes;
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    const lossy = new TextDecoder('utf-8').decode(body);
    const line = lossy.slice(0, lossy.indexOf('\ufffd')).split('\n').length;
    throw new UserError(`${shown(file)}: line ${line}: not valid UTF-8; save the runs table as UTF-8`);
  }
}

interface CsvRecord {
  /** Line of the file on which the record starts (1-based). */
  line: number;
  fields: string[];
}

/** Splits CSV text into records (RFC 4180 quoting), each with the line it starts on; blank lines are skipped. */
function splitRecords(file: string, text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  let fields: string[] = [];
  let field = '';
  let line = 1;
  let start = 1;
  let quotedInRecord = false;
  let k = 0;
  const fail = (why: string): never => {
    throw new UserError(`${shown(file)}: line ${line}: ${why}`);
  };
  const endRecord = (): void => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== '' || quotedInRecord) records.push({ line: start, fields });
    fields = [];
    field = '';
    quotedInRecord = false;
  };
  while (k < text.length) {
    const ch = text[k];
    if (ch === '"' && field === '') {
      // A quoted field: "" is a quote; it ends at a lone quote, which a separator or a line end must follow.
      quotedInRecord = true;
      k++;
      for (;;) {
        if (k >= text.length) fail(`a quoted field opened on line ${line} is never closed`);
        const c = text[k];
        if (c === '"') {
          if (text[k + 1] === '"') {
            field += '"';
            k += 2;
            continue;
          }
          k++;
          break;
        }
        if (c === '\n' || (c === '\r' && text[k + 1] !== '\n')) line++;
        field += c;
        k++;
      }
      const next = text[k];
      if (next !== undefined && next !== ',' && next !== '\n' && next !== '\r') fail('text after the closing quote of a field');
      continue;
    }
    if (ch === '"') fail('a quote inside a field that does not start with one');
    if (ch === ',') {
      fields.push(field);
      field = '';
      k++;
    } else if (ch === '\n' || ch === '\r') {
      k += ch === '\r' && text[k + 1] === '\n' ? 2 : 1;
      endRecord();
      line++;
      start = line;
    } else {
      field += ch;
      k++;
    }
  }
  if (field !== '' || fields.length > 0 || quotedInRecord) endRecord();
  return records;
}

/** A missing value: empty, or R's NA. */
function missing(cell: string): boolean {
  const t = cell.trim();
  return t === '' || t === 'NA';
}

/**
 * Reads and validates a runs.csv: a UserError naming the file, the line of the file on which the
 * bad row starts and the column, for the first thing wrong; unknown columns are ignored.
 */
export function readRunsCsv(file: string): RunRow[] {
  const records = splitRecords(file, decode(file, readRegularFile(file, { what: 'runs table', maxBytes: MAX_RUNS_BYTES })));
  if (records.length === 0) throw new UserError(`${shown(file)}: the runs table is empty`);
  const header = records[0].fields.map((h) => h.trim());
  const columnOf = new Map<string, number>();
  for (const [i, name] of header.entries()) {
    if (name === '') continue;
    const first = columnOf.get(name);
    if (first !== undefined)
      throw new UserError(`${shown(file)}: line 1: column "${shown(name)}" appears twice (columns ${first + 1} and ${i + 1})`);
    columnOf.set(name, i);
  }
  for (const need of REQUIRED) {
    if (!columnOf.has(need)) throw new UserError(`${shown(file)}: missing column "${need}" (needed: ${REQUIRED.join(', ')})`);
  }
  if (records.length === 1) throw new UserError(`${shown(file)}: no runs (the file has a header but no rows)`);
  const known = [...columnOf].filter(([name]) => name in RunRowSchema.shape);
  const seen = new Set<string>();
  const firstOfConfig = new Map<string, { line: number; row: RunRow }>();
  return records.slice(1).map(({ line, fields }) => {
    const at = `${shown(file)}: line ${line}`;
    if (fields.length !== header.length) throw new UserError(`${at}: ${fields.length} fields, but the header has ${header.length}`);
    const raw: Record<string, unknown> = {};
    for (const [name, i] of known) {
      const cell = fields[i];
      if (missing(cell)) continue;
      const v = cell.trim();
      if (NUMERIC.has(name)) {
        if (!DECIMAL.test(v)) throw new UserError(`${at}, column "${name}": expected a number, got "${shown(v)}" (plain decimal only)`);
        raw[name] = Number(v);
      } else {
        // eslint-disable-next-line no-control-regex
        if (/[\u0000-\u001f\u007f-\u009f]/.test(v)) throw new UserError(`${at}, column "${name}": "${shown(v)}" holds control characters`);
        raw[name] = v;
      }
    }
    const parsed = RunRowSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const column = issue.path.join('.') || '(row)';
      const detail = issue.code === 'invalid_type' && raw[column] === undefined ? 'is empty (required)' : issue.message;
      throw new UserError(`${at}, column "${column}": ${detail}`);
    }
    const row = parsed.data;
    if (!isActivationFor('hidden', row.activation)) {
      throw new UserError(
        `${at}, column "activation": unknown activation "${shown(row.activation)}" (spelled as in the configs: ${activationNames('hidden').join(', ')})`,
      );
    }
    const key = `${row.config}\u0000${row.seed}`;
    if (seen.has(key)) throw new UserError(`${at}: config "${shown(row.config)}" seed ${row.seed} appears twice`);
    seen.add(key);
    const first = firstOfConfig.get(row.config);
    if (!first) firstOfConfig.set(row.config, { line, row });
    else {
      for (const c of SAME_PER_CONFIG) {
        const a = first.row[c];
        const b = row[c];
        if (a !== undefined && b !== undefined && a !== b) {
          throw new UserError(
            `${at}, column "${c}": config "${shown(row.config)}" is ${shown(String(b))} here but ${shown(String(a))} on line ${first.line}; one configuration, one setting`,
          );
        }
      }
    }
    return row;
  });
}
