/**
 * Result caps without silent loss. CloudWatch returns at most `limit` rows (10,000 by default). A raw-row
 * query that comes back with exactly that many may have more: it is run again on the two halves of its
 * window, recursively, and the halves are merged in the query's order. Aggregates cannot be split
 * (their groups span the halves), so a capped aggregate is only flagged.
 */
import type { QuerySeconds } from '../../aws/insights-queries.js';
import type { QueryStatistics } from '../source.js';
import type { QueryShape } from './query-shape.js';

/** StartQuery's default `limit` (aws-facts A). */
export const DEFAULT_RESULT_LIMIT = 10_000;

/**
 * True when a result may have been cut by the row cap: it holds `apiLimit` rows or more, and the query's
 * own `limit N` does not explain it (a `limit 10` query returning 10 rows got what it asked for).
 */
export function hitResultCap(rowCount: number, apiLimit: number, shape: QueryShape): boolean {
  if (rowCount < apiLimit) return false;
  return shape.limit === undefined || rowCount < shape.limit;
}

/**
 * Halves a window at a second boundary: [start, mid] and [mid + 1, end]. Windows are whole epoch
 * seconds, both ends inclusive (StartQuery), so the halves neither overlap nor leave a gap. A single
 * second cannot be split: undefined.
 */
export function splitWindow(window: QuerySeconds): [QuerySeconds, QuerySeconds] | undefined {
  if (window.endTime <= window.startTime) return undefined;
  const mid = Math.floor((window.startTime + window.endTime) / 2);
  return [
    { startTime: window.startTime, endTime: mid },
    { startTime: mid + 1, endTime: window.endTime },
  ];
}

/** The rows of one window, earlier windows first. */
export interface WindowRows {
  fields: string[];
  rows: Record<string, string>[];
}

/**
 * Merges the rows of consecutive windows (given earliest first) in the query's order: by window when
 * it sorts by `@timestamp` (or not at all: CloudWatch then orders raw rows by `@timestamp desc`), else a
 * stable sort on the sort keys. The query's own `limit` is applied again to the merged rows.
 */
export function mergeWindowRows(parts: WindowRows[], shape: QueryShape): WindowRows {
  const fields: string[] = [];
  for (const part of parts) for (const field of part.fields) if (!fields.includes(field)) fields.push(field);
  const first = shape.sort[0];
  const descendingTime = first === undefined || (first.field === '@timestamp' && first.descending);
  const ordered = descendingTime ? [...parts].reverse() : parts;
  let rows = ordered.flatMap((part) => part.rows);
  if (first !== undefined && first.field !== '@timestamp') {
    rows = rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) => compareRows(a.row, b.row, shape.sort) || a.index - b.index)
      .map((entry) => entry.row);
  }
  if (shape.limit !== undefined) rows = rows.slice(0, shape.limit);
  return { fields, rows };
}

function compareRows(a: Record<string, string>, b: Record<string, string>, keys: QueryShape['sort']): number {
  for (const key of keys) {
    const c = compareValues(a[key.field], b[key.field]);
    if (c !== 0) return key.descending ? -c : c;
  }
  return 0;
}

/** Compares two cells the way CloudWatch's ascending sort does, roughly: text first, then numbers. */
function compareValues(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  const na = /^-?\d+(\.\d+)?$/.test(a) ? Number(a) : undefined;
  const nb = /^-?\d+(\.\d+)?$/.test(b) ? Number(b) : undefined;
  // "All non-number values come before all number values" in ascending order (CWL_QuerySyntax-Sort.html).
  if (na !== undefined && nb !== undefined) return na - nb;
  if (na !== undefined) return 1;
  if (nb !== undefined) return -1;
  return a < b ? -1 : 1;
}

/** Sums the statistics of several CloudWatch queries (every query run is billed, discarded ones too). */
export function sumStatistics(all: QueryStatistics[]): QueryStatistics {
  const sum: QueryStatistics = { recordsScanned: 0, recordsMatched: 0, bytesScanned: 0 };
  for (const s of all) {
    sum.recordsScanned += s.recordsScanned;
    sum.recordsMatched += s.recordsMatched;
    sum.bytesScanned += s.bytesScanned;
    if (s.estimatedBytesSkipped !== undefined)
      sum.estimatedBytesSkipped = (sum.estimatedBytesSkipped ?? 0) + s.estimatedBytesSkipped;
  }
  return sum;
}
