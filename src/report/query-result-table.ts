import { renderTerminalTable, terminalLine, type TerminalColumn } from './incident-terminal-table.js';
import type { QueryOutcome } from '../sources/source.js';

export interface QueryResultTableOptions {
  /** Terminal width in columns; wide tables are narrowed and cells cut with `…`. Default: no limit. */
  width?: number;
}

const NUMBER = /^-?\d+(?:\.\d+)?(?:e[+-]?\d+)?$/i;

/**
 * `queries run --format table`: the rows as an aligned table, every cell sanitised for the terminal
 * (log content may carry escape sequences) and put on one line, then a line of statistics.
 */
export function renderQueryResultTable(outcome: QueryOutcome, options: QueryResultTableOptions = {}): string {
  const { statistics } = outcome;
  const footer =
    `${outcome.rows.length} ${outcome.rows.length === 1 ? 'row' : 'rows'}; ` +
    `${statistics.recordsMatched} of ${statistics.recordsScanned} records matched, ${formatBytes(statistics.bytesScanned)} scanned` +
    (outcome.truncated ? ' (result cap reached: rows may be missing)' : '');
  if (outcome.rows.length === 0 || outcome.fields.length === 0) return `No rows.\n${footer}\n`;
  const columns: TerminalColumn[] = outcome.fields.map((field) => {
    const numeric = outcome.rows.every((row) => row[field] === undefined || NUMBER.test(row[field] ?? ''));
    return { header: terminalLine(field), align: numeric ? 'right' : 'left', flexible: !numeric };
  });
  const rows = outcome.rows.map((row) => outcome.fields.map((field) => row[field] ?? ''));
  const lines = renderTerminalTable(columns, rows, options.width ?? Number.MAX_SAFE_INTEGER, undefined, '');
  return `${lines.join('\n')}\n\n${footer}\n`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}
