/**
 * Values inside the engine and how they print. A field value is a string, a number, a boolean (from
 * predicates such as ispresent) or undefined (absent). Results are strings, as GetQueryResults returns.
 */
export type Value = string | number | boolean | undefined;

/** How a column prints: timestamps as "YYYY-MM-DD HH:MM:SS.mmm", everything else by value. */
export type ValueKind = 'timestamp' | 'plain';

/** Formats epoch ms as CloudWatch prints @timestamp: "YYYY-MM-DD HH:MM:SS.mmm" in UTC. */
export function formatTimestamp(ms: number): string {
  const d = new Date(ms);
  if (!Number.isFinite(d.getTime())) return formatNumber(ms);
  const iso = d.toISOString(); // 2024-06-14T03:00:00.123Z (or +/-YYYYYY for far years)
  return `${iso.slice(0, -14)} ${iso.slice(-13, -1)}`;
}

/**
 * Numbers print as JavaScript prints them: integers without decimals ("500"), other numbers with the
 * shortest round-tripping form ("12.5", "0.3333333333333333"). CloudWatch's exact rounding for avg()
 * is undocumented; we keep full precision rather than invent a rounding.
 */
export function formatNumber(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/** The text of a value (absent values have none). Booleans print as "true"/"false". */
export function toText(v: Value): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return formatNumber(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

/** Formats a value for a result row according to its column kind. */
export function formatValue(v: Value, kind: ValueKind): string | undefined {
  if (kind === 'timestamp' && typeof v === 'number') return formatTimestamp(v);
  return toText(v);
}

const NUMERIC = /^\s*[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/**
 * The number a value stands for, if any: numbers, and strings that look like numbers ("500"), so
 * `responseStatus.code = "500"` and `= 500` behave the same. Booleans count as 1/0 in arithmetic.
 */
export function toNumber(v: Value): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    if (v.length === 0 || v.length > 64 || !NUMERIC.test(v)) return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  return undefined;
}

/**
 * Compares two present values: numerically when both are numbers (or numeric strings), by text
 * (UTF-16 code units) when neither is. A number and non-numeric text do not order against each other
 * (`n > 9` is false for n = "abc"). Returns undefined when they cannot be compared or one is absent.
 */
export function compareValues(a: Value, b: Value): number | undefined {
  if (a === undefined || b === undefined) return undefined;
  if (typeof a !== 'boolean' && typeof b !== 'boolean') {
    const na = toNumber(a);
    const nb = toNumber(b);
    if (na !== undefined && nb !== undefined) return na < nb ? -1 : na > nb ? 1 : 0;
    if (na !== undefined || nb !== undefined) return undefined;
  }
  const ta = toText(a) as string;
  const tb = toText(b) as string;
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/** Truthiness in a filter: true, non-zero numbers, non-empty strings. */
export function isTruthy(v: Value): boolean {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0 && !Number.isNaN(v);
  if (typeof v === 'string') return v.length > 0;
  return false;
}

/**
 * A copy of a string that does not keep its source alive. V8 represents `text.slice()` as a view
 * of the whole source string, so a 60-character user name kept as a group key would otherwise pin
 * its 1.4 KB audit line in memory for the rest of the run. Values kept across records go through
 * this; the concatenation forces a fresh flat string, and the slice of it is a view of that copy only.
 */
export function detach(v: Value): Value {
  return typeof v === 'string' && v.length > 12 ? ` ${v}`.slice(1) : v;
}
