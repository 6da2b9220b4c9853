/**
 * The shaped fast path for line layouts (issue 5). Most lines of an incident repeat a few thousand
 * combinations of the fields the queries read (2,600 in 257k lines of the benchmark), so a line is
 * not decoded or parsed at all: its time is read from the bytes, a validating byte scanner finds the
 * tokens of the shape fields in the audit event's bytes, and a shape table turns them into a number.
 * Each query then takes it through QueryRun.addShaped, which evaluates what depends only on those
 * fields once per shape. The event's bytes are the line itself (raw audit logs), the line after its
 * time (S3 exports), or the `message` string of a CloudWatch JSON line, unescaped into a scratch
 * buffer. A line the fast path is not sure about (invalid JSON, escaped or dotted keys, a time it
 * cannot read) goes the ordinary way, so the results are exactly the straightforward engine's.
 */
import {
  createJsonByteScanner,
  createJsonProjector,
  ShapeTable,
  unescapeJsonString,
  type CapturedRecord,
  type JsonProjector,
  type LogRecord,
  type ShapedRecord,
} from '../insights/index.js';
import { AUDIT_LOG_STREAM, auditTimestampFromBytes } from './readers/audit-line.js';
import { CloudWatchLineBytes } from './readers/cloudwatch-line-bytes.js';
import { parseIsoTimestampBytes } from './readers/iso-timestamp.js';
import type { ShapedLineOffer } from './readers/record-sink.js';
import { s3ExportSpaceFromBytes } from './readers/s3-export-line.js';
import type { QueryState } from './query-feed.js';

/** Most shapes one reader keeps (each holds its signature, JSON and per-query results). */
const SHAPE_CAPACITY = 20_000;
/** Lines read before the fast path judges whether shapes repeat at all. */
const PROBATION_LINES = 4096;
/** Longest CloudWatch message token unescaped into the scratch buffer; longer ones go the ordinary way. */
const MAX_SCRATCH_BYTES = 1024 * 1024;

/**
 * What a line's record holds besides its time, @log and message, and how a capture reads the
 * message from the line's bytes: as they are, or as a JSON string token (`quoted`).
 */
interface RecordFrame {
  readonly logStream: string;
  readonly ingestionTime: number | undefined;
  readonly ptr: string | undefined;
  readonly quoted: boolean;
}

