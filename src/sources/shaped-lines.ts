/**
 * The shaped fast path for line layouts: raw audit logs, S3 exports and CloudWatch JSON lines
 * (issue 5). Most lines of an incident repeat a few thousand combinations of the fields the queries
 * read (2,600 in 257k lines of the benchmark), so a line is not decoded or parsed at all: its time
 * and its audit event's bytes are located in the bytes (event-locator.ts), a validating byte scanner
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
import { AUDIT_FRAME, EventLocator, type RecordFrame } from './event-locator.js';
import { AUDIT_LOG_STREAM } from './readers/audit-line.js';
import type { ShapedLineOffer } from './readers/record-sink.js';
import type { QueryState } from './query-feed.js';

/** Most shapes one reader keeps (each holds its signature, JSON and per-query results). */
const SHAPE_CAPACITY = 20_000;
/** Lines read before the fast path judges whether shapes repeat at all. */
const PROBATION_LINES = 4096;

/**
 * The fast path over `queries` (their runs are fed directly), or undefined when none of them gains
 * from it. `project` is the feed's JSON projector, `offerRecord` its ordinary per-record path.
 */
export function createShapedLines(
  queries: readonly (QueryState & { shapeFields: readonly string[]; memoises: boolean })[],
  project: JsonProjector,
  offerRecord: (record: LogRecord, bytes: number, query: QueryState) => void,
): ShapedLineOffer | undefined {
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
  const located = new EventLocator();
  let record: LogRecord | undefined;
  /** The whole record for a run that evaluates it in full (JSON projected as the ordinary path does). */
  const materialize = (): LogRecord => {
    const whole = plain();
    whole.json ??= project(whole.message);
    return whole;
  };
  /** The whole record, JSON not yet parsed (the ordinary path may not need it: prefilters). */
  const plain = (): LogRecord => {
    record ??= recordOf(
      located.event.toString('utf8', located.from, located.to),
      shaped.timestamp,
      shaped.log,
      located.frame,
    );
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
      (reuse instanceof LineCapture ? reuse : new LineCapture(project)).reset(
        located.line,
        located.lineFrom,
        located.lineTo,
        shaped.timestamp,
        shaped.log,
        located.frame,
      ),
  };

  return (layout, buffer, start, end, label, logStream) => {
    if (gaveUp) return undefined;
    if (!located.locate(layout, buffer, start, end, logStream)) return undefined;
    const { event, from, to, timestamp } = located;
    if (!scanner.scan(event, from, to)) return undefined;
    const shape = table.intern(event, scanner);
    if (shape === -1) return undefined;
    // Shapes that hardly repeat (a query grouping by object name) only cost: go the ordinary way.
    // The size is read on every line, not only on the judging one: code first reached after V8 has
    // optimised this closure (here, line 4096) throws the optimised code away.
    const crowded = table.size > PROBATION_LINES / 2;
    if (++lines === PROBATION_LINES && crowded) gaveUp = true;
    record = undefined;
    let json = shapeJson[shape];
    if (json === undefined) {
      json = projectShape(event.toString('utf8', from, to));
      shapeJson[shape] = json;
    }
    shaped.shape = shape;
    shaped.timestamp = timestamp;
    shaped.logStream = located.frame.logStream;
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

const EMPTY = Buffer.alloc(0);

/** A line kept for later (CapturedRecord): it reads the reader's chunk until keep() copies it. */
class LineCapture implements CapturedRecord {
  private kept = false;
  private bytes: Buffer = EMPTY;
  private from = 0;
  private to = 0;
  private timestamp = 0;
  private log = '';
  private frame: RecordFrame = AUDIT_FRAME;
  constructor(private readonly project: JsonProjector) {}

  /** Points the handle at a line (a new one, or one its holder let go: ShapedRecord.capture's `reuse`). */
  reset(bytes: Buffer, from: number, to: number, timestamp: number, log: string, frame: RecordFrame): this {
    this.kept = false;
    this.bytes = bytes;
    this.from = from;
    this.to = to;
    this.timestamp = timestamp;
    this.log = log;
    this.frame = frame;
    return this;
  }

  record(): LogRecord {
    const text = this.bytes.toString('utf8', this.from, this.to);
    // A JSON string token's own parse gives what parsing its whole line gives the member.
    const message = this.frame.quoted ? (JSON.parse(text) as string) : text;
    const whole = recordOf(message, this.timestamp, this.log, this.frame);
    whole.json = this.project(message);
    return whole;
  }

  keep(): void {
    if (this.kept) return;
    this.kept = true;
    this.bytes = Buffer.from(this.bytes.subarray(this.from, this.to));
    this.from = 0;
    this.to = this.bytes.length;
  }
}

/** The record the ordinary reader makes of the line (audit-line.ts, s3-export-line.ts, cloudwatch-event.ts). */
function recordOf(message: string, timestamp: number, log: string, frame: RecordFrame): LogRecord {
  const record: LogRecord = { timestamp, message, logStream: frame.logStream, log };
  if (frame.ingestionTime !== undefined) record.ingestionTime = frame.ingestionTime;
  if (frame.ptr !== undefined) record.ptr = frame.ptr;
  return record;
}
