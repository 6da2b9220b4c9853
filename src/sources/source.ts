/**
 * The one interface everything above the sources talks to: run Logs Insights queries over a time range.
 * CloudWatch Logs Insights and the local engine both implement it; analysis never knows which answered.
 */

/** A closed time interval in epoch milliseconds; both ends inclusive, as StartQuery's are. */
export interface TimeRange {
  startMs: number;
  endMs: number;
}

/** The statistics CloudWatch returns with a result (GetQueryResults `statistics`). */
export interface QueryStatistics {
  recordsScanned: number;
  recordsMatched: number;
  bytesScanned: number;
  /** Bytes a field index let the engine skip (CloudWatch only, when `filterIndex` applied). */
  estimatedBytesSkipped?: number;
}

/** One query to run. */
export interface QueryRequest {
  /** Stored query name or a label, used in progress lines and errors. */
  name: string;
  queryString: string;
  /** Omitted: every record the source has (the local default). */
  range?: TimeRange;
  /** StartQuery `limit`: the most rows to return. */
  limit?: number;
}

/** A malformed input line that was skipped, kept so the user can go and look at it. */
export interface SkippedLineSample {
  file: string;
  line: number;
  reason: string;
}

/** How many malformed input lines were skipped, with the first few. */
export interface SkippedLines {
  count: number;
  /** The first few only. */
  samples: SkippedLineSample[];
}

/** The answer to one QueryRequest. Values are strings exactly as CloudWatch returns them. */
export interface QueryOutcome {
  request: QueryRequest;
  /** Column order of the rows. */
  fields: string[];
  rows: Record<string, string>[];
  statistics: QueryStatistics;
  /**
   * True when the rows may be incomplete because a result cap was reached (an aggregate that hit
   * the row limit, or a raw query that could not be split further).
   */
  truncated: boolean;
  /** The Logs Insights console page for this query (CloudWatch only). */
  consoleUrl?: string;
  /** Malformed lines the local source skipped. */
  skipped?: SkippedLines;
  /** Things the user should know that did not stop the run (an empty input file, say). */
  warnings?: string[];
  /**
   * Inputs the source could not read to their end (a truncated gzip), each with why: the rows miss
   * whatever came after the cut, so an analysis built on them is incomplete.
   */
  cutShort?: string[];
}

/** Progress of one running query, for the progress line on stderr. */
export interface QueryProgress {
  name: string;
  status: string;
  recordsScanned: number;
  bytesScanned: number;
  elapsedMs: number;
}

/** How a caller steers and watches a run: abort signal, progress and --verbose narration. */
export interface RunOptions {
  /** Aborting stops every running query (StopQuery on CloudWatch) and rejects with InterruptedError. */
  signal?: AbortSignal;
  onProgress?: (progress: QueryProgress) => void;
  /** One line of `--verbose` narration (retries, window splits). */
  onVerbose?: (message: string) => void;
}

/** A place that answers Logs Insights queries. */
export interface LogSource {
  readonly kind: 'local' | 'cloudwatch';
  /** Human label: the log group, or the files read. */
  readonly label: string;
  /**
   * Runs the queries and resolves with one outcome per request, in order. The local source answers
   * them all in one pass over its files; CloudWatch runs them concurrently through a pool.
   */
  runAll(requests: QueryRequest[], options?: RunOptions): Promise<QueryOutcome[]>;
}
