import type { LogRecord } from './record.js';
import type { Value } from './value-format.js';

/** Reads one field of a record. */
export type RecordGetter = (record: LogRecord) => Value;

/**
 * The record's message parsed as a JSON object, parsed at most once and cached on `record.json`
 * (null when the message is not a JSON object). Never flattened: fields are looked up by path.
 */
export function recordJson(record: LogRecord): Record<string, unknown> | null {
  let json = record.json;
  if (json === undefined) {
    json = null;
    const m = record.message;
    let i = 0;
    while (i < m.length && (m.charCodeAt(i) === 32 || m.charCodeAt(i) === 9)) i++;
    if (m.charCodeAt(i) === 123 /* { */) {
      try {
        const parsed: unknown = JSON.parse(m);
        if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed))
          json = parsed as Record<string, unknown>;
      } catch {
        json = null;
      }
    }
    record.json = json;
  }
  return json;
}

/**
 * A JSON leaf as a field value. Objects and arrays are not values (Insights exposes only the
 * flattened leaves, e.g. `sourceIPs.0`, never `sourceIPs`); JSON null is absent.
 */
function leaf(v: unknown): Value {
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

const hasOwn = Object.prototype.hasOwnProperty;
const MAX_DOTTED = 24;

/**
 * Compiles a dotted path. Keys may themselves contain dots (`annotations.authorization.k8s.io/decision`),
 * so at each level the shortest prefix of the remaining segments that is a key is tried first, then
 * longer ones; array elements are addressed by index (`sourceIPs.0`). All joined keys are built once.
 */
function compileJsonPath(name: string): RecordGetter {
  const segments = name.split('.');
  const n = segments.length;
  if (n === 1) {
    return (record) => {
      const json = recordJson(record);
      return json !== null && hasOwn.call(json, name) ? leaf(json[name]) : undefined;
    };
  }
  // candidates[i]: the keys to try at segment i (shortest first) and the segment after each.
  // Long paths (more than MAX_DOTTED segments) only try single segments and the whole remainder,
  // so a hostile 5,000-segment path cannot make us build millions of keys.
  const offsets: number[] = [];
  let at = 0;
  for (const seg of segments) {
    offsets.push(at);
    at += seg.length + 1;
  }
  offsets.push(name.length + 1);
  const keyOf = (i: number, j: number): string => name.slice(offsets[i], (offsets[j] as number) - 1);
  const candidates: { key: string; next: number }[][] = [];
  for (let i = 0; i < n; i++) {
    const row: { key: string; next: number }[] = [];
    for (let j = i + 1; j <= n; j++) {
      if (n <= MAX_DOTTED || j === i + 1 || j === n) row.push({ key: keyOf(i, j), next: j });
    }
    candidates.push(row);
  }
  const walk = (node: object, i: number, depth: number): Value => {
    for (const { key, next } of candidates[i] as { key: string; next: number }[]) {
      if (!hasOwn.call(node, key)) continue;
      const v = (node as Record<string, unknown>)[key];
      if (next === n) return leaf(v);
      if (v !== null && typeof v === 'object' && depth < 256) {
        const found = walk(v, next, depth + 1);
        if (found !== undefined) return found;
      }
    }
    return undefined;
  };
  return (record) => {
    const json = recordJson(record);
    return json === null ? undefined : walk(json, 0, 0);
  };
}

/** Compiles the getter for a field name: system fields first, then the message's JSON. */
export function compileFieldGetter(name: string): RecordGetter {
  switch (name) {
    case '@timestamp':
      return (r) => r.timestamp;
    case '@message':
      return (r) => r.message;
    case '@logStream':
      return (r) => r.logStream;
    case '@log':
      return (r) => r.log;
    case '@ingestionTime':
      return (r) => r.ingestionTime;
    case '@ptr':
      return (r) => r.ptr;
    default:
      return compileJsonPath(name);
  }
}

// getField is called with arbitrary names by other modules; keep its cache bounded.
const getterCache = new Map<string, RecordGetter>();
const GETTER_CACHE_LIMIT = 4096;

/** Resolves a field of a record: system fields (@timestamp ms, @message, ...) or a flattened JSON path. */
export function getField(record: LogRecord, name: string): unknown {
  let getter = getterCache.get(name);
  if (getter === undefined) {
    if (getterCache.size >= GETTER_CACHE_LIMIT) getterCache.clear();
    getter = compileFieldGetter(name);
    getterCache.set(name, getter);
  }
  return getter(record);
}
