/**
 * The shaped fast path for line layouts: raw audit logs, S3 exports and CloudWatch JSON lines
 * (issue 5). Most lines of an incident repeat a few thousand combinations of the fields the queries
 * read (2,600 in 257k lines of the benchmark), so a line is not decoded or parsed at all: its time
 * and its audit event's bytes are located in the bytes (event-locator.ts), a validating byte scanner
 * finds the tokens of the shape fields, and a shape table turns them into a number. Each query then
 * takes it through QueryRun.addShaped, which evaluates what depends only on those fields once per
 * shape. A line the fast path is not sure about (invalid JSON, escaped or dotted keys, a time it
 * cannot read) goes the ordinary way, so the results are exactly the straightforward engine's.
 * A raw audit log's lines can also come a chunk at a time (the run offer): the WebAssembly scanner
 * then splits, times, scans and interns them in one call, and only the queries' part is left here.
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
import type { ShapedLineOffer, ShapedLines, ShapedRun, ShapedRunOffer } from './readers/record-sink.js';
import type { QueryState } from './query-feed.js';

/** Most shapes one reader keeps (each holds its signature, JSON and per-query results). */
const SHAPE_CAPACITY = 20_000;
/** Lines read before the fast path judges whether shapes repeat at all. */
const PROBATION_LINES = 4096;
/**
 * After a run stops at a line it leaves to the reader, the next runs are skipped for this many lines,
 * doubling while runs keep stopping at once: an input whose lines the run never takes (times in
 * another layout) is not scanned twice per line.
 */
const FIRST_RUN_BACKOFF = 1;
const MOST_RUN_BACKOFF = 1024;

/**
 * The fast path over `queries` (their runs are fed directly), or undefined when none of them gains
 * from it. `project` is the feed's JSON projector, `offerRecord` its ordinary per-record path.
 */
export function createShapedLines(
  queries: readonly (QueryState & { shapeFields: readonly string[]; memoises: boolean })[],
  project: JsonProjector,
  offerRecord: (record: LogRecord, bytes: number, query: QueryState) => void,
): ShapedLines | undefined {
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

  /** Offers the line `located` holds, of shape `shape` and `bytes` bytes, to every query. */
  const offerShape = (shape: number, bytes: number, label: string): void => {
    // Shapes that hardly repeat (a query grouping by object name) only cost: go the ordinary way.
    // The size is read on every line, not only on the judging one: code first reached after V8 has
    // optimised this closure (here, line 4096) throws the optimised code away.
    const crowded = table.size > PROBATION_LINES / 2;
    if (++lines === PROBATION_LINES && crowded) gaveUp = true;
    record = undefined;
    let json = shapeJson[shape];
    if (json === undefined) {
      json = projectShape(located.event.toString('utf8', located.from, located.to));
      shapeJson[shape] = json;
    }
    const timestamp = located.timestamp;
    shaped.shape = shape;
    shaped.timestamp = timestamp;
    shaped.logStream = located.frame.logStream;
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
  };

  const line: ShapedLineOffer = (layout, buffer, start, end, label, logStream) => {
    if (gaveUp) return undefined;
    if (!located.locate(layout, buffer, start, end, logStream)) return undefined;
    const { event, from, to } = located;
    if (!scanner.scan(event, from, to)) return undefined;
    const shape = table.intern(event, scanner);
    if (shape === -1) return undefined;
    offerShape(shape, end - start, label);
    return located.timestamp;
  };

  const taken: ShapedRun = { stop: 0, lines: 0, records: 0, minMs: Infinity, maxMs: -Infinity };
  /** Lines to leave to the reader before the next run, and the next such pause (FIRST_RUN_BACKOFF). */
  let pause = 0;
  let backoff = FIRST_RUN_BACKOFF;
  /** The scanner takes runs (the WebAssembly one); the JS one leaves every line to the reader. */
  let runs = true;
  const run: ShapedRunOffer = (buffer, serial, from, maxLineBytes, label) => {
    taken.stop = from;
    taken.lines = 0;
    taken.records = 0;
    taken.minMs = Infinity;
    taken.maxMs = -Infinity;
    if (gaveUp || !runs) return taken;
    if (pause > 0) {
      pause--;
      return taken;
    }
    for (;;) {
      const lines = table.internAuditLines(buffer, serial, taken.stop, maxLineBytes, scanner);
      if (lines === undefined) {
        runs = false;
        return taken;
      }
      const { count, shapes, starts, ends, times } = lines;
      // Should the probation give up inside this run, the run's later lines still go this way: the
      // fast path answers exactly either way, and giving up only saves work from the next run on.
      for (let i = 0; i < count; i++) {
        const start = starts[i] as number;
        const end = ends[i] as number;
        const timestamp = times[i] as number;
        located.takeAuditLine(buffer, start, end, timestamp);
        offerShape(shapes[i] as number, end - start, label);
        if (timestamp < taken.minMs) taken.minMs = timestamp;
        if (timestamp > taken.maxMs) taken.maxMs = timestamp;
      }
      taken.stop = lines.stop;
      taken.lines += lines.lines;
      taken.records += count;
      if (lines.refused) {
        // Stopped at once: the reader's own lines for a while, longer each time this repeats.
        if (count === 0) {
          pause = backoff;
          backoff = Math.min(backoff * 2, MOST_RUN_BACKOFF);
        } else backoff = FIRST_RUN_BACKOFF;
        return taken;
      }
      backoff = FIRST_RUN_BACKOFF;
      if (count === 0 || gaveUp) return taken;
    }
  };
  return { line, run };
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
