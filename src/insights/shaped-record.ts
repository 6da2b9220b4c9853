import type { LogRecord } from './record.js';

/**
 * A record on the shaped fast path: the reader has grouped it with every earlier record whose
 * message holds the same values under the shape fields (shape-plan.ts), and hands over only what
 * differs (its time) plus ways to get the whole record when a query needs more.
 */
export interface ShapedRecord {
  /** The shape: equal for records whose shape fields hold equal values (one numbering per reader). */
  shape: number;
  timestamp: number;
  logStream: string;
  log: string;
  /**
   * The shape's message JSON, shared by all its records: what the record's own JSON gives under the
   * shape fields (other keys may be missing); null when the message is not a JSON object.
   */
  json: Record<string, unknown> | null;
  /** The whole record; call it only while the record is being added. */
  materialize(): LogRecord;
  /** A function that gives the whole record later (it keeps a copy of the line). */
  capture(): () => LogRecord;
}
