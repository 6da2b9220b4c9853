/** What the main thread and a range worker exchange (structured-clone data only). */
import type { RunPartial } from '../../insights/index.js';
import type { InputSummary } from '../readers/record-sink.js';
import type { QueryRequest, SkippedLineSample } from '../source.js';

/** How many skipped-line samples are kept for the report. */
export const SKIPPED_SAMPLES = 5;

/** One worker's share of a file: bytes [start, end] (both inclusive), whole lines only. */
export interface RangeJob {
  file: string;
  label: string;
  start: number;
  end: number;
  requests: QueryRequest[];
  maxLineBytes?: number;
  /** The shaped fast path is allowed (LocalSourceOptions.shapes). */
  shapes?: boolean;
}

/** What a worker read in its range. Line numbers in `samples` count from the range's first line. */
export interface RangeResult {
  /** Each query's saved run, undefined when it cannot be merged exactly. */
  partials: (RunPartial | undefined)[];
  /** Each query's [recordsScanned, bytesScanned]. */
  scanned: [number, number][];
  summary: InputSummary;
  minMs: number;
  maxMs: number;
  skippedCount: number;
  samples: SkippedLineSample[];
}

/** The message a worker posts when it is done. */
export type RangeMessage = { ok: true; result: RangeResult } | { ok: false; message: string };
