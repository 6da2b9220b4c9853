/**
 * The CloudWatch Logs Insights source: runs stored queries on an EKS cluster's log group through a pool
 * of concurrent queries, with backoff on refusals, a scan budget, cost totals, console links, row-cap
 * splitting, and every running query stopped on Ctrl-C. The pieces live in ./cloudwatch/.
 */
import type { InsightsClient } from '../aws/insights-queries.js';
import type { AuditStream } from '../aws/log-groups.js';
import { UsageError } from '../errors.js';
import { systemClock, type RunnerClock } from './cloudwatch/clock.js';
import { BYTES_PER_GB, DEFAULT_PRICE_PER_GB, estimateUsd, formatBytes } from './cloudwatch/cost.js';
import { createQueryPool } from './cloudwatch/query-pool.js';
import {
  newRequestRecord,
  runRequest,
  type RequestRecord,
  type RequestRunContext,
} from './cloudwatch/request-runner.js';
import {
  QueryRunFailedError,
  QueryRunInterruptedError,
  ScanBudgetExceededError,
  hasPartialOutcomes,
  type PartialOutcomes,
} from './cloudwatch/run-errors.js';
import { estimateScanBytes as estimateFromGroup, ScanBudget } from './cloudwatch/scan-budget.js';
import type { LogSource, QueryOutcome, QueryRequest, RunOptions, TimeRange } from './source.js';
import { classifyAwsError } from '../aws/insights-queries.js';

export type { RequestRecord } from './cloudwatch/request-runner.js';

/** Everything the source needs, found beforehand by open-cloudwatch-source (or given by a test). */
export interface CloudWatchSourceOptions {
  client: InsightsClient;
  region: string;
  logGroupName: string;
  /** `logGroupArn` (without `:*`), used in console links when known. */
  logGroupArn?: string;
  logGroupClass?: string;
  storedBytes?: number;
  /** Epoch ms. */
  creationTime?: number;
  retentionInDays?: number;
  auditStreams: AuditStream[];
  /** `--max-concurrent` (default 4). */
  maxConcurrent?: number;
  /** `--max-scan-gb`. */
  maxScanGb?: number;
  /** `--price-per-gb` (default 0.005). */
  pricePerGb?: number;
  /** `--query-timeout`, ms. */
  queryTimeoutMs?: number;
  clock?: RunnerClock;
  /** StartQuery attempts before a refusal is an error (default 12, about 2 minutes of backoff). */
  maxStartAttempts?: number;
  /** Consecutive GetQueryResults failures before a query is given up (default 8). */
  maxPollErrors?: number;
}

/** Bytes, price and the queries run so far by this source. */
export interface CloudWatchTotals {
  bytesScanned: number;
  estimatedUsd: number;
  queries: RequestRecord[];
}

/** A LogSource over one EKS cluster's CloudWatch log group, with cost and scope details. */
export interface CloudWatchSource extends LogSource {
  readonly kind: 'cloudwatch';
  readonly logGroupName: string;
  readonly region: string;
  /** Names of the audit streams found. */
  readonly auditStreams: string[];
  readonly logGroupClass: string | undefined;
  /** Estimated bytes one query over `range` scans, from the group's stored bytes, age and retention. */
  estimateScanBytes(range: TimeRange): number;
  totals(): CloudWatchTotals;
}

const DAY_MS = 86_400_000;

