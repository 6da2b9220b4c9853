import type { LogRecord } from '../../insights/record.js';
import type { SkippedLineSample } from '../source.js';

/** Where a reader delivers what it read: each event as a LogRecord, each malformed line as a sample. */
export interface RecordSink {
  /** `bytes` is the event's size in bytes, for `bytesScanned`. */
  record(record: LogRecord, bytes: number): void;
  skip(sample: SkippedLineSample): void;
}

/** The detected layout of one input. */
export type LogFormat =
  'audit' | 'cloudwatch-jsonl' | 'filter-log-events' | 's3-export' | 'empty' | 'unknown';

/** What reading one input produced. */
export interface InputSummary {
  label: string;
  format: LogFormat;
  records: number;
  skipped: number;
  gzip: boolean;
}

/** Lines longer than this are skipped without being held whole: no audit event is anywhere near it. */
export const DEFAULT_MAX_LINE_BYTES = 16 * 1024 * 1024;
