import type { LogRecord } from './record.js';

/**
 * A record on the shaped fast path: the reader has grouped it with every earlier record whose
 * message holds the same values under the shape fields (shape-plan.ts), and hands over only what
 * differs (its time) plus ways to get the whole record when a query needs more.
 */
export interface ShapedRecord {
  /** The shape: equal for records whose shape fields hold equal values, within one numbering. */
  shape: number;
  /**
   * Whose numbering `shape` is (each reader keeps its own): a run fed by another reader than before
   * (a later file, after a parallel read) forgets what it remembered per shape.
   */
  numbering: object;
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
  /**
   * A handle that gives the whole record later, without copying the line until it must. `reuse`, a
   * handle this reader gave before and its holder no longer needs, may be recycled for it.
   */
  capture(reuse?: CapturedRecord): CapturedRecord;
}

/**
 * A record kept for later. It reads the reader's own bytes, which stay valid but keep their whole
 * chunk in memory, so the reader asks the runs to settle (QueryRun.settle) before it moves on and
 * they keep() what they still hold: only rows that survive copy their line.
 */
export interface CapturedRecord {
  record(): LogRecord;
  /** Copies the line, so that the chunk it came from can be freed. */
  keep(): void;
}
