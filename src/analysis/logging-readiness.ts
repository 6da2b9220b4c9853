/**
 * The verdict on a cluster's audit logging, from facts gathered by src/aws/logging-status.ts: ready
 * when audit logging is on and events are still arriving. Pure: no I/O.
 */
import type { LoggingStatus } from '../aws/logging-status.js';

export type ReadinessVerdict = 'ok' | 'disabled' | 'enabling' | 'no-log-group' | 'no-audit-streams' | 'stale';

export interface LoggingReadiness {
  ok: boolean;
  verdict: ReadinessVerdict;
  /** One line for the top of the report. */
  headline: string;
  /** Things worth knowing even when ok (e.g. a lagging timestamp, no retention). */
  warnings: string[];
  /** Exact commands that fix the problem; empty when ok. */
  fixCommands: string[];
  /** The oldest audit event available: an investigation cannot reach before it. */
  reachesBackToMs: number | undefined;
  /** Minutes since the newest audit event, when known. */
  newestEventAgeMin: number | undefined;
}

export interface ReadinessOptions {
  /** Newer than this is "arriving" without comment (default 15 min). */
  freshMs?: number;
  /**
   * Older than this is "stale" (default 60 min). DescribeLogStreams' lastEventTimestamp and
   * lastIngestionTime are eventually consistent, "typically … less than an hour" behind (API reference,
   * LogStream), so an age between the two limits is a warning, not a failure.
   */
  staleMs?: number;
}

/** Judges whether audit logs can be investigated now. */
export function assessLoggingReadiness(
  status: LoggingStatus,
  options: ReadinessOptions = {},
): LoggingReadiness {
  const freshMs = options.freshMs ?? 15 * 60_000;
  const staleMs = options.staleMs ?? 60 * 60_000;
  const name = status.cluster;
  const warnings: string[] = [];
  const streams = status.auditStreams;
  const newest = maxDefined(streams?.newestEventMs, streams?.newestIngestionMs);
  const newestEventAgeMin =
    newest === undefined ? undefined : Math.max(0, Math.round((status.checkedAtMs - newest) / 60_000));
  const base = { reachesBackToMs: streams?.oldestEventMs, newestEventAgeMin };

  if (status.logGroup !== undefined && status.logGroup.retentionInDays === undefined) {
    warnings.push(
      `the log group never expires its events; audit logs grow (and cost) until a retention is set (--retention-days).`,
    );
  }

  if (!status.auditEnabled) {
    const enabling = status.updatesInProgress.find((u) => u.enablesAudit);
    if (enabling !== undefined) {
      return {
        ok: false,
        verdict: 'enabling',
        headline: `Audit logging on cluster ${name} is being enabled (update ${enabling.id} in progress); logs exist only from then on.`,
        warnings,
        fixCommands: [],
        ...base,
      };
    }
    return {
      ok: false,
      verdict: 'disabled',
      headline: `Audit logging is disabled on cluster ${name}: there is nothing to investigate in CloudWatch.`,
      warnings,
      fixCommands: enableCommands(status),
      ...base,
    };
  }
  if (status.logGroup === undefined) {
    return {
      ok: false,
      verdict: 'no-log-group',
      headline: `Audit logging is enabled on cluster ${name}, but the log group ${status.logGroupName} does not exist (yet).`,
      warnings: [
        ...warnings,
        'EKS creates the log group when the first events arrive; if logging was just enabled, check again in a few minutes.',
      ],
      fixCommands: [],
      ...base,
    };
  }
  if (streams === undefined || streams.names.length === 0) {
    return {
      ok: false,
      verdict: 'no-audit-streams',
      headline: `Audit logging is enabled on cluster ${name}, but ${status.logGroupName} holds no audit streams (kube-apiserver-audit-*).`,
      warnings: [
        ...warnings,
        'if logging was just enabled, the first events can take a few minutes; otherwise the events may have expired (retention).',
      ],
      fixCommands: [],
      ...base,
    };
  }
  if (newest === undefined || status.checkedAtMs - newest > staleMs) {
    return {
      ok: false,
      verdict: 'stale',
      headline: `Audit logs of cluster ${name} are not arriving: the newest event is ${newestEventAgeMin === undefined ? 'unknown' : formatAge(newestEventAgeMin)} old.`,
      warnings,
      fixCommands: [],
      ...base,
    };
  }
  if (status.checkedAtMs - newest > freshMs) {
    warnings.push(
      `the newest audit event is ${formatAge(newestEventAgeMin ?? 0)} old; stream timestamps are eventually consistent (up to an hour behind), so this may be lag.`,
    );
  }
  return {
    ok: true,
    verdict: 'ok',
    headline: `Audit logging is enabled on cluster ${name} and events are arriving (newest ${formatAge(newestEventAgeMin ?? 0)} ago).`,
    warnings,
    fixCommands: [],
    ...base,
  };
}

/** The commands that turn audit logging on, keeping what is already enabled. */
export function enableCommands(status: Pick<LoggingStatus, 'cluster' | 'region' | 'enabledTypes'>): string[] {
  const types = [...new Set([...status.enabledTypes, 'audit'])];
  const region = /^[a-z]{2}(-[a-z]+)+-\d+$/.test(status.region) ? ` --region ${status.region}` : '';
  const logging = JSON.stringify({ clusterLogging: [{ types, enabled: true }] });
  return [
    `eks-etcd-insights logging enable --cluster ${shellQuote(status.cluster)}${region}`,
    `aws eks update-cluster-config --name ${shellQuote(status.cluster)}${region} --logging '${logging}'`,
  ];
}

function formatAge(minutes: number): string {
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}

function shellQuote(value: string): string {
  return /^[A-Za-z0-9._-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
