/**
 * Reading query results: every value comes back as a string, exactly as CloudWatch returns it
 * (GetQueryResults `ResultField.value`), whichever source answered.
 */

/** A count or sum from a result row; absent or unparseable is 0. */
export function numberValue(row: Record<string, string>, field: string): number {
  const raw = row[field];
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  return Number.isFinite(n) ? n : 0;
}

/** A text value from a result row; absent is ''. */
export function textValue(row: Record<string, string>, field: string): string {
  return row[field] ?? '';
}

/**
 * Parses a result timestamp: Logs Insights prints `@timestamp` and `bin()` values as
 * `YYYY-MM-DD HH:MM:SS.mmm` in UTC (aws-cli examples/logs/get-query-results.rst); ISO strings and
 * epoch milliseconds are accepted too. Returns NaN when the value is not a time.
 */
export function parseResultTime(value: string | undefined): number {
  if (value === undefined || value === '') return Number.NaN;
  if (/^\d{10,}$/.test(value)) return Number(value);
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2}(?:\.\d+)?)(Z|[+-]\d{2}:?\d{2})?$/.exec(value.trim());
  if (m === null) return Date.parse(value);
  return Date.parse(`${m[1]}T${m[2]}${m[3] ?? 'Z'}`);
}

/** ISO 8601 UTC with milliseconds. */
export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
