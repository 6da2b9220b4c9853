/**
 * `logging status` for a terminal: the verdict line first, then the details, then the fix. Pure.
 */
import type { LoggingReadiness } from '../analysis/logging-readiness.js';
import type { LoggingStatus } from '../aws/logging-status.js';
import { sanitizeForTerminal } from './terminal-text.js';

const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

/** Renders the status and verdict as plain text (no colour). */
export function renderLoggingStatusText(status: LoggingStatus, readiness: LoggingReadiness): string {
  const lines: string[] = [];
  lines.push(`${readiness.ok ? 'OK' : 'NOT READY'}: ${readiness.headline}`);
  lines.push('');
  const row = (label: string, value: string): void => void lines.push(`  ${label.padEnd(15)}${value}`);
  row(
    'Cluster',
    `${status.cluster} (${status.region})${[
      status.clusterStatus,
      status.kubernetesVersion === undefined ? undefined : `Kubernetes ${status.kubernetesVersion}`,
    ]
      .filter((v) => v !== undefined)
      .map((v) => `, ${v}`)
      .join('')}`,
  );
  row('Log types', LOG_TYPES.map((t) => `${t} ${status.enabledTypes.includes(t) ? 'on' : 'off'}`).join(', '));
  if (status.logGroup === undefined) {
    row('Log group', `${status.logGroupName}: does not exist`);
  } else {
    const g = status.logGroup;
    const retention =
      g.retentionInDays === undefined ? 'never expires' : `retention ${g.retentionInDays} days`;
    row(
      'Log group',
      `${g.name}: ${retention}, ${formatBytes(g.storedBytes)} stored, ${g.logGroupClass} class`,
    );
  }
  const streams = status.auditStreams;
  if (streams !== undefined) {
    if (streams.names.length === 0) {
      row('Audit streams', 'none (kube-apiserver-audit-*)');
    } else {
      row('Audit streams', `${streams.names.length}${streams.truncated ? '+' : ''} stream(s)`);
      const newest = maxDefined(streams.newestEventMs, streams.newestIngestionMs);
      if (newest !== undefined)
        row('Newest event', `${iso(newest)} (${ago(status.checkedAtMs - newest)} ago)`);
      if (streams.oldestEventMs !== undefined) {
        row(
          'Oldest event',
          `${iso(streams.oldestEventMs)}: investigations can reach back ${ago(status.checkedAtMs - streams.oldestEventMs)}`,
        );
      }
    }
  }
  if (status.auditLastEnabled !== undefined) {
    const at = status.auditLastEnabled.atMs;
    row(
      'Audit enabled',
      `${at === undefined ? 'at an unknown time' : iso(at)} (update ${status.auditLastEnabled.updateId})`,
    );
  } else if (status.auditEnabled) {
    row(
      'Audit enabled',
      status.updateHistoryTruncated
        ? 'before the update history read (older than the last updates)'
        : 'unknown: no logging update in the history (enabled when the cluster was created?)',
    );
  }
  for (const u of status.updatesInProgress) row('In progress', `update ${u.id} (${u.type})`);
  if (readiness.warnings.length > 0) {
    lines.push('');
    for (const w of readiness.warnings) lines.push(`note: ${w}`);
  }
  if (readiness.fixCommands.length > 0) {
    lines.push('');
    lines.push('To fix it, run one of:');
    for (const c of readiness.fixCommands) lines.push(`  ${c}`);
    lines.push(
      'Audit logs exist only from the moment logging is on, and CloudWatch bills their ingestion and storage.',
    );
  }
  return `${sanitizeForTerminal(lines.join('\n'))}\n`;
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function ago(ms: number): string {
  const minutes = Math.max(0, Math.round(ms / 60_000));
  if (minutes < 60) return `${minutes} min`;
  if (minutes < 48 * 60) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

function formatBytes(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit] ?? 'B'}`;
}

function maxDefined(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.max(a, b);
}
