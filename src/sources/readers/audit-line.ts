import type { LogRecord } from '../../insights/record.js';
import { backwardNeedle, lastIndexOfBytes } from './byte-search.js';
import { parseIsoTimestampBytes, parseIsoTimestampMs } from './iso-timestamp.js';

/** `@logStream` of events read from a kube-apiserver audit log file (what EKS names its audit streams after). */
export const AUDIT_LOG_STREAM = 'kube-apiserver-audit';

// The event's own time, in the order kube-apiserver fills them: stageTimestamp (v1, v1beta1), then
// requestReceivedTimestamp, then the legacy v1alpha1/v1beta1 `timestamp`.
const TIMESTAMP_KEYS = ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp'] as const;
const TIMESTAMP_NEEDLES = TIMESTAMP_KEYS.map((key) => `"${key}":"`);
/** Longest time value taken from a line without parsing it. */
const MAX_TIMESTAMP_CHARS = 64;

/**
 * Finds a top-level timestamp in the raw line without parsing the JSON. Inside JSON strings every `"`
 * is escaped, so `"stageTimestamp":"` can only match a real key. kube-apiserver writes the event's
 * timestamps after requestObject/responseObject (which hold user data and could contain a key of the
 * same name) and before annotations (a string map), so the LAST occurrence is the event's own.
 */
function findTimestampFast(line: string): string | undefined {
  for (const needle of TIMESTAMP_NEEDLES) {
    const at = line.lastIndexOf(needle);
    if (at === -1) continue;
    const start = at + needle.length;
    const end = line.indexOf('"', start);
    if (end === -1 || end - start > MAX_TIMESTAMP_CHARS) return undefined;
    return line.slice(start, end);
  }
  return undefined;
}

const TIMESTAMP_NEEDLE_BYTES = TIMESTAMP_NEEDLES.map((needle) =>
  backwardNeedle(Buffer.from(needle, 'latin1')),
);

/**
 * The time recordFromAuditLine would give the line buffer[start, end), read from the bytes (the
 * shaped fast path decodes no line): the same last-occurrence search and the same parse. Undefined
 * whenever that search would not settle it (no key, a value over 64 characters or with non-ASCII
 * bytes, an unparseable time); the caller then takes the ordinary path, which reports or recovers.
 */
export function auditTimestampFromBytes(buffer: Buffer, start: number, end: number): number | undefined {
  for (const needle of TIMESTAMP_NEEDLE_BYTES) {
    const at = lastIndexOfBytes(buffer, needle, start, end);
    if (at === -1) continue;
    const valueStart = at + needle.bytes.length;
    const stop = Math.min(end, valueStart + MAX_TIMESTAMP_CHARS + 1);
    let valueEnd = valueStart;
    for (; valueEnd < stop; valueEnd++) {
      const c = buffer[valueEnd] as number;
      if (c === 34) break;
      if (c >= 0x80) return undefined;
    }
    if (valueEnd === stop) return undefined;
    const timestamp = parseIsoTimestampBytes(buffer, valueStart, valueEnd);
    return Number.isNaN(timestamp) ? undefined : timestamp;
  }
  return undefined;
}

/**
 * Turns one line of a kube-apiserver audit log into a record, or returns why it cannot. The JSON is
 * parsed only when the timestamp cannot be found by string search; the engine parses it later, and
 * only for lines some query can match. The price: a line that looks like an object and carries a
 * timestamp but is broken in the middle is not reported as malformed; it simply has no fields, so
 * no field filter matches it (it still counts in recordsScanned, as it would on CloudWatch).
 */
export function recordFromAuditLine(line: string, file: string): LogRecord | string {
  const first = line.charCodeAt(0) === 0xfeff ? 1 : 0;
  const trimmedStart = line.length > first && line.charCodeAt(first) === 123; // {
  let lastNonSpace = line.length - 1;
  while (lastNonSpace > 0 && (line.charCodeAt(lastNonSpace) === 32 || line.charCodeAt(lastNonSpace) === 9))
    lastNonSpace--;
  if (!trimmedStart || line.charCodeAt(lastNonSpace) !== 125) {
    // Cheap structural check first: a JSON object starts with { and ends with }. A cut-off line fails here.
    return describeInvalid(line);
  }
  const fast = findTimestampFast(line);
  if (fast !== undefined) {
    const timestamp = parseIsoTimestampMs(fast);
    if (Number.isNaN(timestamp)) return `unparseable timestamp "${truncate(fast)}"`;
    return { timestamp, message: line, logStream: AUDIT_LOG_STREAM, log: file };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(first === 1 ? line.slice(1) : line);
  } catch (error) {
    return invalidJsonReason(error);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return 'not a JSON object';
  const event = parsed as Record<string, unknown>;
  for (const key of TIMESTAMP_KEYS) {
    const value = event[key];
    if (typeof value !== 'string') continue;
    const timestamp = parseIsoTimestampMs(value);
    if (Number.isNaN(timestamp)) return `unparseable ${key} "${truncate(value)}"`;
    return { timestamp, message: line, logStream: AUDIT_LOG_STREAM, log: file, json: event };
  }
  return 'not an audit event: no stageTimestamp, requestReceivedTimestamp or timestamp';
}

function describeInvalid(line: string): string {
  try {
    JSON.parse(line);
    return 'not a JSON object';
  } catch (error) {
    return invalidJsonReason(error);
  }
}

/** The reason for a line JSON.parse rejected; a RangeError means nesting too deep for the parser. */
export function invalidJsonReason(error: unknown): string {
  if (error instanceof RangeError) return 'JSON nested too deeply to parse';
  const message = error instanceof Error ? error.message : String(error);
  return `invalid JSON (${truncate(message, 120)})`;
}

function truncate(text: string, max = 40): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}
