/**
 * Logs Insights queries on the fake server: StartQuery runs the query at once with the project's engine
 * over the records in the window, then GetQueryResults reveals the result once the query's configured
 * `Running` polls are used up. Statistics follow CloudWatch's: bytes are the message bytes of the
 * records in the window asked, and a leading `filterIndex @logStream in [...]` limits the scan to those
 * streams in Standard-class groups, the rest counted as skipped, as a field index would
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CloudWatchLogs-Field-Indexing.html).
 */
import type { LogRecord } from '../../../src/insights/record.js';
import { FakeAwsError } from './aws-error.js';
import type { Faults } from './faults.js';
import type { FakeLogGroup } from './log-groups.js';
import { EngineCompileError, type FakeQueryEngine } from './query-engine.js';
import {
  settleByTime,
  type FakeAwsState,
  type FakeQuery,
  type FakeQueryStatistics,
  type ResultField,
} from './state.js';

/** StartQuery's default and maximum `limit` (CloudWatch Logs API reference, StartQuery). */
const DEFAULT_LIMIT = 10_000;
const MAX_LIMIT = 100_000;
/** GetQueryResults pages hold up to 10,000 rows. */
const MAX_PAGE = 10_000;

export interface QueryContext {
  state: FakeAwsState;
  faults: Faults;
  engine: () => Promise<FakeQueryEngine>;
  logGroups: Map<string, FakeLogGroup>;
}

/** StartQuery. */
export async function startQuery(ctx: QueryContext, input: Record<string, unknown>): Promise<unknown> {
  const queryString = requireString(input, 'queryString');
  const startTime = requireNumber(input, 'startTime');
  const endTime = requireNumber(input, 'endTime');
  if (endTime < startTime) throw invalid('endTime must be greater than or equal to startTime');
  const limit = input['limit'] === undefined ? DEFAULT_LIMIT : requireNumber(input, 'limit');
  if (limit < 1 || limit > MAX_LIMIT) throw invalid(`limit must be between 1 and ${MAX_LIMIT}`);
  const names = logGroupNamesOf(input);
  const groups = names.map((name) => {
    const group = ctx.logGroups.get(name);
    if (group === undefined)
      throw new FakeAwsError('ResourceNotFoundException', `Log group '${name}' does not exist`, 400);
    return group;
  });

  const engine = await ctx.engine();
  let compiled: ReturnType<FakeQueryEngine['compile']>;
  try {
    compiled = engine.compile(queryString);
  } catch (error) {
    if (error instanceof EngineCompileError) {
      throw new FakeAwsError('MalformedQueryException', error.message, 400, {
        queryCompileError: {
          location: { startCharOffset: error.startCharOffset, endCharOffset: error.endCharOffset },
          message: error.message,
        },
      });
    }
    throw error;
  }

  const now = Date.now();
  const max = ctx.faults.current().maxConcurrentQueries;
  if (max !== undefined && ctx.state.runningQueries(now).length >= max) {
    throw new FakeAwsError(
      'LimitExceededException',
      `Account maximum query concurrency limit of [${max}] reached.`,
      400,
    );
  }

  const behaviour = ctx.faults.queryBehaviour(queryString);
  const indexedStreams = leadingLogStreamIndex(queryString);
  const scan = collect(groups, startTime * 1000, endTime * 1000 + 999, indexedStreams);
  let finalStatus: FakeQuery['finalStatus'] = behaviour.finalStatus;
  let results: ResultField[][] = [];
  let matched = 0;
  try {
    const result = compiled.run(scan.records, limit);
    matched = result.recordsMatched;
    const aggregate = compiled.aggregate ?? /(^|\|)\s*stats\b/i.test(stripComments(queryString));
    results = result.rows.map((row, i) =>
      toResultRow(row, result.fields, aggregate ? undefined : ptrFor(row, i)),
    );
  } catch {
    // An evaluator error ends the query as Failed, as a runtime failure on the service would.
    finalStatus = 'Failed';
  }
  const queryId = crypto.randomUUID();
  const query: FakeQuery = {
    queryId,
    queryString,
    logGroupNames: names,
    startTime,
    endTime,
    limit,
    createdAt: now,
    status: 'Running',
    polls: 0,
    runningPolls: behaviour.runningPolls,
    runningMs: behaviour.runningMs,
    finalStatus,
    results,
    statistics: {
      recordsMatched: matched,
      recordsScanned: scan.recordsScanned,
      estimatedRecordsSkipped: scan.recordsSkipped,
      bytesScanned: scan.bytesScanned,
      estimatedBytesSkipped: scan.bytesSkipped,
      logGroupsScanned: groups.length,
    },
    indexedStreams: scan.indexApplied ? indexedStreams : undefined,
    stoppedAt: undefined,
  };
  ctx.state.queries.set(queryId, query);
  settleByTime(query, now);
  return { queryId };
}

