/**
 * Narrow wrappers over the Logs Insights query calls (StartQuery, GetQueryResults, StopQuery) and the
 * small facts about them the rest of the code must not get wrong: epoch seconds, pages, statistics,
 * and which errors are worth retrying.
 */
import {
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type CloudWatchLogsClient,
  type GetQueryResultsResponse,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import type { QueryStatistics, TimeRange } from '../sources/source.js';

/** The part of CloudWatchLogsClient these wrappers use (a mock or the real client). */
export type InsightsClient = Pick<CloudWatchLogsClient, 'send'>;

/** StartQuery's window: epoch seconds, both ends inclusive. */
export interface QuerySeconds {
  startTime: number;
  endTime: number;
}

/**
 * Converts an inclusive ms window into StartQuery's inclusive epoch seconds (aws-facts A). Both ends
 * are floored: an inclusive end second X covers X.000 to X.999, so the window's last millisecond is
 * inside it. Ceiling the end instead would read the next second too, and the analysis tiles its
 * series over adjacent windows ending at X.999: the next window's first second would be counted twice.
 */
export function toQuerySeconds(range: TimeRange): QuerySeconds {
  return { startTime: Math.floor(range.startMs / 1000), endTime: Math.floor(range.endMs / 1000) };
}

/** One StartQuery call: the log group, the query text, its window in epoch seconds and the row limit. */
export interface StartQueryInput {
  logGroupName: string;
  queryString: string;
  window: QuerySeconds;
  limit?: number;
}

/** Starts a Logs Insights query and returns its id. */
export async function startInsightsQuery(client: InsightsClient, input: StartQueryInput): Promise<string> {
  // No abortSignal here on purpose: a StartQuery aborted in flight may still have started a query whose
  // id we would never learn, so it could not be stopped. The caller stops it as soon as the id is back.
  const response = await client.send(
    new StartQueryCommand({
      logGroupName: input.logGroupName,
      queryString: input.queryString,
      startTime: input.window.startTime,
      endTime: input.window.endTime,
      ...(input.limit === undefined ? {} : { limit: input.limit }),
    }),
  );
  if (response.queryId === undefined || response.queryId === '') {
    throw new Error('StartQuery answered without a queryId');
  }
  return response.queryId;
}

/** One GetQueryResults page. */
export async function getQueryResultsPage(
  client: InsightsClient,
  queryId: string,
  nextToken?: string,
  signal?: AbortSignal,
): Promise<GetQueryResultsResponse> {
  return client.send(
    new GetQueryResultsCommand({ queryId, ...(nextToken === undefined ? {} : { nextToken }) }),
    signal === undefined ? {} : { abortSignal: signal },
  );
}

/**
 * Stops a query. StopQuery errors when the query has already ended (aws-facts A); that is the state we
 * wanted anyway, so such an error is swallowed and reported as `false`. Throttling and 5xx are retried
 * a few times: the query client runs without SDK retries, and a query we fail to stop keeps billing.
 */
export async function stopInsightsQuery(
  client: InsightsClient,
  queryId: string,
  attempts = 4,
): Promise<boolean> {
  for (let attempt = 1; ; attempt++) {
    try {
      const response = await client.send(new StopQueryCommand({ queryId }));
      return response.success === true;
    } catch (error) {
      const kind = classifyAwsError(error);
      if ((kind !== 'throttled' && kind !== 'transient') || attempt >= attempts) return false;
      await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
    }
  }
}

/** Rows of `{field, value}` pairs as string records, with the column order of first appearance. */
export function rowsFromResults(results: ResultField[][] | undefined): {
  fields: string[];
  rows: Record<string, string>[];
} {
  const fields: string[] = [];
  const seen = new Set<string>();
  const rows: Record<string, string>[] = [];
  for (const result of results ?? []) {
    const row: Record<string, string> = {};
    for (const cell of result) {
      if (cell.field === undefined) continue;
      row[cell.field] = cell.value ?? '';
      if (!seen.has(cell.field)) {
        seen.add(cell.field);
        fields.push(cell.field);
      }
    }
    rows.push(row);
  }
  return { fields, rows };
}

/** GetQueryResults `statistics` (doubles, possibly absent) as our QueryStatistics. */
export function parseStatistics(statistics: GetQueryResultsResponse['statistics']): QueryStatistics {
  const parsed: QueryStatistics = {
    recordsScanned: statistics?.recordsScanned ?? 0,
    recordsMatched: statistics?.recordsMatched ?? 0,
    bytesScanned: statistics?.bytesScanned ?? 0,
  };
  // Filled only when a field index applied (aws-facts A); keep "absent" distinct from 0.
  if (statistics?.estimatedBytesSkipped !== undefined)
    parsed.estimatedBytesSkipped = statistics.estimatedBytesSkipped;
  return parsed;
}

/** How the code should react to an error from a Logs call. */
export type AwsErrorClass = 'throttled' | 'transient' | 'malformed' | 'credentials' | 'fatal';

const THROTTLING_NAMES = new Set([
  'LimitExceededException',
  'ThrottlingException',
  'TooManyRequestsException',
  'Throttling',
  'RequestLimitExceeded',
]);
const CREDENTIAL_NAMES = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'RequestExpired',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'CredentialsProviderError',
  'TokenProviderError',
]);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'EPIPE',
  'ETIMEDOUT',
  'ECONNABORTED',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

/** Sorts an SDK error into: back off and retry, retry, bad query, bad credentials, or give up. */
export function classifyAwsError(error: unknown): AwsErrorClass {
  if (typeof error !== 'object' || error === null) return 'fatal';
  const e = error as {
    name?: string;
    code?: string;
    $fault?: string;
    $metadata?: { httpStatusCode?: number };
  };
  const name = e.name ?? '';
  if (name === 'MalformedQueryException') return 'malformed';
  if (THROTTLING_NAMES.has(name) || e.$metadata?.httpStatusCode === 429) return 'throttled';
  if (CREDENTIAL_NAMES.has(name)) return 'credentials';
  if (name === 'ServiceUnavailableException' || name === 'InternalFailure' || name === 'InternalServerError')
    return 'transient';
  const status = e.$metadata?.httpStatusCode;
  if (status !== undefined && status >= 500) return 'transient';
  if (e.code !== undefined && NETWORK_CODES.has(e.code)) return 'transient';
  if (
    name === 'TimeoutError' ||
    name === 'NetworkingError' ||
    /socket hang up|ECONNRESET/i.test(String((error as Error).message))
  ) {
    return 'transient';
  }
  return 'fatal';
}
