/**
 * CSV files for spreadsheets, written through csv-writer and renamed into place only when
 * complete, so a reader (or a run killed mid-write) never sees half a row.
 *
 * Numbers are written plainly (no thousands separators, full float precision as JavaScript
 * prints it); times as ISO 8601 strings. Files that grow during a run (history.csv,
 * gradients.csv) are rewritten whole after each epoch: at a few hundred rows that costs
 * microseconds and keeps every intermediate state a valid file.
 *
 * Every string cell passes spreadsheetCell (src/util/text-out.ts): a string starting with =, +,
 * -, @, a tab or a carriage return gets a leading apostrophe, so a name from a hostile config or
 * runs table cannot run as a formula when the file is opened in a spreadsheet. Number cells are
 * never changed (negative numbers stay numbers); a name that starts so reads back with the
 * apostrophe.
 */
import { createObjectCsvStringifier } from 'csv-writer';
import { writeFileAtomic } from './atomic.js';
import { spreadsheetCell } from './text-out.js';

type CsvValue = string | number | boolean | null | undefined;
export type CsvRow = Record<string, CsvValue>;

/** Column keys in order; the header row uses the keys themselves. */
export type CsvColumns = readonly string[];

export function toCsv(columns: CsvColumns, rows: readonly CsvRow[]): string {
  const stringifier = createObjectCsvStringifier({ header: columns.map((id) => ({ id, title: id })) });
  return stringifier.getHeaderString() + stringifier.stringifyRecords(rows.map(normaliseRow));
}

export async function writeCsv(file: string, columns: CsvColumns, rows: readonly CsvRow[]): Promise<void> {
  await writeFileAtomic(file, toCsv(columns, rows));
}

function normaliseRow(row: CsvRow): Record<string, string | number | boolean> {
  const out: Record<string, string | number | boolean> = {};
  for (const [k, v] of Object.entries(row)) {
    if (v === null || v === undefined) out[k] = '';
    else if (typeof v === 'string') out[k] = spreadsheetCell(v);
    else if (typeof v === 'number' && !Number.isFinite(v)) out[k] = Number.isNaN(v) ? 'NaN' : v > 0 ? 'Infinity' : '-Infinity';
    else out[k] = v;
  }
  return out;
}

/** Parses a CSV file this module wrote (simple quoting rules of csv-writer) back into rows. */
export function parseCsv(text: string): Record<string, string>[] {
  const lines = splitRecords(text);
  if (lines.length === 0) return [];
  const header = lines[0];
  return lines.slice(1).map((fields) => Object.fromEntries(header.map((h, i) => [h, fields[i] ?? ''])));
}

function splitRecords(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      record.push(field);
      field = '';
    } else if (ch === '\n') {
      record.push(field);
      records.push(record);
      record = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field !== '' || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}
