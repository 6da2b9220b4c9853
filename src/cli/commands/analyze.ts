/**
 * `analyze`: the incident report for local audit logs (--log-file) or one report per EKS cluster
 * (--cluster, repeatable), rendered in the chosen format to stdout or --output.
 *
 * Several clusters: on stdout the reports follow one another (with --format json, one JSON array so
 * the output stays one valid document); with --output FILE each cluster gets its own file, the
 * cluster name inserted before the extension (incident.json -> incident.prod.json), so every file
 * is one complete report in the chosen format.
 *
 * A run that stops early still writes what it found (complete: false): an interrupted run only when
 * --output is set (then exit 130), a failed query always (then exit 4, or the failure's own code).
 */
import { readFile } from 'node:fs/promises';
import { InvalidArgumentError } from 'commander';
import path from 'node:path';
import { emptyReadiness } from '../../analysis/assemble-report.js';
import { ANALYSIS_QUERIES, IncompleteAnalysisError, analyzeIncident } from '../../analysis/incident.js';
import { databaseSizeFromMetricsText } from '../../analysis/database-size.js';
import type { DatabaseSize, IncidentReport, Readiness } from '../../analysis/incident-report.js';
import type { AuditStreams } from '../../aws/log-groups.js';
import { AppError, SourceError, UsageError } from '../../errors.js';
import { loadQueryLibrary, renderQuery } from '../../queries/library.js';
import type { LogSource, TimeRange } from '../../sources/source.js';
import { renderIncident, type IncidentFormat } from '../../report/render-incident.js';
import { sanitizeForTerminal } from '../../report/terminal-text.js';
import type { CommandIo, GlobalOptions } from '../io.js';
import { parseDurationMs, resolveTimeWindow } from '../options.js';
import { checkOutputWritable, writeFileAtomic } from '../write-output.js';
import { untilAborted } from '../until-aborted.js';

export interface AnalyzeOptions extends GlobalOptions {
  cluster?: string[];
  logFile?: string[];
  metricsFile?: string;
  lookback?: string;
  bin?: string;
  format?: IncidentFormat;
  output?: string;
  start?: string;
  end?: string;
  since?: string;
  region?: string;
  profile?: string;
  maxConcurrent?: number;
  maxScanGb?: number;
  pricePerGb?: number;
  queryTimeout?: number;
  links?: boolean;
}

function duration(value: string, flag: string): number {
  try {
    return parseDurationMs(value);
  } catch (error) {
    throw new UsageError(
      `${flag}: ${error instanceof InvalidArgumentError || error instanceof Error ? error.message : String(error)}`,
      { cause: error },
    );
  }
}

/** `incident.json` + `prod` -> `incident.prod.json`. */
export function outputPathFor(file: string, cluster: string): string {
  const safe = cluster.replace(/[^A-Za-z0-9_.-]/g, '_');
  const ext = path.extname(file);
  return ext === '' ? `${file}.${safe}` : `${file.slice(0, -ext.length)}.${safe}${ext}`;
}

async function toolVersion(): Promise<string> {
  for (const candidate of ['../../../package.json', '../../../../package.json']) {
    try {
      const raw = await readFile(new URL(candidate, import.meta.url), 'utf8');
      const parsed = JSON.parse(raw) as { name?: string; version?: string };
      if (parsed.name === 'eks-etcd-insights' && parsed.version !== undefined) return parsed.version;
    } catch {
      // try the next layout (dist/src/cli/commands vs src/cli/commands)
    }
  }
  return 'unknown';
}

async function readMetricsFile(file: string): Promise<DatabaseSize | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new SourceError(`Cannot read the metrics file ${file}: ${(error as Error).message}`, {
      cause: error,
      hint: 'Save it with `kubectl get --raw /metrics > metrics.txt` and pass that file.',
    });
  }
  return databaseSizeFromMetricsText(text);
}

