/**
 * The shaped fast path for raw audit-log lines (issue 5). Most lines of an incident repeat a few
 * thousand combinations of the fields the queries read (2,600 in 257k lines of the benchmark), so a
 * line is not decoded or parsed at all: its time is read from the bytes, a validating byte scanner
 * finds the tokens of the shape fields, and a shape table turns them into a number. Each query then
 * takes it through QueryRun.addShaped, which evaluates what depends only on those fields once per
 * shape. A line the fast path is not sure about (invalid JSON, escaped or dotted keys, a time it
 * cannot read) goes the ordinary way, so the results are exactly the straightforward engine's.
 */
import {
  createJsonByteScanner,
  createJsonProjector,
  ShapeTable,
  type CapturedRecord,
  type JsonProjector,
  type LogRecord,
  type ShapedRecord,
} from '../insights/index.js';
import { AUDIT_LOG_STREAM, auditTimestampFromBytes } from './readers/audit-line.js';
import type { QueryState } from './query-feed.js';

/** Most shapes one reader keeps (each holds its signature, JSON and per-query results). */
const SHAPE_CAPACITY = 20_000;
/** Lines read before the fast path judges whether shapes repeat at all. */
const PROBATION_LINES = 4096;

/** Offers raw audit lines to the queries; the line's time when taken, undefined when the caller must. */
export type AuditLineOffer = (
  buffer: Buffer,
  start: number,
  end: number,
  label: string,
) => number | undefined;

/**
 * The fast path over `queries` (their runs are fed directly), or undefined when none of them gains
 * from it. `project` is the feed's JSON projector, `offerRecord` its ordinary per-record path.
 */
export function createShapedAuditLines(
  queries: readonly (QueryState & { shapeFields: readonly string[]; memoises: boolean })[],
  project: JsonProjector,
  offerRecord: (record: LogRecord, bytes: number, query: QueryState) => void,
): AuditLineOffer | undefined {
  if (!queries.some((query) => query.memoises)) return undefined;
  const fields = [...new Set(queries.flatMap((query) => (query.memoises ? query.shapeFields : [])))];
  const scanner = createJsonByteScanner(fields);
  if (scanner === undefined) return undefined;
  const table = new ShapeTable(
    fields.map((_, k) => k),
    SHAPE_CAPACITY,
  );
  const projectShape = createJsonProjector(fields);
  const shapeJson: (Record<string, unknown> | null)[] = [];
  let lines = 0;
  let gaveUp = false;

  // One mutable ShapedRecord for every line: addShaped reads it only during the call.
  let buf: Buffer = Buffer.alloc(0);
  let from = 0;
  let to = 0;
  let record: LogRecord | undefined;
  /** The whole record for a run that evaluates it in full (JSON projected as the ordinary path does). */
  const materialize = (): LogRecord => {
    const whole = plain();
    whole.json ??= project(whole.message);
    return whole;
  };
  /** The whole record, JSON not yet parsed (the ordinary path may not need it: prefilters). */
  const plain = (): LogRecord => {
    record ??= {
      timestamp: shaped.timestamp,
      message: buf.toString('utf8', from, to),
      logStream: AUDIT_LOG_STREAM,
      log: shaped.log,
    };
    return record;
  };
  const shaped: ShapedRecord = {
    shape: 0,
    numbering: table,
    timestamp: 0,
    logStream: AUDIT_LOG_STREAM,
    log: '',
    json: null,
    materialize,
    capture: (reuse) =>
      reuse instanceof LineCapture
        ? reuse.reset(buf, from, to, shaped.timestamp, shaped.log)
        : new LineCapture(buf, from, to, shaped.timestamp, shaped.log, project),
  };

  return (buffer, start, end, label) => {
    if (gaveUp) return undefined;
    if (buffer[start] !== 123 /* { */) return undefined;
    const timestamp = auditTimestampFromBytes(buffer, start, end);
    if (timestamp === undefined || !scanner.scan(buffer, start, end)) return undefined;
    const shape = table.intern(buffer, scanner);
    if (shape === -1) return undefined;
    // Shapes that hardly repeat (a query grouping by object name) only cost: go the ordinary way.
    if (++lines === PROBATION_LINES && table.size > PROBATION_LINES / 2) gaveUp = true;
    buf = buffer;
    from = start;
    to = end;
    record = undefined;
    let json = shapeJson[shape];
    if (json === undefined) {
      json = projectShape(buffer.toString('utf8', start, end));
      shapeJson[shape] = json;
    }
    shaped.shape = shape;
    shaped.timestamp = timestamp;
    shaped.log = label;
    shaped.json = json;
    const bytes = end - start;
    for (const query of queries) {
      // Both ends inclusive, as StartQuery's startTime/endTime are.
      if (timestamp < query.startMs || timestamp > query.endMs) continue;
      if (!query.memoises) {
        offerRecord(plain(), bytes, query);
        continue;
      }
      query.recordsScanned++;
      query.bytesScanned += bytes;
      query.run.addShaped(shaped);
    }
    return timestamp;
  };
}

/** A line kept for later (CapturedRecord): it reads the reader's chunk until keep() copies it. */
class LineCapture implements CapturedRecord {
  private kept = false;
  constructor(
    private bytes: Buffer,
    private from: number,
    private to: number,
    private timestamp: number,
    private log: string,
    private readonly project: JsonProjector,
  ) {}

  /** The same handle for another line (ShapedRecord.capture's `reuse`). */
  reset(bytes: Buffer, from: number, to: number, timestamp: number, log: string): this {
    this.kept = false;
    this.bytes = bytes;
    this.from = from;
    this.to = to;
    this.timestamp = timestamp;
    this.log = log;
    return this;
  }

  record(): LogRecord {
    return recordOf(this.bytes.toString('utf8', this.from, this.to), this.timestamp, this.log, this.project);
  }

  keep(): void {
    if (this.kept) return;
    this.kept = true;
    this.bytes = Buffer.from(this.bytes.subarray(this.from, this.to));
    this.from = 0;
    this.to = this.bytes.length;
  }
}

function recordOf(message: string, timestamp: number, log: string, project: JsonProjector): LogRecord {
  return { timestamp, message, logStream: AUDIT_LOG_STREAM, log, json: project(message) };
}