/** Creates the CloudWatch source. */
export function createCloudWatchSource(options: CloudWatchSourceOptions): CloudWatchSource {
  const clock = options.clock ?? systemClock;
  const pricePerGb = options.pricePerGb ?? DEFAULT_PRICE_PER_GB;
  const maxBytes = options.maxScanGb === undefined ? undefined : options.maxScanGb * BYTES_PER_GB;
  const budget = new ScanBudget(maxBytes);
  const pool = createQueryPool(options.maxConcurrent ?? 4);
  const records: RequestRecord[] = [];
  const groupSize = {
    ...(options.storedBytes === undefined ? {} : { storedBytes: options.storedBytes }),
    ...(options.creationTime === undefined ? {} : { creationTime: options.creationTime }),
    ...(options.retentionInDays === undefined ? {} : { retentionInDays: options.retentionInDays }),
  };

  const estimate = (range: TimeRange): number => estimateFromGroup(groupSize, range, clock.now());

  /** A request without a window covers all the data the group can hold. */
  const defaultRange = (): TimeRange => {
    const now = clock.now();
    const retentionStart = options.retentionInDays === undefined ? 0 : now - options.retentionInDays * DAY_MS;
    return { startMs: Math.max(options.creationTime ?? 0, retentionStart), endMs: now };
  };

  const checkEstimate = (requests: QueryRequest[]): void => {
    if (maxBytes === undefined) return;
    const estimated = requests.reduce((sum, r) => sum + estimate(r.range ?? defaultRange()), 0);
    const remaining = maxBytes - budget.total();
    if (estimated > remaining) {
      throw new UsageError(
        `These ${requests.length} ${requests.length === 1 ? 'query' : 'queries'} would scan about ${formatBytes(estimated)} ` +
          `(estimated from the log group's stored bytes), over the --max-scan-gb budget of ${formatBytes(remaining)}` +
          `${budget.total() > 0 ? ' left' : ''}.`,
        {
          hint: 'Narrow the window (--since 2h, or --start/--end around the incident), or raise --max-scan-gb.',
        },
      );
    }
  };

  return {
    kind: 'cloudwatch',
    label: options.logGroupName,
    logGroupName: options.logGroupName,
    region: options.region,
    auditStreams: options.auditStreams.map((s) => s.name),
    logGroupClass: options.logGroupClass,
    estimateScanBytes: estimate,
    totals: () => ({
      bytesScanned: budget.total(),
      estimatedUsd: estimateUsd(budget.total(), pricePerGb),
      queries: [...records],
    }),

    async runAll(requests: QueryRequest[], runOptions: RunOptions = {}): Promise<QueryOutcome[]> {
      checkEstimate(requests);
      const controller = new AbortController();
      const onUserAbort = (): void =>
        controller.abort(new QueryRunInterruptedError('Interrupted; the running queries were stopped.'));
      if (runOptions.signal?.aborted === true) onUserAbort();
      runOptions.signal?.addEventListener('abort', onUserAbort, { once: true });

      const ctx: RequestRunContext = {
        client: options.client,
        logGroupName: options.logGroupName,
        logGroupIdentifier: options.logGroupArn ?? options.logGroupName,
        logGroupClass: options.logGroupClass,
        auditStreams: options.auditStreams,
        region: options.region,
        clock,
        signal: controller.signal,
        queryTimeoutMs: options.queryTimeoutMs,
        maxStartAttempts: options.maxStartAttempts ?? 12,
        maxPollErrors: options.maxPollErrors ?? 8,
        budget,
        onBudgetExceeded: () => {
          if (controller.signal.aborted || maxBytes === undefined) return;
          controller.abort(
            new ScanBudgetExceededError(
              `The queries scanned ${formatBytes(budget.total())}, over the --max-scan-gb budget of ${formatBytes(maxBytes)}; the running queries were stopped.`,
              { hint: 'Narrow the window (--since, --start/--end) or raise --max-scan-gb.' },
            ),
          );
        },
        running: new Map(),
        stopped: [],
        pool,
        onVerbose: runOptions.onVerbose ?? (() => undefined),
        onProgress: runOptions.onProgress ?? (() => undefined),
      };

      const outcomes: PartialOutcomes = requests.map(() => undefined);
      const errors: (unknown | undefined)[] = requests.map(() => undefined);
      try {
        await Promise.all(
          requests.map(async (request, index) => {
            const record = newRequestRecord(request.name);
            records.push(record);
            try {
              outcomes[index] = await runRequest(ctx, request, request.range ?? defaultRange(), record);
            } catch (error) {
              errors[index] = error;
              // Bad credentials fail every other query too: stop them now rather than one by one.
              if (
                error instanceof QueryRunFailedError &&
                classifyAwsError(error.cause) === 'credentials' &&
                !controller.signal.aborted
              ) {
                controller.abort(error);
              }
            }
          }),
        );
      } finally {
        runOptions.signal?.removeEventListener('abort', onUserAbort);
      }

      const failure = controller.signal.aborted
        ? (controller.signal.reason as unknown)
        : errors.find((e) => e !== undefined);
      if (failure === undefined) return outcomes as QueryOutcome[];
      if (hasPartialOutcomes(failure)) {
        failure.partial = outcomes;
        if (failure instanceof QueryRunInterruptedError) failure.stoppedQueryIds = [...ctx.stopped];
      }
      throw failure;
    },
  };
}