/** GetQueryResults, with maxItems/nextToken paging over a complete result. */
export function getQueryResults(ctx: QueryContext, input: Record<string, unknown>): unknown {
  const query = findQuery(ctx, input);
  const now = Date.now();
  if (query.status === 'Running' || query.status === 'Scheduled') {
    if (query.polls >= query.runningPolls && now - query.createdAt >= query.runningMs)
      query.status = query.finalStatus;
    else query.polls += 1;
  }
  if (query.status !== 'Complete') {
    return { status: query.status, results: [], statistics: partialStatistics(query), queryLanguage: 'CWLI' };
  }
  const maxItems =
    input['maxItems'] === undefined ? MAX_PAGE : Math.min(MAX_PAGE, requireNumber(input, 'maxItems'));
  const offset =
    input['nextToken'] === undefined ? 0 : decodeToken(requireString(input, 'nextToken'), query.queryId);
  const page = query.results.slice(offset, offset + (maxItems === 0 ? MAX_PAGE : maxItems));
  const next = offset + page.length;
  return {
    status: 'Complete',
    results: page,
    statistics: publicStatistics(query.statistics, query.indexedStreams !== undefined),
    queryLanguage: 'CWLI',
    ...(next < query.results.length ? { nextToken: encodeToken(query.queryId, next) } : {}),
  };
}

/** StopQuery: an error once the query has ended, as the service answers. */
export function stopQuery(ctx: QueryContext, input: Record<string, unknown>): unknown {
  const query = findQuery(ctx, input);
  settleByTime(query, Date.now());
  if (query.status !== 'Running' && query.status !== 'Scheduled') {
    throw invalid(`Query ${query.queryId} is not running (status ${query.status})`);
  }
  query.status = 'Cancelled';
  query.stoppedAt = Date.now();
  ctx.state.stoppedQueries.push(query.queryId);
  return { success: true };
}

/** DescribeQueries (filters: logGroupName, status). */
export function describeQueries(ctx: QueryContext, input: Record<string, unknown>): unknown {
  const now = Date.now();
  const queries = [...ctx.state.queries.values()]
    .map((q) => {
      settleByTime(q, now);
      return q;
    })
    .filter(
      (q) => input['logGroupName'] === undefined || q.logGroupNames.includes(String(input['logGroupName'])),
    )
    .filter((q) => input['status'] === undefined || q.status === input['status'])
    .slice(0, typeof input['maxResults'] === 'number' ? input['maxResults'] : 1000);
  return {
    queries: queries.map((q) => ({
      queryLanguage: 'CWLI',
      queryId: q.queryId,
      queryString: q.queryString,
      status: q.status,
      createTime: q.createdAt,
      logGroupName: q.logGroupNames[0],
      bytesScanned: q.statistics.bytesScanned,
    })),
  };
}

interface Scan {
  records: LogRecord[];
  recordsScanned: number;
  recordsSkipped: number;
  bytesScanned: number;
  bytesSkipped: number;
  indexApplied: boolean;
}

function collect(
  groups: FakeLogGroup[],
  startMs: number,
  endMs: number,
  streams: string[] | undefined,
): Scan {
  const scan: Scan = {
    records: [],
    recordsScanned: 0,
    recordsSkipped: 0,
    bytesScanned: 0,
    bytesSkipped: 0,
    indexApplied: false,
  };
  for (const group of groups) {
    const [lo, hi] = group.index.window(startMs, endMs);
    const groupBytes = group.index.bytes(lo, hi);
    // Field indexes apply only to the Standard log class (CloudWatch Logs API reference, PutIndexPolicy).
    if (streams === undefined || group.logGroupClass !== 'STANDARD') {
      for (let i = lo; i < hi; i++) scan.records.push(group.index.records[i] as LogRecord);
      scan.recordsScanned += hi - lo;
      scan.bytesScanned += groupBytes;
      continue;
    }
    scan.indexApplied = true;
    let bytes = 0;
    let count = 0;
    const picked: LogRecord[] = [];
    for (const name of new Set(streams)) {
      const stream = group.streams.get(name);
      if (stream === undefined) continue;
      const [slo, shi] = stream.index.window(startMs, endMs);
      bytes += stream.index.bytes(slo, shi);
      count += shi - slo;
      for (let i = slo; i < shi; i++) picked.push(stream.index.records[i] as LogRecord);
    }
    picked.sort((a, b) => a.timestamp - b.timestamp);
    scan.records.push(...picked);
    scan.recordsScanned += count;
    scan.bytesScanned += bytes;
    scan.recordsSkipped += hi - lo - count;
    scan.bytesSkipped += groupBytes - bytes;
  }
  if (groups.length > 1) scan.records.sort((a, b) => a.timestamp - b.timestamp);
  return scan;
}

