/**
 * Restricting queries to the audit streams. The EKS log group holds every control-plane log type
 * (api, audit, authenticator, ...), and Logs Insights bills for every byte it scans in the window.
 *
 * Why two forms (aws-facts B): `@logStream` has a default field index in every STANDARD-class log group,
 * and `filterIndex @logStream in [...]` makes the engine read only the events of the named streams; the
 * rest is reported as `estimatedBytesSkipped`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/CWL_QuerySyntax-FilterIndex.html). Field
 * indexes exist only for the STANDARD class, and a regex `like` is not index-eligible, so for
 * INFREQUENT_ACCESS (or an unknown class) we can only filter, not skip:
 * `filter @logStream like /kube-apiserver-audit/` still scans the whole window.
 */
import type { AuditStream } from '../../aws/log-groups.js';
import type { TimeRange } from '../source.js';
import { queryShape } from './query-shape.js';

/** Logs Insights rejects query strings over 10,000 characters (StartQuery `queryString`). */
export const MAX_QUERY_LENGTH = 10_000;

/**
 * `lastEventTimestamp` is eventually consistent, "typically less than an hour" late (DescribeLogStreams),
 * so a stream whose reported last event is up to this long before the window may still hold events in it.
 */
const LAST_EVENT_LAG_MS = 2 * 3_600_000;

/** How a query was restricted to the audit streams. */
export type StreamScopeKind = 'filterIndex' | 'filter' | 'none';

/** A query restricted to the audit streams, and how (filterIndex or filter). */
export interface ScopedQuery {
  queryString: string;
  scope: StreamScopeKind;
  /** The streams named in `filterIndex` (empty otherwise). */
  streams: string[];
}

/** Quotes a string for a Logs Insights string literal: double quotes, `\` and `"` escaped. */
export function quoteInsightsString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The audit streams that can hold events in the window (all of them when there is no window). */
export function streamsForWindow(streams: AuditStream[], range: TimeRange | undefined): AuditStream[] {
  if (range === undefined) return streams;
  return streams.filter((s) => {
    const first = s.firstEventTimestamp ?? Number.NEGATIVE_INFINITY;
    const last = Math.max(
      s.lastEventTimestamp ?? Number.POSITIVE_INFINITY,
      s.lastIngestionTime ?? Number.NEGATIVE_INFINITY,
    );
    return first <= range.endMs && last + LAST_EVENT_LAG_MS >= range.startMs;
  });
}

/**
 * Prefixes a query so it reads only audit events: `filterIndex @logStream in [...]` on STANDARD log
 * groups with known audit streams, `filter @logStream like /kube-apiserver-audit/` otherwise. A query
 * that already has its own `filterIndex` is left alone (only one index filter makes sense).
 */
export function scopeQueryToAuditStreams(
  queryString: string,
  logGroupClass: string | undefined,
  streams: AuditStream[],
  range: TimeRange | undefined,
): ScopedQuery {
  const shape = queryShape(queryString);
  if (shape.hasFilterIndex) return { queryString, scope: 'none', streams: [] };
  // Names with control characters cannot be written safely on one line; such a stream is not one EKS
  // writes, and leaving it out of the index would silently drop data, so fall back to the filter.
  const candidates = streamsForWindow(streams, range).map((s) => s.name);
  // eslint-disable-next-line no-control-regex -- finding control characters is the point here.
  const safe = candidates.every((name) => !/[\u0000-\u001f\u007f]/.test(name));
  if (logGroupClass === 'STANDARD' && candidates.length > 0 && safe) {
    const names = [...new Set(candidates)].sort();
    const scoped = prefixed(
      `filterIndex @logStream in [${names.map(quoteInsightsString).join(', ')}]`,
      shape.body,
    );
    if (scoped.length <= MAX_QUERY_LENGTH)
      return { queryString: scoped, scope: 'filterIndex', streams: names };
  }
  const filtered = prefixed('filter @logStream like /kube-apiserver-audit/', shape.body);
  if (filtered.length <= MAX_QUERY_LENGTH) return { queryString: filtered, scope: 'filter', streams: [] };
  return { queryString, scope: 'none', streams: [] };
}

/** The prefix command on its own line, then the query (a comment header was already stripped). */
function prefixed(command: string, body: string): string {
  return body.trim().length === 0 ? command : `${command}\n| ${body}`;
}
