/**
 * The first failure: the earliest `etcdserver: mvcc: database space exceeded` in the lookback.
 *
 * On CloudWatch every query bills the bytes of its whole window, so the search does not scan the
 * lookback up front: it reads the per-bin series backwards from the end in growing windows
 * (see GALLOP_WINDOWS_MS) and stops as soon as the earliest failure it has seen has a clean bin
 * before it. Failures from a full etcd are contiguous (every write fails until space is freed), so
 * a clean bin before the earliest failure means the search has gone back far enough. The exact
 * millisecond and the request's details then come from a narrow probe over the one bin that holds
 * it: `sort @timestamp asc | limit 1`.
 */
import type { FirstFailure } from './incident-report.js';
import type { QueryOutcome } from '../sources/source.js';
import { iso, parseResultTime, textValue } from './row-values.js';
import type { IncidentSeries } from './write-volume.js';
import { firstFailureBinIndex } from './write-volume.js';

/** Stored query: the earliest NOSPACE failure with its details. */
export const FIRST_FAILURE_QUERY = 'incident-first-failure';
/** Stored query: the latest NOSPACE failure. */
export const LAST_FAILURE_QUERY = 'incident-last-failure';
/** Stored query: the earliest etcd request timeout. */
export const FIRST_TIMEOUT_QUERY = 'incident-first-timeout';

const HOUR = 3_600_000;

/**
 * How far back each search round reaches from the end of the window: 6 h, then 24 h, then the
 * whole lookback. Three rounds at most, whatever the lookback; each round scans only the part the
 * previous rounds did not.
 */
export const GALLOP_WINDOWS_MS = [6 * HOUR, 24 * HOUR, Number.POSITIVE_INFINITY] as const;

/** The earliest failure in the series has at least one clean bin before it. */
export function failureLocated(series: IncidentSeries): boolean {
  return firstFailureBinIndex(series) > 0;
}

/** The @timestamp of the first row of a probe, or null when it found nothing. */
export function probeTimestamp(outcome: QueryOutcome | undefined): number | null {
  const row = outcome?.rows[0];
  if (row === undefined) return null;
  const t = parseResultTime(row['@timestamp']);
  return Number.isNaN(t) ? null : t;
}

/** The first failure from an `incident-first-failure` outcome, or null when it found none. */
export function firstFailureFrom(outcome: QueryOutcome | undefined): FirstFailure | null {
  const row = outcome?.rows[0];
  const t = probeTimestamp(outcome);
  if (row === undefined || t === null) return null;
  return {
    timestamp: iso(t),
    user: textValue(row, 'user'),
    userAgent: textValue(row, 'userAgent'),
    verb: textValue(row, 'verb'),
    resource: textValue(row, 'resource'),
    apiGroup: textValue(row, 'apiGroup'),
    namespace: textValue(row, 'namespace'),
    requestURI: textValue(row, 'requestURI'),
  };
}
