/**
 * One QueryRequest on CloudWatch: scoped to the audit streams, run through the pool, split into smaller
 * windows when a raw-row result hits the row cap, and turned into a QueryOutcome with its console link.
 */
import { toQuerySeconds, type QuerySeconds } from '../../aws/insights-queries.js';
import { logsInsightsConsoleUrl } from '../../aws/console-url.js';
import type { QueryOutcome, QueryRequest, QueryStatistics, TimeRange } from '../source.js';
import type { QueryPool } from './query-pool.js';
import { runWindowQuery, type PollerContext, type WindowResult } from './query-poller.js';
import { queryShape } from './query-shape.js';
import type { AuditStream } from '../../aws/log-groups.js';
import { scopeQueryToAuditStreams, type StreamScopeKind } from './stream-scope.js';
import {
  DEFAULT_RESULT_LIMIT,
  hitResultCap,
  mergeWindowRows,
  splitWindow,
  sumStatistics,
  type WindowRows,
} from './window-splitter.js';

/** Everything one QueryRequest needs to run on CloudWatch: the poller context plus the pool and budget. */
export interface RequestRunContext extends PollerContext {
  pool: QueryPool;
  region: string;
  /** For the console link's `source`. */
  logGroupIdentifier: string;
  logGroupClass: string | undefined;
  auditStreams: AuditStream[];
}

/** What was run for one request, for totals() and the report's query list. */
export interface RequestRecord {
  name: string;
  /** The query string as sent (with the audit-stream scope line). */
  queryString: string;
  scope: StreamScopeKind;
  window: QuerySeconds;
  queryIds: string[];
  /** Windows run, the discarded capped ones included. */
  windowsRun: number;
  bytesScanned: number;
  consoleUrl: string;
  truncated: boolean;
}

interface Leaf extends WindowRows {
  statistics: QueryStatistics;
}

/** Runs one request to its outcome; `record` is filled as queries run, even when it throws. */
export async function runRequest(
  ctx: RequestRunContext,
  request: QueryRequest,
  range: TimeRange,
  record: RequestRecord,
): Promise<QueryOutcome> {
  const scoped = scopeQueryToAuditStreams(request.queryString, ctx.logGroupClass, ctx.auditStreams, range);
  const shape = queryShape(scoped.queryString);
  const apiLimit = request.limit ?? DEFAULT_RESULT_LIMIT;
  const window = toQuerySeconds(range);
  Object.assign(record, {
    queryString: scoped.queryString,
    scope: scoped.scope,
    window,
    consoleUrl: consoleUrlFor(ctx, scoped.queryString, window, undefined),
  });
  const state = { truncated: false, allBytes: 0 };

  const runOne = async (w: QuerySeconds): Promise<WindowResult> => {
    const result = await ctx.pool.run(() =>
      runWindowQuery(ctx, {
        name: request.name,
        queryString: scoped.queryString,
        window: w,
        limit: request.limit,
      }),
    );
    record.queryIds.push(result.queryId);
    record.windowsRun += 1;
    state.allBytes += result.statistics.bytesScanned;
    record.bytesScanned = state.allBytes;
    return result;
  };

  const runWindow = async (w: QuerySeconds, first: WindowResult | undefined): Promise<Leaf> => {
    const result = first ?? (await runOne(w));
    if (!hitResultCap(result.rows.length, apiLimit, shape)) return result;
    const halves = shape.aggregate ? undefined : splitWindow(w);
    if (halves === undefined) {
      state.truncated = true;
      ctx.onVerbose(
        shape.aggregate
          ? `${request.name}: the aggregate returned ${result.rows.length} rows, the cap; groups beyond it are missing (result marked truncated).`
          : `${request.name}: ${result.rows.length} rows in one second (${isoSeconds(w.startTime)}) hit the cap and cannot be split further (result marked truncated).`,
      );
      return result;
    }
    ctx.onVerbose(
      `${request.name}: ${result.rows.length} rows hit the cap of ${apiLimit}; splitting ${isoSeconds(w.startTime)}..${isoSeconds(w.endTime)} in two.`,
    );
    // allSettled, not all: if one half fails, the other must still finish or be stopped before the
    // request rejects, or a query could outlive the run that started it.
    const settled = await Promise.allSettled(halves.map((half) => runWindow(half, undefined)));
    const failed = settled.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
    const parts = settled.map((r) => (r as PromiseFulfilledResult<Leaf>).value);
    const merged = mergeWindowRows(parts, shape);
    return { ...merged, statistics: sumStatistics(parts.map((p) => p.statistics)) };
  };

  const top = await runOne(window);
  const leaf = await runWindow(window, top);
  const keepPtr = request.queryString.includes('@ptr');
  const fields = keepPtr ? leaf.fields : leaf.fields.filter((f) => f !== '@ptr');
  const rows = keepPtr ? leaf.rows : leaf.rows.map(withoutPtr);
  record.truncated = state.truncated;
  record.consoleUrl = consoleUrlFor(ctx, scoped.queryString, window, top.queryId);
  return {
    request,
    fields,
    rows,
    // Records come from the windows kept; bytes from every query run, since each one is billed.
    statistics: { ...leaf.statistics, bytesScanned: state.allBytes },
    truncated: state.truncated,
    consoleUrl: record.consoleUrl,
  };
}

function withoutPtr(row: Record<string, string>): Record<string, string> {
  if (!('@ptr' in row)) return row;
  const { '@ptr': _ptr, ...rest } = row;
  return rest;
}

function isoSeconds(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace('.000Z', 'Z');
}

function consoleUrlFor(
  ctx: RequestRunContext,
  queryString: string,
  window: QuerySeconds,
  queryId: string | undefined,
): string {
  return logsInsightsConsoleUrl({
    region: ctx.region,
    logGroups: [ctx.logGroupIdentifier],
    queryString,
    startMs: window.startTime * 1000,
    // The end second is inclusive: it runs to its last millisecond.
    endMs: window.endTime * 1000 + 999,
    ...(queryId === undefined ? {} : { queryId }),
  });
}

/** An empty record for a request about to run. */
export function newRequestRecord(name: string): RequestRecord {
  return {
    name,
    queryString: '',
    scope: 'none',
    window: { startTime: 0, endTime: 0 },
    queryIds: [],
    windowsRun: 0,
    bytesScanned: 0,
    consoleUrl: '',
    truncated: false,
  };
}
