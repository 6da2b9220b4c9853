/**
 * etcd strain: `etcdserver: request timed out` responses over time (from the series) and 5xx/429
 * responses by user agent (from the actor rows of the lead-up and baseline windows).
 */
import type { StrainSummary } from './incident-report.js';
import { iso } from './row-values.js';
import type { ActorRow } from './writers.js';
import type { IncidentSeries } from './write-volume.js';

/** How many user agents the breakdown keeps. */
export const STRAIN_USER_AGENTS = 10;

/** The strain summary; `firstTimeoutMs` is the exact time from the probe, when it ran. */
export function summarizeStrain(
  series: IncidentSeries,
  actors: readonly ActorRow[],
  firstTimeoutMs: number | null,
): StrainSummary {
  const timeouts = series.bins.reduce((s, b) => s + b.timeouts, 0);
  const byAgent = new Map<string, { serverErrors: number; throttled: number }>();
  for (const row of actors) {
    if (row.serverErrors === 0 && row.throttled === 0) continue;
    const entry = byAgent.get(row.userAgent) ?? { serverErrors: 0, throttled: 0 };
    entry.serverErrors += row.serverErrors;
    entry.throttled += row.throttled;
    byAgent.set(row.userAgent, entry);
  }
  return {
    timeouts,
    firstTimeout: timeouts === 0 || firstTimeoutMs === null ? null : iso(firstTimeoutMs),
    serverErrors: series.bins.reduce((s, b) => s + b.serverErrors, 0),
    throttled: series.bins.reduce((s, b) => s + b.throttled, 0),
    byUserAgent: [...byAgent.entries()]
      .map(([userAgent, v]) => ({ userAgent, ...v }))
      .sort(
        (a, b) =>
          b.serverErrors + b.throttled - (a.serverErrors + a.throttled) ||
          a.userAgent.localeCompare(b.userAgent),
      )
      .slice(0, STRAIN_USER_AGENTS),
  };
}
