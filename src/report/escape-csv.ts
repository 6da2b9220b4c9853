import { sanitizeForTerminal } from './terminal-text.js';

// Spreadsheets run a cell as a formula when it starts with one of these (OWASP "CSV Injection");
// the fullwidth forms are included because some spreadsheet imports fold them to ASCII.
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

/**
 * One RFC 4180 field from untrusted text: control characters and escape sequences removed, a leading
 * formula character neutralised with `'`, and quoted (with `"` doubled) when it holds `,`, `"`, CR or LF.
 */
export function escapeCsvField(text: string): string {
  let value = sanitizeForTerminal(text);
  if (FORMULA_START.test(value)) value = `'${value}`;
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One RFC 4180 record, ending in CRLF. */
export function csvRecord(fields: string[]): string {
  return `${fields.map(escapeCsvField).join(',')}\r\n`;
}
