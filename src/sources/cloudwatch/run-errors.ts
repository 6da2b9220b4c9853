/**
 * Errors a CloudWatch run can end with. Each keeps `partial`: the outcomes of the queries that had
 * already completed (by request index, `undefined` where none), so the caller can still write them.
 */
import { AppError, InterruptedError, SourceError, UsageError, type AppErrorOptions } from '../../errors.js';
import type { QueryOutcome } from '../source.js';
import { classifyAwsError } from '../../aws/insights-queries.js';
import { iamActionOf, toAppError } from '../../aws/aws-errors.js';

/** Outcomes completed before a run stopped, by request index. */
export type PartialOutcomes = (QueryOutcome | undefined)[];

/** Ctrl-C/SIGTERM during a run: running queries were stopped (exit 130). */
export class QueryRunInterruptedError extends InterruptedError {
  partial: PartialOutcomes = [];
  /** Query ids that were still running and got StopQuery. */
  stoppedQueryIds: string[] = [];
}

/** A query ended Failed/Timeout/Cancelled/Unknown, ran past `--query-timeout`, or AWS refused the run (exit 4). */
export class QueryRunFailedError extends SourceError {
  partial: PartialOutcomes = [];
  constructor(
    message: string,
    readonly queryName: string | undefined,
    options: AppErrorOptions = {},
  ) {
    super(message, options);
  }
}

/** The scan passed `--max-scan-gb` while running; the queries were stopped (exit 2, like the estimate refusal). */
export class ScanBudgetExceededError extends UsageError {
  partial: PartialOutcomes = [];
}

/** CloudWatch rejected the query text (MalformedQueryException): its message and position (exit 3). */
export class CloudWatchQueryError extends AppError {
  partial: PartialOutcomes = [];
  constructor(
    message: string,
    readonly queryName: string,
    readonly queryString: string,
    /** Character offsets from `queryCompileError.location`, when CloudWatch gave them. */
    readonly location: { start: number; end: number } | undefined,
    options: AppErrorOptions = {},
  ) {
    super(message, 3, options);
  }

  /** `error: ...`, then `--> query:L:C`, the line and a caret, like our own query errors. */
  format(): string {
    const head = `error: CloudWatch rejected query "${this.queryName}": ${this.message}`;
    if (this.location === undefined) return head;
    const before = this.queryString.slice(0, this.location.start);
    const lineNumber = before.split('\n').length;
    const lineStart = before.lastIndexOf('\n') + 1;
    const lineEnd = this.queryString.indexOf('\n', lineStart);
    const line = this.queryString.slice(lineStart, lineEnd === -1 ? undefined : lineEnd);
    const column = this.location.start - lineStart;
    const width = Math.max(
      1,
      Math.min(this.location.end, lineEnd === -1 ? this.queryString.length : lineEnd) - this.location.start,
    );
    return `${head}\n  --> query:${lineNumber}:${column + 1}\n   | ${line}\n   | ${' '.repeat(column)}${'^'.repeat(width)}`;
  }
}

/** Errors that carry partial outcomes. */
export type RunErrorWithPartial =
  QueryRunInterruptedError | QueryRunFailedError | ScanBudgetExceededError | CloudWatchQueryError;

/** True when the error carries the outcomes completed before the run stopped. */
export function hasPartialOutcomes(error: unknown): error is RunErrorWithPartial {
  return (
    error instanceof QueryRunInterruptedError ||
    error instanceof QueryRunFailedError ||
    error instanceof ScanBudgetExceededError ||
    error instanceof CloudWatchQueryError
  );
}

/**
 * An SDK error from a Logs call as a QueryRunFailedError naming the query, with the message and hint
 * the shared AWS error mapping gives (expired credentials, a missing IAM action, ...).
 */
export function runErrorFromAws(
  error: unknown,
  operation: string,
  queryName: string | undefined,
): QueryRunFailedError {
  const mapped = toAppError(error, { action: iamActionOf(error) ?? `logs:${operation}` });
  const subject = queryName === undefined ? operation : `Query "${queryName}" (${operation})`;
  if (mapped instanceof AppError) {
    // Credentials: every started query is stopped on the way out; say so in the hint.
    const stopped =
      classifyAwsError(error) === 'credentials' ? '; the queries already started were stopped' : '';
    return new QueryRunFailedError(`${subject}: ${mapped.message}`, queryName, {
      cause: error,
      ...(mapped.hint === undefined ? {} : { hint: `${mapped.hint}${stopped}` }),
    });
  }
  const e = error as { name?: string; message?: string };
  return new QueryRunFailedError(
    `${subject} failed: ${e.name ?? 'Error'}: ${e.message ?? String(error)}`,
    queryName,
    { cause: error },
  );
}
