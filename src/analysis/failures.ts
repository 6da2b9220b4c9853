/**
 * Failures: how many `etcdserver: mvcc: database space exceeded` responses, their rate per bin, the
 * last one, and whether the cluster is still failing at the end of the window.
 */
import type { FailureSummary, SeriesPoint } from './incident-report.js';
import { iso } from './row-values.js';
import type { IncidentSeries } from './write-volume.js';

/**
 * "Still failing" is decided on the last bin that saw any write: it had NOSPACE failures and no
 * write in it succeeded. A cluster that recovered shows successful writes after its last failure;
 * one that is still read-only shows none, however many writes it is refusing.
 */
export function isStillFailing(series: IncidentSeries): boolean {
  for (let i = series.bins.length - 1; i >= 0; i -= 1) {
    const bin = series.bins[i];
    if (bin === undefined || (bin.writes === 0 && bin.failures === 0)) continue;
    return bin.failures > 0 && bin.okWrites === 0;
  }
  return false;
}

/** Count, last failure and still-failing from the series and the exact last failure (when probed). */
export function summarizeFailures(series: IncidentSeries, lastFailureMs: number | null): FailureSummary {
  const count = series.bins.reduce((sum, b) => sum + b.failures, 0);
  return {
    count,
    last: count === 0 || lastFailureMs === null ? null : iso(lastFailureMs),
    stillFailing: count > 0 && isStillFailing(series),
  };
}

/** Failures per bin, for the chart. */
export function failureRate(series: IncidentSeries): SeriesPoint[] {
  return series.bins.map((b) => ({ timestamp: iso(b.startMs), value: b.failures }));
}

/** Write requests per bin, for the chart. */
export function writeRate(series: IncidentSeries): SeriesPoint[] {
  return series.bins.map((b) => ({ timestamp: iso(b.startMs), value: b.writes }));
}

/** etcd request timeouts per bin, for the strain chart. */
export function timeoutRate(series: IncidentSeries): SeriesPoint[] {
  return series.bins.map((b) => ({ timestamp: iso(b.startMs), value: b.timeouts }));
}
