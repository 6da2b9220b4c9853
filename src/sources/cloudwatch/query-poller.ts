/**
 * One Logs Insights query over one window, from StartQuery to its last result page: refusals retried
 * with backoff, GetQueryResults polled with backoff and jitter, pages followed, and the query stopped
 * with StopQuery whenever we leave before it ended (abort, timeout, budget, error).
 */
import type { ResultField } from '@aws-sdk/client-cloudwatch-logs';
import {
  classifyAwsError,
  getQueryResultsPage,
  parseStatistics,
  rowsFromResults,
  startInsightsQuery,
  stopInsightsQuery,
  type InsightsClient,
  type QuerySeconds,
} from '../../aws/insights-queries.js';
import type { QueryProgress, QueryStatistics } from '../source.js';
import { backoffDelay, POLL_BACKOFF, REFUSAL_BACKOFF, type RunnerClock } from './clock.js';
import { CloudWatchQueryError, QueryRunFailedError, runErrorFromAws } from './run-errors.js';
import type { ScanBudget } from './scan-budget.js';

/** Shared by every query of one run. */
export interface PollerContext {
  client: InsightsClient;
  logGroupName: string;
  clock: RunnerClock;
  /** The run's signal: aborted on Ctrl-C, on a fatal error elsewhere, or when the budget is passed. */
  signal: AbortSignal;
  /** Stop a query still running after this long (`--query-timeout`). */
  queryTimeoutMs: number | undefined;
  /** StartQuery attempts before a refusal becomes an error. */
  maxStartAttempts: number;
  /** Consecutive failed GetQueryResults calls before giving up on a query. */
  maxPollErrors: number;
  budget: ScanBudget;
  /** Called when the running total passes the budget; expected to abort `signal`. */
  onBudgetExceeded(): void;
  /** Query ids started and not yet ended, for the progress line and for the record. */
  running: Map<string, string>;
  /** Query ids we sent StopQuery for. */
  stopped: string[];
  onVerbose(message: string): void;
  onProgress(progress: QueryProgress): void;
}

/** One query to run on one window. */
export interface WindowQuery {
  name: string;
  queryString: string;
  window: QuerySeconds;
  limit: number | undefined;
}

/** What one CloudWatch query returned. */
export interface WindowResult {
  queryId: string;
  fields: string[];
  rows: Record<string, string>[];
  statistics: QueryStatistics;
}

const FAILED_STATUS_HINTS: Record<string, string> = {
  Failed: 'Open the query in the CloudWatch console (--links) to see why it failed, or run it again.',
  Timeout: 'CloudWatch stops a query after 60 minutes; narrow the window with --start/--end or --since.',
  Cancelled: 'The query was stopped outside this run (StopQuery, or the console); run it again.',
  Unknown: 'CloudWatch lost track of the query; run it again.',
};

function errorSummary(error: unknown): string {
  const e = error as { name?: string; message?: string };
  return `${e.name ?? 'Error'}: ${e.message ?? String(error)}`;
}

/** Runs one query on one window and returns every row of its result. */
export async function runWindowQuery(ctx: PollerContext, query: WindowQuery): Promise<WindowResult> {
  const queryId = await startWithRetry(ctx, query);
  const startedAt = ctx.clock.now();
  ctx.running.set(queryId, query.name);
  const state = { ended: false, bytes: 0 };
  try {
    // StartQuery is never aborted in flight (see startInsightsQuery), so check here: a Ctrl-C during it
    // must still stop the query it started.
    throwIfAborted(ctx.signal);
    return await pollUntilDone(ctx, query, queryId, startedAt, state);
  } catch (error) {
    if (!state.ended) {
      ctx.stopped.push(queryId);
      const stopped = await stopInsightsQuery(ctx.client, queryId);
      ctx.onVerbose(`${query.name}: ${stopped ? 'stopped' : 'tried to stop'} query ${queryId}`);
      // Never claim a stop that did not happen: the query would keep scanning (and billing) for up to
      // 60 minutes, so say so and give the command that stops it.
      if (
        !stopped &&
        !ctx.signal.aborted &&
        error instanceof QueryRunFailedError &&
        error.message.endsWith('; it was stopped.')
      ) {
        throw new QueryRunFailedError(
          `${error.message.slice(0, -'; it was stopped.'.length)}; StopQuery failed, so query ${queryId} may still be running.`,
          error.queryName,
          { cause: error, hint: `stop it with \`aws logs stop-query --query-id ${queryId}\`` },
        );
      }
    }
    throw ctx.signal.aborted ? (ctx.signal.reason as Error) : error;
  } finally {
    ctx.running.delete(queryId);
    ctx.budget.finish(queryId, state.bytes);
  }
}

function throwIfAborted(signal: AbortSignal): void {
  if (signal.aborted) throw signal.reason as Error;
}

