/**
 * One measured `analyze --cluster` run: the dataset is loaded into a fresh fake AWS server (one EKS
 * cluster, its STANDARD-class log group with audit and api streams, every query answered Complete
 * only after a fixed delay), the real CLI runs against it, and the figures come from both sides:
 * bytes and queries from the server's own records, cost and rounds from the report.
 */
import { ANALYSIS_QUERIES } from '../../src/analysis/incident.js';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import type { LogRecord } from '../../src/insights/record.js';
import type { TimeRange } from '../../src/sources/source.js';
import { createFakeAwsServer } from '../../test/support/fake-aws/server.js';
import type { GroundTruth } from '../incident/generate.js';
import {
  minimumWindow,
  overlappingSeconds,
  naivePlanBytes,
  sequentialWaves,
  serverBytes,
  windowBytes,
  type SeenQuery,
} from './accounting.js';
import { createMeteredEngine } from './metered-engine.js';
import { runAnalyze } from './run-analyze.js';

export const BENCH_CLUSTER = 'bench';
export const BENCH_LOG_GROUP = `/aws/eks/${BENCH_CLUSTER}/cluster`;
export const BENCH_ACCOUNT = '123456789012';
/** `@log` of the benchmark's records: `account:group`, as CloudWatch fills it. */
export const BENCH_LOG = `${BENCH_ACCOUNT}:${BENCH_LOG_GROUP}`;

export interface MeasureRunOptions {
  records: LogRecord[];
  /** Ground truth with timestamps as loaded (shifted like the records). */
  truth: GroundTruth;
  cliEntry: string;
  projectRoot: string;
  lookbackDays: number;
  /** Every query stays Running this long before Complete. */
  delayMs: number;
  outputFile: string;
  /** How many stored queries the whole library holds (for the second naive figure). */
  libraryQueryCount: number;
}

export interface WindowFigure {
  start: string;
  end: string;
  bytes: number;
}

export interface CloudWatchRun {
  lookbackDays: number;
  exitCode: number | null;
  window: { start: string; end: string } | null;
  /** Sum of bytesScanned over every query the fake server ran. */
  serverBytesScanned: number;
  /** The report's `cost.bytesScanned`, and the sum over its `queries[]`. */
  reportBytesScanned: number | null;
  reportQueriesBytes: number | null;
  costUsd: number | null;
  /** See accounting.ts minimumWindow. */
  minimum: WindowFigure | null;
  /** Audit bytes from the baseline the analysis itself chose (report.plan.baseline) to the end. */
  analysisBaseline: WindowFigure | null;
  /** The analysis' queries (ANALYSIS_QUERIES), each over the whole lookback, every stream. */
  naivePlanBytes: number | null;
  naiveQueryCount: number;
  /** Every stored query in queries/*.insights over the whole lookback, every stream. */
  naiveLibraryBytes: number | null;
  libraryQueryCount: number;
  /** Audit-stream bytes over the whole lookback (one scoped pass). */
  lookbackAuditBytes: number | null;
  /** report.plan.rounds: dependent query rounds on the critical path. */
  rounds: number | null;
  /** `analyze: round N: ...` lines from --verbose. */
  roundLines: string[];
  /** Server view: longest chain of queries each started after the previous one's delay. */
  serverWaves: number;
  startQueryCalls: number;
  queriesRun: number;
  wallMs: number;
  delayMs: number;
  /** Time the fake server spent computing answers (adds to wall time beyond the delay). */
  serverComputeMs: number;
  /** Seconds read twice by same-text queries (adjacent windows must not share a second). */
  overlappingSeconds: number;
  /** The report against the ground truth. */
  findings: {
    firstFailure: boolean;
    failureCount: boolean;
    topWriter: boolean;
    floodOnsetWithinBin: boolean;
  } | null;
  errors: string[];
}

const iso = (ms: number): string => new Date(ms).toISOString();

function checkFindings(report: IncidentReport, truth: GroundTruth): CloudWatchRun['findings'] {
  const onset =
    report.floodOnset === null || truth.floodOnset === null
      ? null
      : Math.abs(Date.parse(report.floodOnset.timestamp) - Date.parse(truth.floodOnset));
  return {
    firstFailure: report.firstFailure?.timestamp === truth.firstFailure?.timestamp,
    failureCount: report.failures.count === truth.failureCount,
    topWriter: report.topWriters[0]?.user === truth.topWriter.user,
    floodOnsetWithinBin:
      onset !== null ? onset <= report.series.binMs : report.floodOnset === null && truth.floodOnset === null,
  };
}

