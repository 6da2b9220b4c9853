import type { LogRecord } from '../../insights/record.js';
import type { SkippedLineSample } from '../source.js';

/** Where a reader delivers what it read: each event as a LogRecord, each malformed line as a sample. */
export interface RecordSink {
  /** `bytes` is the event's size in bytes, for `bytesScanned`. */
  record(record: LogRecord, bytes: number): void;
  skip(sample: SkippedLineSample): void;
  /**
   * Takes one line buffer[start, end) of `layout` without a record (the shaped fast path, see
   * sources/shaped-lines.ts); false when the reader must make the record itself. `logStream` is
   * the stream of an S3 export's lines (its folder). Optional.
   */
  shapedLine?(...line: ShapedLine): boolean;
  /**
   * Takes the lines of a raw audit log's chunk from `from` on without records, until a line it leaves
   * to the reader (the shaped fast path a chunk at a time, see sources/shaped-lines.ts). Optional.
   */
  shapedRun?: ShapedRunOffer;
  /** The reader is done with the chunk the last lines came from (its memory may be reused). Optional. */
  chunkDone?(): void;
}

/** The detected layout of one input. */
export type LogFormat =
  'audit' | 'cloudwatch-jsonl' | 'filter-log-events' | 's3-export' | 'empty' | 'unknown';

/** The layouts of one event per line. */
export type LineLayout = 'audit' | 'cloudwatch-jsonl' | 's3-export';

/** One line buffer[start, end) of `layout`, from input `label` (`logStream`: an S3 export line's folder). */
export type ShapedLine = [
  layout: LineLayout,
  buffer: Buffer,
  start: number,
  end: number,
  label: string,
  logStream: string,
];

/** Offers one line of `layout` to the queries without a record: its time when taken, else undefined. */
export type ShapedLineOffer = (...line: ShapedLine) => number | undefined;

/**
 * Offers the lines of a raw audit log's chunk `buffer` (its contents named by `serial`), from byte
 * `from` on, to the queries without records, up to a line it leaves to the reader. `maxLineBytes`:
 * longer lines are the reader's to report. The answer is shared, valid until the next call.
 */
export type ShapedRunOffer = (
  buffer: Buffer,
  serial: number,
  from: number,
  maxLineBytes: number,
  label: string,
) => ShapedRun;

/** What a ShapedRunOffer took. */
export interface ShapedRun {
  /** Where the reader goes on: the start of the line it is left, or of the next line. */
  stop: number;
  /** Newlines passed: lines taken and blank lines. */
  lines: number;
  /** Lines taken, each offered to the queries. */
  records: number;
  /** The earliest and latest time of the lines taken (infinite when none). */
  minMs: number;
  maxMs: number;
}

/** The shaped fast path of a query feed: one line at a time, and a chunk's run of raw audit lines. */
export interface ShapedLines {
  line: ShapedLineOffer;
  run: ShapedRunOffer;
}

/** What reading one input produced. */
export interface InputSummary {
  label: string;
  format: LogFormat;
  records: number;
  skipped: number;
  gzip: boolean;
  /** Why the input could not be read to its end (a truncated gzip); its later events are lost. */
  cutShort?: string;
}

/** Lines longer than this are skipped without being held whole: no audit event is anywhere near it. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;

/** What every pass over the inputs reports besides the query results: time bounds and skipped lines. */
export interface ReadTally {
  minMs: number;
  maxMs: number;
  skippedCount: number;
  /** The first few skipped lines only. */
  samples: SkippedLineSample[];
}

/**
 * A RecordSink that hands each record to `offer` (and lines to the shaped fast path `shaped`, which
 * answers a line's time or undefined) and keeps the tally, with at most `maxSamples` samples.
 */
export function createTallyingSink(
  offer: (record: LogRecord, bytes: number) => void,
  maxSamples: number,
  shaped?: ShapedLines,
  chunkDone?: () => void,
): { sink: RecordSink; tally: ReadTally } {
  const tally: ReadTally = {
    minMs: Number.POSITIVE_INFINITY,
    maxMs: Number.NEGATIVE_INFINITY,
    skippedCount: 0,
    samples: [],
  };
  const sink: RecordSink = {
    record(record, bytes) {
      const ts = record.timestamp;
      if (ts < tally.minMs) tally.minMs = ts;
      if (ts > tally.maxMs) tally.maxMs = ts;
      offer(record, bytes);
    },
    skip(sample) {
      tally.skippedCount++;
      if (tally.samples.length < maxSamples) tally.samples.push(sample);
    },
  };
  if (shaped !== undefined) {
    const offerLine = shaped.line;
    const offerRun = shaped.run;
    sink.shapedLine = (layout, buffer, start, end, label, logStream) => {
      const ts = offerLine(layout, buffer, start, end, label, logStream);
      if (ts === undefined) return false;
      if (ts < tally.minMs) tally.minMs = ts;
      if (ts > tally.maxMs) tally.maxMs = ts;
      return true;
    };
    sink.shapedRun = (buffer, serial, from, maxLineBytes, label) => {
      const run = offerRun(buffer, serial, from, maxLineBytes, label);
      if (run.minMs < tally.minMs) tally.minMs = run.minMs;
      if (run.maxMs > tally.maxMs) tally.maxMs = run.maxMs;
      return run;
    };
  }
  if (chunkDone !== undefined) sink.chunkDone = chunkDone;
  return { sink, tally };
}

/** Adds another pass's tally (a worker thread's byte range) into `into`. */
export function addTally(into: ReadTally, from: ReadTally, maxSamples: number): void {
  if (from.minMs < into.minMs) into.minMs = from.minMs;
  if (from.maxMs > into.maxMs) into.maxMs = from.maxMs;
  into.skippedCount += from.skippedCount;
  for (const sample of from.samples) if (into.samples.length < maxSamples) into.samples.push(sample);
}
