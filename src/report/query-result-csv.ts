import { escapeCsvField } from './escape-csv.js';
import type { QueryOutcome } from '../sources/source.js';

// A plain decimal number cannot start a formula; leaving it alone keeps negative counts (net object
// growth) numeric in a spreadsheet.
const PLAIN_NUMBER = /^-?\d+(?:\.\d+)?$/;

/** One CSV field of a query result: RFC 4180 quoting, controls stripped, formula characters neutralised. */
export function queryResultCsvField(value: string): string {
  return PLAIN_NUMBER.test(value) ? value : escapeCsvField(value);
}

/**
 * `queries run --format csv`: RFC 4180 (CRLF line ends, a header row of the field names, quoting
 * where needed). Log content is untrusted: a cell starting with = + - @ tab or CR gets a leading `'`
 * so a spreadsheet does not run it as a formula.
 */
export function renderQueryResultCsv(outcome: QueryOutcome): string {
  const lines = [outcome.fields.map(queryResultCsvField).join(',')];
  for (const row of outcome.rows)
    lines.push(outcome.fields.map((field) => queryResultCsvField(row[field] ?? '')).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
