/**
 * The first step of the shaped fast path (shaped-lines.ts) for each line layout: where the audit
 * event's JSON bytes are, the line's time, and the rest of the record the ordinary reader would make,
 * all read from the bytes. The event is the line itself (raw audit logs), the line after its time
 * (S3 exports), or the `message` string of a CloudWatch JSON line, unescaped into a scratch buffer.
 * A line it is not sure about is refused, and the reader then makes its record the ordinary way.
 */
import { unescapeJsonString } from '../insights/index.js';
import { AUDIT_LOG_STREAM, auditTimestampFromBytes } from './readers/audit-line.js';
import { CloudWatchLineBytes } from './readers/cloudwatch-line-bytes.js';
import { parseIsoTimestampBytes } from './readers/iso-timestamp.js';
import type { LineLayout } from './readers/record-sink.js';
import { s3ExportSpaceFromBytes } from './readers/s3-export-line.js';

/** Longest CloudWatch message token unescaped into the scratch buffer; longer ones go the ordinary way. */
const MAX_SCRATCH_BYTES = 1024 * 1024;

/**
 * What a line's record holds besides its time, @log and message, and how a capture reads the
 * message from the line's bytes: as they are, or as a JSON string token (`quoted`).
 */
export interface RecordFrame {
  readonly logStream: string;
  readonly ingestionTime: number | undefined;
  readonly ptr: string | undefined;
  readonly quoted: boolean;
}

/** The frame of a raw audit line. */
export const AUDIT_FRAME: RecordFrame = {
  logStream: AUDIT_LOG_STREAM,
  ingestionTime: undefined,
  ptr: undefined,
  quoted: false,
};

/** Locates the event of one line at a time; its fields describe the last line locate() took. */
export class EventLocator {
  /** The event's JSON is event[from, to): the reader's chunk, or the scratch buffer. */
  event: Buffer = Buffer.alloc(0);
  from = 0;
  to = 0;
  /** Where a capture reads the message later: line[lineFrom, lineTo) of the reader's chunk. */
  line: Buffer = this.event;
  lineFrom = 0;
  lineTo = 0;
  frame: RecordFrame = AUDIT_FRAME;
  /** `@timestamp`, as the ordinary reader gives it. */
  timestamp = 0;
  private scratch: Buffer = this.event;
  /** Made on the first CloudWatch line (a scanner instance that raw audit and S3 inputs never use). */
  private cloudWatch: CloudWatchLineBytes | undefined;
  private s3Frame: RecordFrame = { ...AUDIT_FRAME, logStream: '' };
  private cloudWatchFrame: RecordFrame = { ...AUDIT_FRAME, logStream: '', quoted: true };

  /**
   * Takes the line buffer[start, end) of `layout` (`logStream`: an S3 export's stream); false when
   * the reader must make its record the ordinary way.
   */
  locate(layout: LineLayout, buffer: Buffer, start: number, end: number, logStream: string): boolean {
    if (layout === 'audit') {
      if (buffer[start] !== 123 /* { */) return false;
      const timestamp = auditTimestampFromBytes(buffer, start, end);
      if (timestamp === undefined) return false;
      this.inPlace(buffer, start, end, timestamp, AUDIT_FRAME);
      return true;
    }
    if (layout === 's3-export') {
      const space = s3ExportSpaceFromBytes(buffer, start, end);
      if (space < 0) return false;
      const timestamp = parseIsoTimestampBytes(buffer, start, space);
      if (Number.isNaN(timestamp)) return false;
      if (this.s3Frame.logStream !== logStream) this.s3Frame = { ...this.s3Frame, logStream };
      this.inPlace(buffer, space + 1, end, timestamp, this.s3Frame);
      return true;
    }
    return this.locateCloudWatch(buffer, start, end);
  }

  /** Takes a raw audit line whose time is already known (the run of a chunk, shaped-lines.ts). */
  takeAuditLine(buffer: Buffer, start: number, end: number, timestamp: number): void {
    this.inPlace(buffer, start, end, timestamp, AUDIT_FRAME);
  }

  private inPlace(buffer: Buffer, from: number, to: number, timestamp: number, frame: RecordFrame): void {
    this.event = buffer;
    this.from = from;
    this.to = to;
    this.line = buffer;
    this.lineFrom = from;
    this.lineTo = to;
    this.timestamp = timestamp;
    this.frame = frame;
  }

  private locateCloudWatch(buffer: Buffer, start: number, end: number): boolean {
    const cloudWatch = (this.cloudWatch ??= new CloudWatchLineBytes());
    if (!cloudWatch.read(buffer, start, end)) return false;
    const tokenFrom = cloudWatch.messageStart;
    const tokenTo = cloudWatch.messageEnd;
    const size = tokenTo - tokenFrom;
    if (size > this.scratch.length) {
      if (size > MAX_SCRATCH_BYTES) return false;
      this.scratch = Buffer.alloc(Math.min(MAX_SCRATCH_BYTES, Math.max(64 * 1024, 2 * size)));
    }
    const length = unescapeJsonString(buffer, tokenFrom, tokenTo, this.scratch);
    if (length < 0) return false;
    this.event = this.scratch;
    this.from = 0;
    this.to = length;
    this.line = buffer;
    this.lineFrom = tokenFrom;
    this.lineTo = tokenTo;
    this.timestamp = cloudWatch.timestamp;
    const { logStream, ingestionTime, ptr } = cloudWatch;
    const last = this.cloudWatchFrame;
    // One frame per run of lines with the same stream (and no eventId): captures share it.
    if (last.logStream !== logStream || last.ingestionTime !== ingestionTime || last.ptr !== ptr)
      this.cloudWatchFrame = { logStream, ingestionTime, ptr, quoted: true };
    this.frame = this.cloudWatchFrame;
    return true;
  }
}