function analysisQueries(): Record<string, string> {
  const library = loadQueryLibrary();
  const texts: Record<string, string> = {};
  for (const name of ANALYSIS_QUERIES) {
    const query = library.find((q) => q.name === name);
    if (query === undefined)
      throw new UsageError(
        `The stored query "${name}" that analyze needs is missing from the query library.`,
      );
    texts[name] = renderQuery(query);
  }
  return texts;
}

interface ClusterContext {
  cluster: string;
  window: TimeRange;
}

/**
 * Readiness from `logging status` (best effort: a failure becomes a note, the queries decide), and
 * the audit streams it listed, which the CloudWatch source then takes instead of listing them again.
 */
async function clusterReadiness(
  opts: AnalyzeOptions,
  io: CommandIo,
  context: ClusterContext,
  now: number,
): Promise<{ readiness: Readiness; auditStreams: AuditStreams | undefined }> {
  const readiness: Readiness = emptyReadiness();
  let auditStreams: AuditStreams | undefined;
  try {
    const { getLoggingStatus } = await import('../../aws/logging-status.js');
    const { createAwsClients } = await import('../../aws/clients.js');
    // Own clients so that --debug and --verbose show these calls like every other one.
    const clients = createAwsClients({
      ...(opts.region === undefined ? {} : { region: opts.region }),
      ...(opts.profile === undefined ? {} : { profile: opts.profile }),
      ...(io.debug ? { debug: (line: string) => io.stderr(`${line}\n`) } : {}),
      verbose: (line: string) => io.log(line),
    });
    let status;
    try {
      status = await untilAborted(
        getLoggingStatus(
          {
            cluster: context.cluster,
            now,
            ...(opts.region === undefined ? {} : { region: opts.region }),
            ...(opts.profile === undefined ? {} : { profile: opts.profile }),
          },
          clients,
        ),
        io.signal,
      );
    } finally {
      clients.destroy();
    }
    auditStreams = status.auditStreams;
    readiness.auditLoggingEnabled = status.auditEnabled;
    if (status.auditLastEnabled?.atMs !== undefined)
      readiness.enabledSince = new Date(status.auditLastEnabled.atMs).toISOString();
    const oldest = status.auditStreams?.oldestEventMs;
    const newest = status.auditStreams?.newestEventMs;
    if (oldest !== undefined) readiness.oldestEvent = new Date(oldest).toISOString();
    if (newest !== undefined) readiness.newestEvent = new Date(newest).toISOString();
    if (oldest !== undefined && oldest > context.window.startMs)
      readiness.blindBefore = new Date(oldest).toISOString();
    if (!status.auditEnabled)
      readiness.notes.push('Audit logging is off now: the newest events are from before it was turned off.');
    if (newest !== undefined && now - newest > 3_600_000) {
      readiness.notes.push(
        `The newest audit event is from ${new Date(newest).toISOString()}: logs are not arriving (or lag by over an hour).`,
      );
    }
  } catch (error) {
    if (io.signal.aborted) throw error;
    readiness.notes.push(
      `Could not read the logging status: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  return { readiness, auditStreams };
}

/** Database size from CloudWatch metrics (best effort: most clusters before 1.28 publish none). */
async function clusterMetrics(
  opts: AnalyzeOptions,
  io: CommandIo,
  context: ClusterContext,
): Promise<DatabaseSize | null> {
  try {
    const { createAwsClients } = await import('../../aws/clients.js');
    const { getDatabaseSizeMetrics } = await import('../../aws/metrics.js');
    const clients = createAwsClients({
      ...(opts.region === undefined ? {} : { region: opts.region }),
      ...(opts.profile === undefined ? {} : { profile: opts.profile }),
    });
    try {
      return await untilAborted(
        getDatabaseSizeMetrics(await clients.cloudwatch(), {
          cluster: context.cluster,
          window: context.window,
        }),
        io.signal,
      );
    } finally {
      clients.destroy();
    }
  } catch (error) {
    if (io.signal.aborted) throw error;
    io.log(
      `analyze: no database size from CloudWatch metrics: ${error instanceof Error ? error.message : String(error)}`,
    );
    return null;
  }
}

/** Runs `analyze`. */
export async function analyzeCommand(opts: AnalyzeOptions, io: CommandIo): Promise<void> {
  const clusters = opts.cluster ?? [];
  const logFiles = opts.logFile ?? [];
  if (clusters.length === 0 && logFiles.length === 0) {
    throw new UsageError(
      'Say what to analyse: --cluster NAME (CloudWatch) or --log-file PATH (local audit logs).',
      {
        hint: 'e.g. `eks-etcd-insights analyze --log-file examples/sample-incident.jsonl.gz`',
      },
    );
  }
  if (clusters.length > 0 && logFiles.length > 0) {
    throw new UsageError('Give --cluster or --log-file, not both: a report reads one source.');
  }
  const format: IncidentFormat = opts.format ?? 'terminal';
  if (opts.output !== undefined) {
    for (const cluster of clusters.length > 1 ? clusters : [null]) {
      await checkOutputWritable(cluster === null ? opts.output : outputPathFor(opts.output, cluster));
    }
  }
  const lookbackMs = duration(opts.lookback ?? '7d', '--lookback');
  const binMs = opts.bin === undefined ? undefined : duration(opts.bin, '--bin');
  const now = Date.now();
  const queries = analysisQueries();
  const metricsFromFile = opts.metricsFile === undefined ? null : await readMetricsFile(opts.metricsFile);
  if (opts.metricsFile !== undefined && metricsFromFile === null) {
    io.stderr(
      `warning: ${sanitizeForTerminal(opts.metricsFile)} has no etcd size or object count metrics.\n`,
    );
  }
  const version = await toolVersion();
  const common = {
    queries,
    lookbackMs,
    ...(binMs === undefined ? {} : { binMs }),
    now,
    toolVersion: version,
    signal: io.signal,
    onVerbose: (message: string) => io.log(message),
    ...(opts.pricePerGb === undefined ? {} : { pricePerGb: opts.pricePerGb }),
  };
  const render = (report: IncidentReport): string =>
    renderIncident(report, format, {
      color: io.color && opts.output === undefined,
      width: process.stdout.columns ?? 100,
    });

  if (logFiles.length > 0) {
    const window = resolveTimeWindow(opts, now);
    const { createLocalSource } = await import('../../sources/local-source.js');
    const source = createLocalSource({
      paths: logFiles,
      ...(logFiles.includes('-') ? { stdin: process.stdin } : {}),
    });
    const report = await runOne(() =>
      analyzeIncident({
        ...common,
        source,
        ...(window === undefined ? {} : { window }),
        metrics: metricsFromFile,
        cluster: null,
      }),
    );
    await emit(
      [{ report: report.report, cluster: null }],
      opts,
      io,
      render,
      format,
      report.failure?.exitCode === 130,
    );
    if (report.report.skippedLines.count > 0) {
      io.stderr(
        `note: ${report.report.skippedLines.count} malformed input lines were skipped (see the report).\n`,
      );
    }
    if (report.failure !== null) throw report.failure;
    return;
  }

  const window = resolveTimeWindow(opts, now, lookbackMs);
  if (window === undefined) throw new UsageError('No window to analyse.');
  const results: { report: IncidentReport; cluster: string | null }[] = [];
  let firstFailure: AppError | null = null;
  const unopened: string[] = [];
  let firstFailureWasPrinted = false;
  let interrupted: AppError | null = null;
  for (const cluster of clusters) {
    const context = { cluster, window };
    const { readiness, auditStreams } = await clusterReadiness(opts, io, context, now);
    const { openCloudWatchSource } = await import('../open-cloudwatch-source.js');
    let source: LogSource;
    try {
      source = await untilAborted(
        openCloudWatchSource(
          {
            cluster,
            ...(opts.region === undefined ? {} : { region: opts.region }),
            ...(opts.profile === undefined ? {} : { profile: opts.profile }),
            ...(opts.maxConcurrent === undefined ? {} : { maxConcurrent: opts.maxConcurrent }),
            ...(opts.maxScanGb === undefined ? {} : { maxScanGb: opts.maxScanGb }),
            ...(opts.pricePerGb === undefined ? {} : { pricePerGb: opts.pricePerGb }),
            ...(opts.queryTimeout === undefined ? {} : { queryTimeout: opts.queryTimeout }),
            ...(opts.links === undefined ? {} : { links: opts.links }),
            ...(opts.verbose === undefined ? {} : { verbose: opts.verbose }),
            ...(opts.debug === undefined ? {} : { debug: opts.debug }),
            ...(opts.start !== undefined || opts.since !== undefined ? { requestedWindow: window } : {}),
            ...(auditStreams === undefined ? {} : { auditStreams }),
          },
          io,
        ),
        io.signal,
      );
    } catch (error) {
      if (clusters.length === 1 || !(error instanceof AppError) || io.signal.aborted) throw error;
      io.stderr(`error: ${sanitizeForTerminal(cluster)}: ${sanitizeForTerminal(error.message)}\n`);
      if (error.hint !== undefined) io.stderr(`hint: ${sanitizeForTerminal(error.hint)}\n`);
      unopened.push(cluster);
      if (firstFailure === null) {
        firstFailure = error;
        firstFailureWasPrinted = true;
      }
      continue;
    }
    const metrics = metricsFromFile ?? (await clusterMetrics(opts, io, context));
    const outcome = await runOne(() =>
      analyzeIncident({ ...common, source, window, readiness, metrics, cluster }),
    );
    results.push({ report: outcome.report, cluster });
    if (outcome.failure !== null) {
      firstFailure ??= outcome.failure;
      if (outcome.failure.exitCode === 130) {
        interrupted = outcome.failure;
        break;
      }
    }
  }
  if (results.length > 0) await emit(results, opts, io, render, format, interrupted !== null);
  if (interrupted !== null) throw interrupted;
  if (firstFailure !== null && firstFailureWasPrinted) {
    // That error is printed above with its cluster; one summary line rather than the same error again.
    throw new AppError(
      `${unopened.length} of ${clusters.length} clusters could not be analysed (${unopened.join(', ')})` +
        `${results.length > 0 ? '; the reports of the others were written' : ''}.`,
      firstFailure.exitCode,
      { cause: firstFailure },
    );
  }
  if (firstFailure !== null) throw firstFailure;
}

async function runOne(
  run: () => Promise<IncidentReport>,
): Promise<{ report: IncidentReport; failure: AppError | null }> {
  try {
    return { report: await run(), failure: null };
  } catch (error) {
    // An interrupted run always hands back its report (written only with --output). Otherwise, when
    // nothing answered at all (an unreadable file, no credentials), the error alone says it best.
    if (
      error instanceof IncompleteAnalysisError &&
      (error.report.queries.length > 0 || error.exitCode === 130)
    ) {
      return { report: error.report, failure: error };
    }
    if (error instanceof IncompleteAnalysisError && error.failure instanceof Error) throw error.failure;
    throw error;
  }
}

/** Writes the reports: to --output (one file per cluster when several), else to stdout. */
async function emit(
  results: { report: IncidentReport; cluster: string | null }[],
  opts: AnalyzeOptions,
  io: CommandIo,
  render: (report: IncidentReport) => string,
  format: IncidentFormat,
  interrupted: boolean,
): Promise<void> {
  if (opts.output !== undefined) {
    for (const { report, cluster } of results) {
      const file = results.length > 1 && cluster !== null ? outputPathFor(opts.output, cluster) : opts.output;
      await writeFileAtomic(file, render(report));
      io.log(`analyze: wrote ${file}${report.complete ? '' : ' (incomplete)'}`);
    }
    return;
  }
  // Interrupted without --output: nothing is printed (the terminal is being torn down).
  if (interrupted) return;
  if (format === 'json' && results.length > 1) {
    io.stdout(`[\n${results.map((r) => render(r.report).trimEnd()).join(',\n')}\n]\n`);
    return;
  }
  io.stdout(
    results.map((r) => render(r.report)).join(format === 'terminal' || format === 'markdown' ? '\n' : ''),
  );
}
