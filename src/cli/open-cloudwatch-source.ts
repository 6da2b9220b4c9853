/**
 * Opens the CloudWatch source for `--cluster NAME`: finds the log group and its audit streams, turns the
 * common dead ends (unknown cluster, no log group, audit logging off) into one clear error with the fix,
 * and wires the source to the terminal: progress line, --verbose narration, --links, cost summary.
 */
import { createAwsClients } from '../aws/clients.js';
import { callAws, type AwsErrorContext } from '../aws/aws-errors.js';
import { describeClusterLogging } from '../aws/eks.js';
import {
  clusterLogGroupName,
  describeLogGroup,
  listAuditStreams,
  type AuditStreams,
} from '../aws/log-groups.js';
import { CheckFailedError, UsageError } from '../errors.js';
import { createCloudWatchSource, type CloudWatchSource } from '../sources/cloudwatch-source.js';
import { estimateUsd, formatBytes, formatUsd, DEFAULT_PRICE_PER_GB } from '../sources/cloudwatch/cost.js';
import { hasPartialOutcomes } from '../sources/cloudwatch/run-errors.js';
import type { QueryOutcome, QueryRequest, RunOptions } from '../sources/source.js';
import type { CommandIo } from './io.js';
import { createProgressLine } from './progress-line.js';
import { sanitizeForTerminal } from '../report/terminal-text.js';

export interface OpenCloudWatchSourceOptions {
  cluster: string;
  region?: string;
  profile?: string;
  maxConcurrent?: number;
  maxScanGb?: number;
  pricePerGb?: number;
  /** ms */
  queryTimeout?: number;
  links?: boolean;
  verbose?: boolean;
  debug?: boolean;
  /**
   * The window when the user chose its start (--start or --since): one that starts before the log
   * group's retention horizon is refused (exit 2) instead of silently covering less.
   */
  requestedWindow?: { startMs: number; endMs: number };
  /**
   * The audit streams as a readiness check listed them moments ago (analyze): not listed again.
   * DescribeLogStreams pages 50 streams at a time and is limited to 25 TPS (aws-facts).
   */
  auditStreams?: AuditStreams;
}

/** Opens the source for one cluster, or throws the error that says how to make it work. */
export async function openCloudWatchSource(
  opts: OpenCloudWatchSourceOptions,
  io: CommandIo,
): Promise<CloudWatchSource> {
  const base = {
    ...(opts.region === undefined ? {} : { region: opts.region }),
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    ...(io.debug ? { debug: (line: string) => io.stderr(`${line}\n`) } : {}),
    verbose: (line: string) => io.log(line),
  };
  // Describe calls keep the SDK's own retries. The query client gets maxAttempts 1: the SDK would
  // otherwise retry LimitExceededException 3 times on its own (aws-facts A), hiding refusals from our
  // backoff, its --verbose narration and its attempt count; one owner for retries keeps them predictable.
  const clients = createAwsClients(base);
  const queryClients = createAwsClients({ ...base, maxAttempts: 1 });
  const region = await callAws({ ...(opts.profile === undefined ? {} : { profile: opts.profile }) }, () =>
    clients.region(),
  );
  const context: AwsErrorContext = {
    cluster: opts.cluster,
    region,
    ...(opts.profile === undefined ? {} : { profile: opts.profile }),
  };
  const logs = await clients.logs();
  const logGroupName = clusterLogGroupName(opts.cluster);
  const fix = `run \`eks-etcd-insights logging enable --cluster ${opts.cluster}${opts.region === undefined ? '' : ` --region ${opts.region}`}\``;

  const group = await describeLogGroup(logs, logGroupName, context);
  if (group === undefined) {
    // Tell "no such cluster" (exit 4, from DescribeCluster) apart from "logging never enabled" (exit 1).
    const logging = await describeClusterLogging(await clients.eks(), opts.cluster, context);
    throw new CheckFailedError(
      `Cluster ${opts.cluster} has no log group ${logGroupName}: control-plane logging was never enabled` +
        `${logging.enabledTypes.includes('audit') ? ' (audit is on now; the group appears with the first events)' : ''}.`,
      { hint: `${fix}; logs exist only from then on` },
    );
  }

  if (opts.requestedWindow !== undefined && group.retentionInDays !== undefined) {
    refuseWindowBeyondRetention(opts.requestedWindow, group.retentionInDays, logGroupName, Date.now());
  }

  const listing = opts.auditStreams ?? (await listAuditStreams(logs, logGroupName, context));
  if (listing.streams.length === 0) {
    const logging = await describeClusterLogging(await clients.eks(), opts.cluster, context);
    if (!logging.enabledTypes.includes('audit')) {
      throw new CheckFailedError(
        `Audit logging is off for cluster ${opts.cluster}: ${logGroupName} has no audit streams.`,
        {
          hint: `${fix}; audit logs exist only from then on`,
        },
      );
    }
    throw new CheckFailedError(
      `Audit logging is on for cluster ${opts.cluster}, but ${logGroupName} has no audit streams yet.`,
      {
        hint: `the first audit events arrive a few minutes after enabling; check with \`eks-etcd-insights logging status --cluster ${opts.cluster}\``,
      },
    );
  }
  io.log(
    `cloudwatch: ${logGroupName} in ${region}: ${group.logGroupClass}, ${formatBytes(group.storedBytes)} stored, ` +
      `${group.retentionInDays === undefined ? 'never expires' : `retention ${group.retentionInDays} days`}, ` +
      `${listing.streams.length}${listing.truncated ? '+' : ''} audit streams`,
  );
  if (listing.truncated) {
    io.log(
      `cloudwatch: more than ${listing.streams.length} audit streams; filtering by stream name pattern instead of the stream index`,
    );
  }

  const source = createCloudWatchSource({
    client: await queryClients.logs(),
    region,
    logGroupName,
    logGroupClass: group.logGroupClass,
    storedBytes: group.storedBytes,
    ...(group.creationTimeMs === undefined ? {} : { creationTime: group.creationTimeMs }),
    ...(group.retentionInDays === undefined ? {} : { retentionInDays: group.retentionInDays }),
    // An incomplete list must not go into `filterIndex ... in [...]`: the streams left out would be
    // skipped silently. Without a list the source falls back to the pattern filter.
    auditStreams: listing.truncated ? [] : listing.streams,
    ...(opts.maxConcurrent === undefined ? {} : { maxConcurrent: opts.maxConcurrent }),
    ...(opts.maxScanGb === undefined ? {} : { maxScanGb: opts.maxScanGb }),
    ...(opts.pricePerGb === undefined ? {} : { pricePerGb: opts.pricePerGb }),
    ...(opts.queryTimeout === undefined ? {} : { queryTimeoutMs: opts.queryTimeout }),
  });
  return withTerminal(
    source,
    opts,
    io,
    listing.streams.map((s) => s.name),
  );
}