/** The stream list of a query that starts with `filterIndex @logStream in [...]` or `= "..."`. */
export function leadingLogStreamIndex(queryString: string): string[] | undefined {
  const text = stripComments(queryString).trimStart();
  const list = /^filterIndex\s+@logStream\s+in\s*\[([^\]]*)\]/i.exec(text);
  if (list !== null) return parseStringList(list[1] ?? '');
  const single = /^filterIndex\s+@logStream\s*=\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/i.exec(text);
  if (single !== null) return parseStringList(single[1] ?? '');
  return undefined;
}

function parseStringList(text: string): string[] {
  const out: string[] = [];
  const pattern = /"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g;
  for (let m = pattern.exec(text); m !== null; m = pattern.exec(text)) {
    out.push((m[1] ?? m[2] ?? '').replace(/\\(.)/g, '$1'));
  }
  return out;
}

function stripComments(queryString: string): string {
  return queryString
    .split('\n')
    .map((line) => line.replace(/^\s*#.*$/, ''))
    .join('\n');
}

function toResultRow(row: Record<string, string>, fields: string[], ptr: string | undefined): ResultField[] {
  const out: ResultField[] = [];
  // Like CloudWatch, a field with no value in this row is left out of the row.
  for (const field of fields) {
    const value = row[field];
    if (value !== undefined && field !== '@ptr') out.push({ field, value });
  }
  const ownPtr = row['@ptr'];
  if (ownPtr !== undefined) out.push({ field: '@ptr', value: ownPtr });
  else if (ptr !== undefined) out.push({ field: '@ptr', value: ptr });
  return out;
}

function ptrFor(_row: Record<string, string>, index: number): string {
  return Buffer.from(`fake-ptr:${index}:${crypto.randomUUID()}`).toString('base64');
}

function partialStatistics(query: FakeQuery): Record<string, number> {
  // While running, report a growing share of the scan so progress lines move.
  const share = query.status === 'Running' ? Math.min(1, (query.polls + 1) / (query.runningPolls + 2)) : 1;
  const s = query.statistics;
  return {
    recordsMatched: Math.floor(s.recordsMatched * share),
    recordsScanned: Math.floor(s.recordsScanned * share),
    bytesScanned: Math.floor(s.bytesScanned * share),
  };
}

function publicStatistics(s: FakeQueryStatistics, indexed: boolean): Record<string, number> {
  // The estimated* fields are filled only when field indexes were used (API reference, QueryStatistics).
  return {
    recordsMatched: s.recordsMatched,
    recordsScanned: s.recordsScanned,
    bytesScanned: s.bytesScanned,
    logGroupsScanned: s.logGroupsScanned,
    ...(indexed
      ? { estimatedRecordsSkipped: s.estimatedRecordsSkipped, estimatedBytesSkipped: s.estimatedBytesSkipped }
      : {}),
  };
}

function findQuery(ctx: QueryContext, input: Record<string, unknown>): FakeQuery {
  const id = requireString(input, 'queryId');
  const query = ctx.state.queries.get(id);
  if (query === undefined)
    throw new FakeAwsError('ResourceNotFoundException', `Query ${id} does not exist`, 400);
  return query;
}

function logGroupNamesOf(input: Record<string, unknown>): string[] {
  const given = [input['logGroupName'], input['logGroupNames'], input['logGroupIdentifiers']].filter(
    (v) => v !== undefined,
  );
  if (given.length !== 1)
    throw invalid('Specify exactly one of logGroupName, logGroupNames or logGroupIdentifiers');
  const value = given[0];
  const names = (Array.isArray(value) ? value : [value]).map(String);
  if (names.length === 0 || names.length > 50) throw invalid('Between 1 and 50 log groups may be queried');
  // An identifier may be an ARN: arn:aws:logs:REGION:ACCOUNT:log-group:NAME
  return names.map((n) => (n.startsWith('arn:') ? (/:log-group:([^:]+)/.exec(n)?.[1] ?? n) : n));
}

function encodeToken(queryId: string, offset: number): string {
  return Buffer.from(`${queryId}:${offset}`).toString('base64url');
}

function decodeToken(token: string, queryId: string): number {
  const [id, offset] = Buffer.from(token, 'base64url').toString('utf8').split(':');
  const n = Number(offset);
  if (id !== queryId || !Number.isInteger(n) || n < 0) throw invalid('The specified nextToken is invalid');
  return n;
}

function invalid(message: string): FakeAwsError {
  return new FakeAwsError('InvalidParameterException', message, 400);
}

export function requireString(input: Record<string, unknown>, key: string): string {
  const value = input[key];
  if (typeof value !== 'string') throw invalid(`${key} is required`);
  return value;
}

export function requireNumber(input: Record<string, unknown>, key: string): number {
  const value = input[key];
  if (typeof value !== 'number' || !Number.isFinite(value))
    throw invalid(`${key} is required and must be a number`);
  return value;
}
