/**
 * Narrow wrappers over the CloudWatch Logs calls about the cluster's log group: does it exist, its
 * retention and size, and which audit streams it holds with their first and last event times.
 */
import {
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutRetentionPolicyCommand,
  type CloudWatchLogsClient,
} from '@aws-sdk/client-cloudwatch-logs';
import { UsageError } from '../errors.js';
import { callAws, type AwsErrorContext } from './aws-errors.js';

/** The log group EKS writes control-plane logs to (EKS user guide, control-plane-logs). */
export function clusterLogGroupName(cluster: string): string {
  return `/aws/eks/${cluster}/cluster`;
}

/** Audit streams are `kube-apiserver-audit-<32 hex>`; `kube-apiserver-` alone would also match the api streams. */
export const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit-';

/** The allowed `retentionInDays` values (CloudWatch Logs API reference, PutRetentionPolicy / Days). */
export const RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Throws a UsageError listing the allowed values unless `days` is one of them. */
export function validateRetentionDays(days: number): number {
  if (!(RETENTION_DAYS as readonly number[]).includes(days)) {
    throw new UsageError(`--retention-days ${days} is not a retention CloudWatch Logs accepts.`, {
      hint: `use one of ${RETENTION_DAYS.join(', ')}`,
    });
  }
  return days;
}

/** The facts about one log group. */
export interface LogGroupInfo {
  name: string;
  /** undefined: never expires (no retention policy). */
  retentionInDays: number | undefined;
  storedBytes: number;
  logGroupClass: string;
  creationTimeMs: number | undefined;
}

/** DescribeLogGroups for one exact name; undefined when the group does not exist. */
export async function describeLogGroup(
  client: CloudWatchLogsClient,
  name: string,
  context: AwsErrorContext = {},
): Promise<LogGroupInfo | undefined> {
  let nextToken: string | undefined;
  // The prefix can match longer names (/aws/eks/prod/cluster-2); a few pages are plenty.
  for (let page = 0; page < 5; page++) {
    const out = await callAws({ ...context, action: 'logs:DescribeLogGroups' }, () =>
      client.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: name, limit: 50, nextToken })),
    );
    const group = (out.logGroups ?? []).find((g) => g.logGroupName === name);
    if (group !== undefined) {
      return {
        name,
        retentionInDays: group.retentionInDays,
        storedBytes: group.storedBytes ?? 0,
        // Groups created before log classes existed have none: they are Standard.
        logGroupClass: group.logGroupClass ?? 'STANDARD',
        creationTimeMs: group.creationTime,
      };
    }
    nextToken = out.nextToken;
    if (nextToken === undefined) break;
  }
  return undefined;
}

/** An audit stream as DescribeLogStreams reports it (ms timestamps). */
export interface AuditStream {
  name: string;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

/** The audit streams of a log group, summarised. Times are epoch ms. */
export interface AuditStreams {
  /** The names of `streams`, in the same order. */
  names: string[];
  /** Each stream with its times (analyze keeps its queries to the streams that overlap the window). */
  streams: AuditStream[];
  /** Newest `lastEventTimestamp` (eventually consistent: "typically less than an hour" behind). */
  newestEventMs: number | undefined;
  newestIngestionMs: number | undefined;
  /** Oldest `firstEventTimestamp`: how far back an investigation can reach. */
  oldestEventMs: number | undefined;
  /** More streams exist than the pages read. */
  truncated: boolean;
}

/** DescribeLogStreams pages read at most (50 streams each); past that the stream list is incomplete. */
const MAX_AUDIT_STREAM_PAGES = 20;

/**
 * Lists the audit streams with their times, and works out the newest and oldest times from them.
 * `orderBy=LastEventTime` cannot be combined with `logStreamNamePrefix` (DescribeLogStreams API
 * reference), so this pages by name, at most `maxPages` pages (the call is limited to 25 TPS).
 */
export async function listAuditStreams(
  client: CloudWatchLogsClient,
  logGroupName: string,
  options: { maxPages?: number } & AwsErrorContext = {},
): Promise<AuditStreams> {
  const result: AuditStreams = {
    names: [],
    streams: [],
    newestEventMs: undefined,
    newestIngestionMs: undefined,
    oldestEventMs: undefined,
    truncated: true,
  };
  const max = (a: number | undefined, b: number | undefined): number | undefined =>
    b === undefined ? a : a === undefined ? b : Math.max(a, b);
  const min = (a: number | undefined, b: number | undefined): number | undefined =>
    b === undefined ? a : a === undefined ? b : Math.min(a, b);
  const { maxPages = MAX_AUDIT_STREAM_PAGES, ...context } = options;
  let nextToken: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await callAws({ ...context, action: 'logs:DescribeLogStreams' }, () =>
      client.send(
        new DescribeLogStreamsCommand({
          logGroupName,
          logStreamNamePrefix: AUDIT_STREAM_PREFIX,
          limit: 50,
          nextToken,
        }),
      ),
    );
    for (const stream of out.logStreams ?? []) {
      if (stream.logStreamName !== undefined) {
        result.streams.push({
          name: stream.logStreamName,
          ...(stream.firstEventTimestamp === undefined
            ? {}
            : { firstEventTimestamp: stream.firstEventTimestamp }),
          ...(stream.lastEventTimestamp === undefined
            ? {}
            : { lastEventTimestamp: stream.lastEventTimestamp }),
          ...(stream.lastIngestionTime === undefined ? {} : { lastIngestionTime: stream.lastIngestionTime }),
        });
      }
      result.newestEventMs = max(result.newestEventMs, stream.lastEventTimestamp);
      result.newestIngestionMs = max(result.newestIngestionMs, stream.lastIngestionTime);
      result.oldestEventMs = min(result.oldestEventMs, stream.firstEventTimestamp);
    }
    nextToken = out.nextToken;
    if (nextToken === undefined || nextToken === '') {
      result.truncated = false;
      break;
    }
  }
  result.names = result.streams.map((stream) => stream.name);
  return result;
}

/** PutRetentionPolicy. */
export async function putRetention(
  client: CloudWatchLogsClient,
  logGroupName: string,
  days: number,
  context: AwsErrorContext = {},
): Promise<void> {
  await callAws({ ...context, action: 'logs:PutRetentionPolicy' }, () =>
    client.send(new PutRetentionPolicyCommand({ logGroupName, retentionInDays: days })),
  );
}
