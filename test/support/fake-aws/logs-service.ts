/**
 * CloudWatch Logs over the JSON 1.1 protocol: POST / with `X-Amz-Target: Logs_20140328.<Operation>`.
 * Log group and stream listings follow the API reference (limits of 50 per page, the
 * orderBy=LastEventTime + prefix restriction, retention values).
 */
import { FakeAwsError } from './aws-error.js';
import { describeStream, type FakeLogGroup } from './log-groups.js';
import {
  describeQueries,
  getQueryResults,
  requireNumber,
  requireString,
  startQuery,
  stopQuery,
  type QueryContext,
} from './logs-queries.js';

export interface LogsContext extends QueryContext {
  region: string;
  accountId: string;
}

/** The allowed `retentionInDays` values (CloudWatch Logs API reference, PutRetentionPolicy). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
];

/** Answers one Logs operation. */
export async function handleLogs(
  ctx: LogsContext,
  operation: string,
  input: Record<string, unknown>,
): Promise<unknown> {
  switch (operation) {
    case 'StartQuery':
      return startQuery(ctx, input);
    case 'GetQueryResults':
      return getQueryResults(ctx, input);
    case 'StopQuery':
      return stopQuery(ctx, input);
    case 'DescribeQueries':
      return describeQueries(ctx, input);
    case 'DescribeLogGroups':
      return describeLogGroups(ctx, input);
    case 'DescribeLogStreams':
      return describeLogStreams(ctx, input);
    case 'PutRetentionPolicy':
      return putRetentionPolicy(ctx, input);
    case 'DeleteRetentionPolicy': {
      findGroup(ctx, requireString(input, 'logGroupName')).retentionInDays = undefined;
      return {};
    }
    default:
      throw new FakeAwsError(
        'UnknownOperationException',
        `Operation ${operation} is not supported by the fake server`,
        400,
      );
  }
}

function describeLogGroups(ctx: LogsContext, input: Record<string, unknown>): unknown {
  const prefix = input['logGroupNamePrefix'];
  const pattern = input['logGroupNamePattern'];
  if (prefix !== undefined && pattern !== undefined) {
    throw invalid('logGroupNamePrefix and logGroupNamePattern are mutually exclusive');
  }
  const identifiers = Array.isArray(input['logGroupIdentifiers'])
    ? input['logGroupIdentifiers'].map(String)
    : undefined;
  const limit = pageLimit(input, 50);
  const groups = [...ctx.logGroups.values()]
    .filter((g) => typeof prefix !== 'string' || g.name.startsWith(prefix))
    .filter((g) => typeof pattern !== 'string' || g.name.toLowerCase().includes(pattern.toLowerCase()))
    .filter((g) => identifiers === undefined || identifiers.includes(g.name))
    .sort((a, b) => (a.name < b.name ? -1 : 1));
  const { page, nextToken } = paginate(groups, input, limit);
  return {
    logGroups: page.map((g) => describeGroup(ctx, g)),
    ...(nextToken === undefined ? {} : { nextToken }),
  };
}

function describeGroup(ctx: LogsContext, g: FakeLogGroup): Record<string, unknown> {
  const arn = `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${g.name}`;
  return {
    logGroupName: g.name,
    creationTime: g.creationTime,
    ...(g.retentionInDays === undefined ? {} : { retentionInDays: g.retentionInDays }),
    metricFilterCount: 0,
    arn: `${arn}:*`,
    logGroupArn: arn,
    storedBytes: g.storedBytes,
    logGroupClass: g.logGroupClass,
  };
}

function describeLogStreams(ctx: LogsContext, input: Record<string, unknown>): unknown {
  const name = input['logGroupName'] ?? input['logGroupIdentifier'];
  if (input['logGroupName'] !== undefined && input['logGroupIdentifier'] !== undefined) {
    throw invalid('Specify logGroupName or logGroupIdentifier, not both');
  }
  if (typeof name !== 'string') throw invalid('logGroupName is required');
  const group = findGroup(
    ctx,
    name.startsWith('arn:') ? (/:log-group:([^:]+)/.exec(name)?.[1] ?? name) : name,
  );
  const prefix = input['logStreamNamePrefix'];
  const orderBy = input['orderBy'] ?? 'LogStreamName';
  if (orderBy === 'LastEventTime' && prefix !== undefined) {
    // The API reference: "If you order the results by event time, you cannot specify the logStreamNamePrefix parameter."
    throw invalid('Cannot order by LastEventTime with a logStreamNamePrefix.');
  }
  const limit = pageLimit(input, 50);
  let streams = [...group.streams.values()]
    .filter((s) => typeof prefix !== 'string' || s.name.startsWith(prefix))
    .map((s) => describeStream(group, s, ctx.region, ctx.accountId));
  const key = (s: Record<string, unknown>): string | number =>
    orderBy === 'LastEventTime' ? Number(s['lastEventTimestamp'] ?? 0) : String(s['logStreamName']);
  streams = streams.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
  if (input['descending'] === true) streams.reverse();
  const { page, nextToken } = paginate(streams, input, limit);
  return { logStreams: page, ...(nextToken === undefined ? {} : { nextToken }) };
}

function putRetentionPolicy(ctx: LogsContext, input: Record<string, unknown>): unknown {
  const group = findGroup(ctx, requireString(input, 'logGroupName'));
  const days = requireNumber(input, 'retentionInDays');
  if (!RETENTION_DAYS.includes(days)) {
    throw invalid(
      `1 validation error detected: Value '${days}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${RETENTION_DAYS.join(', ')}]`,
    );
  }
  group.retentionInDays = days;
  return {};
}

function findGroup(ctx: LogsContext, name: string): FakeLogGroup {
  const group = ctx.logGroups.get(name);
  if (group === undefined)
    throw new FakeAwsError('ResourceNotFoundException', 'The specified log group does not exist.', 400);
  return group;
}

function pageLimit(input: Record<string, unknown>, max: number): number {
  if (input['limit'] === undefined) return max;
  const limit = requireNumber(input, 'limit');
  if (limit < 1 || limit > max) throw invalid(`limit must be between 1 and ${max}`);
  return limit;
}

function paginate<T>(
  items: T[],
  input: Record<string, unknown>,
  limit: number,
): { page: T[]; nextToken: string | undefined } {
  const token = input['nextToken'];
  const offset =
    typeof token === 'string'
      ? Number(
          Buffer.from(token, 'base64url')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
  if (!Number.isInteger(offset) || offset < 0) throw invalid('The specified nextToken is invalid');
  const page = items.slice(offset, offset + limit);
  const next = offset + page.length;
  return {
    page,
    nextToken: next < items.length ? Buffer.from(`offset:${next}`).toString('base64url') : undefined,
  };
}

function invalid(message: string): FakeAwsError {
  return new FakeAwsError('InvalidParameterException', message, 400);
}