const AUDIT_FRAME: RecordFrame = {
  logStream: AUDIT_LOG_STREAM,
  ingestionTime: undefined,
  ptr: undefined,
  quoted: false,
};

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
  const cloudWatch = new CloudWatchLineBytes();
  let scratch = Buffer.alloc(0);
  let s3Frame: RecordFrame = { ...AUDIT_FRAME, logStream: '' };
  let cloudWatchFrame: RecordFrame = { ...AUDIT_FRAME, logStream: '', quoted: true };

  // The line being offered: its event's bytes event[from, to), where a capture reads the message
  // (line[lineFrom, lineTo), a JSON string token when frame.quoted), and the rest of its record.
  let event: Buffer = scratch;
  let from = 0;
  let to = 0;
  let line: Buffer = scratch;
  let lineFrom = 0;
  let lineTo = 0;
  let frame = AUDIT_FRAME;
  let record: LogRecord | undefined;
  /** The whole record for a run that evaluates it in full (JSON projected as the ordinary path does). */
  const materialize = (): LogRecord => {
    const whole = plain();
    whole.json ??= project(whole.message);
    return whole;
  };
  /** The whole record, JSON not yet parsed (the ordinary path may not need it: prefilters). */
  const plain = (): LogRecord => {
    record ??= recordOf(event.toString('utf8', from, to), shaped.timestamp, shaped.log, frame);
    return record;
  };
  // One mutable ShapedRecord for every line: addShaped reads it only during the call.
  const shaped: ShapedRecord = {
    shape: 0,
    numbering: table,
    timestamp: 0,
    logStream: AUDIT_LOG_STREAM,
    log: '',
    json: null,
    materialize,
    capture: () => new LineCapture(line, lineFrom, lineTo, shaped.timestamp, shaped.log, project, frame),
  };

  /** The shape step, the same for every layout: event[from, to) is the event's JSON. */
  const offerEvent = (timestamp: number, label: string, bytes: number): number | undefined => {
    if (!scanner.scan(event, from, to)) return undefined;
    const shape = table.intern(event, scanner);
    if (shape === -1) return undefined;
    // Shapes that hardly repeat (a query grouping by object name) only cost: go the ordinary way.
    if (++lines === PROBATION_LINES && table.size > PROBATION_LINES / 2) gaveUp = true;
    record = undefined;
    let json = shapeJson[shape];
    if (json === undefined) {
      json = projectShape(event.toString('utf8', from, to));
      shapeJson[shape] = json;
    }
    shaped.shape = shape;
    shaped.timestamp = timestamp;
    shaped.logStream = frame.logStream;
    shaped.log = label;
    shaped.json = json;
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

  return (layout, buffer, start, end, label, logStream) => {
    if (gaveUp) return undefined;
    let timestamp: number | undefined;
    if (layout === 'audit') {
      if (buffer[start] !== 123 /* { */) return undefined;
      timestamp = auditTimestampFromBytes(buffer, start, end);
      if (timestamp === undefined) return undefined;
      event = line = buffer;
      from = lineFrom = start;
      to = lineTo = end;
      frame = AUDIT_FRAME;
    } else if (layout === 's3-export') {
      const space = s3ExportSpaceFromBytes(buffer, start, end);
      if (space < 0) return undefined;
      timestamp = parseIsoTimestampBytes(buffer, start, space);
      if (Number.isNaN(timestamp)) return undefined;
      event = line = buffer;
      from = lineFrom = space + 1;
      to = lineTo = end;
      if (s3Frame.logStream !== logStream) s3Frame = { ...s3Frame, logStream };
      frame = s3Frame;
    } else {
      if (!cloudWatch.read(buffer, start, end)) return undefined;
      const tokenFrom = cloudWatch.messageStart;
      const tokenTo = cloudWatch.messageEnd;
      if (tokenTo - tokenFrom > scratch.length) {
        if (tokenTo - tokenFrom > MAX_SCRATCH_BYTES) return undefined;
        scratch = Buffer.alloc(Math.min(MAX_SCRATCH_BYTES, Math.max(64 * 1024, 2 * (tokenTo - tokenFrom))));
      }
      const length = unescapeJsonString(buffer, tokenFrom, tokenTo, scratch);
      if (length < 0) return undefined;
      timestamp = cloudWatch.timestamp;
      event = scratch;
      from = 0;
      to = length;
      line = buffer;
      lineFrom = tokenFrom;
      lineTo = tokenTo;
      const { logStream: stream, ingestionTime, ptr } = cloudWatch;
      const last = cloudWatchFrame;
      if (last.logStream !== stream || last.ingestionTime !== ingestionTime || last.ptr !== ptr)
        cloudWatchFrame = { logStream: stream, ingestionTime, ptr, quoted: true };
      frame = cloudWatchFrame;
    }
    return offerEvent(timestamp, label, end - start);
  };
}

/** A line kept for later (CapturedRecord): it reads the reader's chunk until keep() copies it. */
class LineCapture implements CapturedRecord {
  private kept = false;
  constructor(
    private bytes: Buffer,
    private from: number,
    private to: number,
    private readonly timestamp: number,
    private readonly log: string,
    private readonly project: JsonProjector,
    private readonly frame: RecordFrame,
  ) {}

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

/** The record the ordinary reader makes of the line (cloudwatch-event.ts, s3-export-line.ts, audit-line.ts). */
function recordOf(message: string, timestamp: number, log: string, frame: RecordFrame): LogRecord {
  const record: LogRecord = { timestamp, message, logStream: frame.logStream, log };
  if (frame.ingestionTime !== undefined) record.ingestionTime = frame.ingestionTime;
  if (frame.ptr !== undefined) record.ptr = frame.ptr;
  return record;
}
