/**
 * Errors a CloudWatch run can end with. Each keeps `partial`: the outcomes of the queries that had
 * already completed (by request index, `undefined` where none), so the caller can still write them.
 */
import { AppError, InterruptedError, SourceError, UsageError, type AppErrorOptions } from '../../errors.js';
import type { QueryOutcome } from '../source.js';
import { classifyAwsError } from '../../aws/insights-queries.js';

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
    const width = Math.max(1, Math.min(this.location.end, lineEnd === -1 ? this.queryString.length : lineEnd) - this.location.start);
    return `${head}\n  --> query:${lineNumber}:${column + 1}\n   | ${line}\n   | ${' '.repeat(column)}${'^'.repeat(width)}`;
  }
}

/** Errors that carry partial outcomes. */
export type RunErrorWithPartial = QueryRunInterruptedError | QueryRunFailedError | ScanBudgetExceededError | CloudWatchQueryError;

/** True when the error carries the outcomes completed before the run stopped. */
export function hasPartialOutcomes(error: unknown): error is RunErrorWithPartial {
  return (
    error instanceof QueryRunInterruptedError ||
    error instanceof QueryRunFailedError ||
    error instanceof ScanBudgetExceededError ||
    error instanceof CloudWatchQueryError
  );
}

/** The IAM action a Logs API operation needs (action = `logs:` + the API name). */
function iamAction(operation: string): string {
  return `logs:${operation}`;
}

/**
 * An SDK error from a Logs call as a SourceError in the user's terms, with a hint. Expired or missing
 * credentials and missing permissions are the common ones during an incident.
 */
export function runErrorFromAws(error: unknown, operation: string, queryName: string | undefined): QueryRunFailedError {
  const e = error as { name?: string; message?: string };
  const name = e.name ?? 'Error';
  const detail = e.message ?? String(error);
  const subject = queryName === undefined ? operation : `${operation} for query "${queryName}"`;
  if (classifyAwsError(error) === 'credentials') {
    return new QueryRunFailedError(`${subject} failed: the AWS credentials are expired or invalid (${name}).`, queryName, {
      cause: error,
      hint: 'Refresh your credentials (for SSO: `aws sso login --profile <profile>`) and run again; queries already started were stopped.',
    });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied') {
    return new QueryRunFailedError(`${subject} was denied: ${detail}`, queryName, {
      cause: error,
      hint: `This call needs the IAM permission ${iamAction(operation)}; see \`eks-etcd-insights iam-policy\`.`,
    });
  }
  if (name === 'ResourceNotFoundException') {
    return new QueryRunFailedError(`${subject} failed: ${detail}`, queryName, {
      cause: error,
      hint: 'Check --cluster and --region; the log group exists only once control-plane logging was enabled.',
    });
  }
  return new QueryRunFailedError(`${subject} failed: ${name}: ${detail}`, queryName, { cause: error });
}