async function startWithRetry(ctx: PollerContext, query: WindowQuery): Promise<string> {
  for (let attempt = 0; ; attempt++) {
    throwIfAborted(ctx.signal);
    try {
      return await startInsightsQuery(ctx.client, {
        logGroupName: ctx.logGroupName,
        queryString: query.queryString,
        window: query.window,
        ...(query.limit === undefined ? {} : { limit: query.limit }),
      });
    } catch (error) {
      const kind = classifyAwsError(error);
      if (kind === 'malformed') throw malformedQueryError(error, query);
      const retryable = kind === 'throttled' || kind === 'transient';
      if (retryable && attempt + 1 < ctx.maxStartAttempts) {
        const delay = backoffDelay(REFUSAL_BACKOFF, attempt, ctx.clock.random);
        ctx.onVerbose(
          `${query.name}: StartQuery refused (${errorSummary(error)}); retry ${attempt + 1} of ${ctx.maxStartAttempts - 1} in ${delay} ms`,
        );
        await ctx.clock.sleep(delay, ctx.signal);
        continue;
      }
      if (kind === 'throttled') {
        throw new QueryRunFailedError(
          `CloudWatch refused to start query "${query.name}" ${ctx.maxStartAttempts} times (${errorSummary(error)}).`,
          query.name,
          {
            cause: error,
            hint: 'Too many Logs Insights queries run in this account and Region (dashboards count too); lower --max-concurrent or try again in a minute.',
          },
        );
      }
      throw runErrorFromAws(error, 'StartQuery', query.name);
    }
  }
}

function malformedQueryError(error: unknown, query: WindowQuery): CloudWatchQueryError {
  const e = error as {
    message?: string;
    queryCompileError?: { message?: string; location?: { startCharOffset?: number; endCharOffset?: number } };
  };
  const compile = e.queryCompileError;
  const start = compile?.location?.startCharOffset;
  const end = compile?.location?.endCharOffset;
  const location = start === undefined ? undefined : { start, end: end ?? start + 1 };
  return new CloudWatchQueryError(
    compile?.message ?? e.message ?? 'malformed query',
    query.name,
    query.queryString,
    location,
    {
      cause: error,
      hint: 'Check the query with `eks-etcd-insights queries run --log-file` locally; the position is in the query as sent (with the audit-stream filter line first).',
    },
  );
}

async function pollUntilDone(
  ctx: PollerContext,
  query: WindowQuery,
  queryId: string,
  startedAt: number,
  state: { ended: boolean; bytes: number },
): Promise<WindowResult> {
  let errors = 0;
  for (let poll = 0; ; poll++) {
    await ctx.clock.sleep(
      backoffDelay(POLL_BACKOFF, errors > 0 ? errors + 2 : poll, ctx.clock.random),
      ctx.signal,
    );
    let response;
    try {
      response = await getQueryResultsPage(ctx.client, queryId, undefined, ctx.signal);
    } catch (error) {
      throwIfAborted(ctx.signal);
      errors = await countRetryableError(ctx, query, error, errors, 'GetQueryResults');
      continue;
    }
    errors = 0;
    const status = response.status ?? 'Unknown';
    const statistics = parseStatistics(response.statistics);
    state.bytes = statistics.bytesScanned;
    const elapsedMs = ctx.clock.now() - startedAt;
    ctx.onProgress({
      name: query.name,
      status,
      recordsScanned: statistics.recordsScanned,
      bytesScanned: statistics.bytesScanned,
      elapsedMs,
    });
    const stillRunning = status === 'Scheduled' || status === 'Running';
    if (ctx.budget.update(queryId, statistics.bytesScanned)) {
      ctx.onBudgetExceeded();
      // A query that just completed is paid for: keep its result; one still running is stopped.
      if (stillRunning) throwIfAborted(ctx.signal);
    }
    if (stillRunning) {
      // Partial results while Running are ignored: only the Complete answer is the result.
      if (ctx.queryTimeoutMs !== undefined && elapsedMs > ctx.queryTimeoutMs) {
        throw new QueryRunFailedError(
          `Query "${query.name}" was still ${status} after ${Math.round(elapsedMs / 1000)} s (--query-timeout ${Math.round(ctx.queryTimeoutMs / 1000)} s); it was stopped.`,
          query.name,
          { hint: 'Narrow the window (--since, --start/--end) or raise --query-timeout.' },
        );
      }
      continue;
    }
    state.ended = true;
    if (status !== 'Complete') {
      throw new QueryRunFailedError(
        `Query "${query.name}" ended with status ${status} on CloudWatch (query id ${queryId}).`,
        query.name,
        {
          hint: FAILED_STATUS_HINTS[status] ?? FAILED_STATUS_HINTS['Unknown'],
        },
      );
    }
    const results: ResultField[][] = [...(response.results ?? [])];
    let nextToken = response.nextToken;
    // No SDK paginator exists for GetQueryResults (aws-facts A): follow nextToken ourselves.
    while (nextToken !== undefined && nextToken !== '') {
      try {
        // No signal: the query has ended, so there is nothing to stop, and its pages are worth keeping.
        const page = await getQueryResultsPage(ctx.client, queryId, nextToken);
        results.push(...(page.results ?? []));
        nextToken = page.nextToken;
        errors = 0;
      } catch (error) {
        errors = await countRetryableError(ctx, query, error, errors, 'GetQueryResults (next page)');
      }
    }
    const { fields, rows } = rowsFromResults(results);
    return { queryId, fields, rows, statistics };
  }
}

/** Retries 5xx, resets and throttling on GetQueryResults a few times in a row; anything else is fatal. */
async function countRetryableError(
  ctx: PollerContext,
  query: WindowQuery,
  error: unknown,
  errors: number,
  operation: string,
): Promise<number> {
  const kind = classifyAwsError(error);
  if ((kind === 'transient' || kind === 'throttled') && errors + 1 < ctx.maxPollErrors) {
    ctx.onVerbose(`${query.name}: ${operation} failed (${errorSummary(error)}); retrying`);
    if (operation !== 'GetQueryResults') {
      await ctx.clock.sleep(backoffDelay(POLL_BACKOFF, errors + 2, ctx.clock.random), ctx.signal);
    }
    return errors + 1;
  }
  throw runErrorFromAws(error, 'GetQueryResults', query.name);
}
