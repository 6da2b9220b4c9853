import { UsageError } from '../../errors.js';
import { getStoredQuery, renderQuery } from '../../queries/library.js';
import { renderQueryResultCsv } from '../../report/query-result-csv.js';
import { renderQueryResultJson } from '../../report/query-result-json.js';
import { renderQueryResultTable } from '../../report/query-result-table.js';
import { sanitizeForTerminal } from '../../report/terminal-text.js';
import type { QueryOutcome, QueryRequest } from '../../sources/source.js';
import type { CommandIo } from '../io.js';
import { openSource, sourceKind, type OpenSourceOptions } from '../open-source.js';
import { resolveTimeWindow, type TimeWindowOptions } from '../options.js';
import { checkOutputWritable, writeFileAtomic } from '../write-output.js';
import { untilAborted } from '../until-aborted.js';

export interface QueriesRunOptions extends OpenSourceOptions, TimeWindowOptions {
  name?: string;
  queryString?: string;
  param?: string[];
  namespace?: string;
  user?: string;
  resource?: string;
  limit?: number;
  format?: 'table' | 'json' | 'csv';
  output?: string;
}

/**
 * CloudWatch needs a window and bills what it scans, so without --start/--since a cluster is queried
 * over the last hour; local files are read whole (the issue's default for files).
 */
export const DEFAULT_CLOUDWATCH_WINDOW_MS = 60 * 60 * 1000;

/** `queries run NAME | --query-string Q`: runs one query on local files or a cluster and prints the rows. */
export async function queriesRunCommand(opts: QueriesRunOptions, io: CommandIo): Promise<QueryOutcome> {
  const { name, queryString } = resolveQuery(opts);
  const kind = sourceKind(opts);
  // Before any scan: a report with nowhere to go should not cost a CloudWatch query.
  if (opts.output !== undefined) await checkOutputWritable(opts.output);
  const range = resolveTimeWindow(
    opts,
    Date.now(),
    kind === 'cloudwatch' ? DEFAULT_CLOUDWATCH_WINDOW_MS : undefined,
  );
  const request: QueryRequest = { name, queryString };
  if (range !== undefined) request.range = range;
  if (opts.limit !== undefined) request.limit = opts.limit;

  const explicitStart = opts.start !== undefined || opts.since !== undefined;
  const source = await untilAborted(
    openSource(explicitStart && range !== undefined ? { ...opts, requestedWindow: range } : opts, io),
    io.signal,
  );
  io.log(
    `running ${name} on ${source.label}${range === undefined ? '' : ` from ${new Date(range.startMs).toISOString()} to ${new Date(range.endMs).toISOString()}`}`,
  );
  const [outcome] = await source.runAll([request], {
    signal: io.signal,
    onVerbose: (message) => io.log(message),
  });
  if (outcome === undefined) throw new Error('the source returned no outcome for the query');

  for (const warning of outcome.warnings ?? []) io.stderr(`warning: ${sanitizeForTerminal(warning)}\n`);
  if (outcome.skipped !== undefined && outcome.skipped.count > 0) {
    const first = outcome.skipped.samples[0];
    const where = first === undefined ? '' : `; first: ${first.file}:${first.line}: ${first.reason}`;
    io.stderr(
      `${sanitizeForTerminal(`skipped ${outcome.skipped.count} malformed ${outcome.skipped.count === 1 ? 'line' : 'lines'}${where}`)}\n`,
    );
  }
  if (outcome.truncated)
    io.stderr(
      'warning: the result reached its row cap; some rows may be missing (narrow the window or raise --limit)\n',
    );

  const text = render(outcome, opts.format ?? 'table', opts.output === undefined && io.stdoutIsTTY);
  if (opts.output !== undefined) {
    await writeFileAtomic(opts.output, text);
    io.stderr(
      `wrote ${outcome.rows.length} ${outcome.rows.length === 1 ? 'row' : 'rows'} to ${sanitizeForTerminal(opts.output)}\n`,
    );
  } else {
    io.stdout(text);
  }
  return outcome;
}

function render(outcome: QueryOutcome, format: 'table' | 'json' | 'csv', terminal: boolean): string {
  switch (format) {
    case 'json':
      return renderQueryResultJson(outcome);
    case 'csv':
      return renderQueryResultCsv(outcome);
    default:
      return renderQueryResultTable(outcome, terminal ? { width: process.stdout.columns ?? 120 } : {});
  }
}

/** The query text to run: a stored query with its parameters, or --query-string as given. */
export function resolveQuery(opts: QueriesRunOptions): { name: string; queryString: string } {
  const params = collectParams(opts);
  if (opts.name !== undefined && opts.queryString !== undefined) {
    throw new UsageError(
      `Give a stored query name or --query-string, not both (got "${opts.name}" and a query string).`,
    );
  }
  if (opts.queryString !== undefined) {
    if (Object.keys(params).length > 0) {
      throw new UsageError(
        '--param, --namespace, --user and --resource fill in stored queries; they do not apply to --query-string.',
        {
          hint: 'Write the values into the query string yourself.',
        },
      );
    }
    if (opts.queryString.trim() === '') throw new UsageError('--query-string is empty.');
    return { name: 'query-string', queryString: opts.queryString };
  }
  if (opts.name === undefined || opts.name === '') {
    throw new UsageError('Say which query to run: a stored query name or --query-string.', {
      hint: 'Run `eks-etcd-insights queries list` to see the stored queries.',
    });
  }
  const stored = getStoredQuery(opts.name);
  return { name: stored.name, queryString: renderQuery(stored, params) };
}

function collectParams(opts: QueriesRunOptions): Record<string, string> {
  const params: Record<string, string> = {};
  for (const entry of opts.param ?? []) {
    const eq = entry.indexOf('=');
    if (eq <= 0) throw new UsageError(`--param ${entry}: expected KEY=VALUE, e.g. --param namespace=team-a.`);
    const key = entry.slice(0, eq).trim();
    if (key in params && params[key] !== entry.slice(eq + 1))
      throw new UsageError(`--param ${key} is given twice with different values.`);
    params[key] = entry.slice(eq + 1);
  }
  for (const key of ['namespace', 'user', 'resource'] as const) {
    const value = opts[key];
    if (value === undefined) continue;
    if (key in params && params[key] !== value)
      throw new UsageError(`--${key} and --param ${key}=... disagree; give one of them.`);
    params[key] = value;
  }
  return params;
}