/** The source, with each run shown on the terminal (progress, narration, links, cost) and io.signal as default. */
function withTerminal(
  source: CloudWatchSource,
  opts: OpenCloudWatchSourceOptions,
  io: CommandIo,
  streamNames: string[],
): CloudWatchSource {
  const price = opts.pricePerGb ?? DEFAULT_PRICE_PER_GB;
  const runAll = async (requests: QueryRequest[], options: RunOptions = {}): Promise<QueryOutcome[]> => {
    const progress = createProgressLine(io);
    const before = source.totals().bytesScanned;
    const estimated = requests.reduce(
      (sum, r) => sum + (r.range === undefined ? 0 : source.estimateScanBytes(r.range)),
      0,
    );
    io.log(
      `cloudwatch: running ${requests.length} ${requests.length === 1 ? 'query' : 'queries'}, about ${formatBytes(estimated)} to scan (estimate from the log group's stored bytes)` +
        `${requests.some((r) => r.range === undefined) ? ' (plus queries without a window, which read all retained data)' : ''}`,
    );
    const report = (outcomes: (QueryOutcome | undefined)[]): void => {
      progress.clear();
      if (opts.links === true) {
        for (const outcome of outcomes) {
          if (outcome?.consoleUrl !== undefined)
            io.stderr(`link: ${sanitizeForTerminal(outcome.request.name)}: ${outcome.consoleUrl}\n`);
        }
      }
      const scanned = source.totals().bytesScanned - before;
      io.log(
        `cloudwatch: ${requests.length} ${requests.length === 1 ? 'query' : 'queries'} scanned ${formatBytes(scanned)} (about ${formatUsd(estimateUsd(scanned, price))} at $${price}/GB)`,
      );
    };
    try {
      const outcomes = await source.runAll(requests, {
        signal: options.signal ?? io.signal,
        onProgress: (p) => {
          progress.update(p);
          options.onProgress?.(p);
        },
        onVerbose: (message) => {
          if (io.verbose) progress.clear();
          // The caller's narration replaces ours (commands pass io.log themselves): never print twice.
          if (options.onVerbose !== undefined) options.onVerbose(message);
          else io.log(message);
        },
      });
      report(outcomes);
      return outcomes;
    } catch (error) {
      report(hasPartialOutcomes(error) ? error.partial : []);
      throw error;
    }
  };
  return {
    kind: 'cloudwatch',
    label: source.label,
    logGroupName: source.logGroupName,
    region: source.region,
    auditStreams: streamNames,
    logGroupClass: source.logGroupClass,
    estimateScanBytes: (range) => source.estimateScanBytes(range),
    totals: () => source.totals(),
    runAll,
  };
}

const DAY_MS = 86_400_000;

/**
 * CloudWatch deletes events older than the group's retention (aws-facts A, DescribeLogGroups
 * `retentionInDays`), so a window starting before that horizon asks for data that no longer exists;
 * answering with a shorter window would look like "no failures back then".
 */
function refuseWindowBeyondRetention(
  window: { startMs: number },
  retentionInDays: number,
  logGroupName: string,
  nowMs: number,
): void {
  const horizonMs = nowMs - retentionInDays * DAY_MS;
  if (window.startMs >= horizonMs) return;
  const iso = (ms: number): string => new Date(ms).toISOString();
  throw new UsageError(
    `The window starts at ${iso(window.startMs)}, but ${logGroupName} keeps events for ${retentionInDays} days (retention): nothing before ${iso(horizonMs)} is left.`,
    { hint: `Start at or after ${iso(horizonMs)}, e.g. --since ${retentionInDays}d.` },
  );
}