/** Starts the server, runs analyze once, and measures. */
export async function measureCloudWatchRun(options: MeasureRunOptions): Promise<CloudWatchRun> {
  const metered = await createMeteredEngine();
  const server = await createFakeAwsServer({
    accountId: BENCH_ACCOUNT,
    clusters: [
      {
        name: BENCH_CLUSTER,
        logging: [
          { types: ['api', 'audit'], enabled: true },
          { types: ['authenticator', 'controllerManager', 'scheduler'], enabled: false },
        ],
      },
    ],
    logGroups: [{ name: BENCH_LOG_GROUP, records: options.records, logGroupClass: 'STANDARD' }],
    faults: { query: { runningMs: options.delayMs } },
    engine: metered.engine,
  });
  try {
    const run = await runAnalyze({
      cliEntry: options.cliEntry,
      cwd: options.projectRoot,
      serverUrl: server.url,
      cluster: BENCH_CLUSTER,
      lookback: `${options.lookbackDays}d`,
      outputFile: options.outputFile,
    });
    const errors: string[] = [];
    if (run.exitCode !== 0 && run.exitCode !== 1)
      errors.push(
        `analyze exited ${String(run.exitCode)}: ${run.stderr.trim().split('\n').slice(-3).join(' / ')}`,
      );
    const report = run.report;
    if (report === null) errors.push('analyze wrote no report');
    else if (!report.complete) errors.push(`the report is incomplete: ${report.warnings.join('; ')}`);

    const queries: SeenQuery[] = [...server.state.queries.values()].map((q) => ({
      createdAt: q.createdAt,
      bytesScanned: q.statistics.bytesScanned,
      status: q.status,
    }));
    const group = server.logGroups.get(BENCH_LOG_GROUP);
    const bytes = group === undefined ? null : windowBytes(group);
    const window: TimeRange | null =
      report === null
        ? null
        : { startMs: Date.parse(report.window.start), endMs: Date.parse(report.window.end) };
    const figure = (range: TimeRange): WindowFigure | null =>
      bytes === null ? null : { start: iso(range.startMs), end: iso(range.endMs), bytes: bytes.audit(range) };
    const baselineStart = report?.plan?.baseline?.start;
    return {
      lookbackDays: options.lookbackDays,
      exitCode: run.exitCode,
      window: report === null ? null : report.window,
      serverBytesScanned: serverBytes(queries),
      reportBytesScanned: report?.cost.bytesScanned ?? null,
      reportQueriesBytes: report === null ? null : report.queries.reduce((sum, q) => sum + q.bytesScanned, 0),
      costUsd: report?.cost.estimatedUsd ?? null,
      minimum:
        report === null || window === null
          ? null
          : figure(minimumWindow(options.truth.floodOnset, report.series.binMs, window)),
      analysisBaseline:
        window === null || baselineStart === undefined
          ? null
          : figure({ startMs: Date.parse(baselineStart), endMs: window.endMs }),
      naivePlanBytes:
        bytes === null || window === null ? null : naivePlanBytes(bytes, window, ANALYSIS_QUERIES.length),
      naiveQueryCount: ANALYSIS_QUERIES.length,
      naiveLibraryBytes:
        bytes === null || window === null ? null : naivePlanBytes(bytes, window, options.libraryQueryCount),
      libraryQueryCount: options.libraryQueryCount,
      lookbackAuditBytes: bytes === null || window === null ? null : bytes.audit(window),
      rounds: report?.plan?.rounds ?? null,
      roundLines: run.roundLines,
      serverWaves: sequentialWaves(queries, options.delayMs),
      startQueryCalls: server.state.requestsFor('StartQuery').length,
      queriesRun: queries.length,
      wallMs: run.wallMs,
      delayMs: options.delayMs,
      serverComputeMs: metered.computeMs(),
      overlappingSeconds: overlappingSeconds([...server.state.queries.values()]),
      findings: report === null ? null : checkFindings(report, options.truth),
      errors,
    };
  } finally {
    await server.close();
  }
}
