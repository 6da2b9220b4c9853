import { assessLoggingReadiness, type LoggingReadiness } from '../../analysis/logging-readiness.js';
import type { LoggingStatus } from '../../aws/logging-status.js';
import { CheckFailedError } from '../../errors.js';
import { renderLoggingStatusText } from '../../report/logging-status-text.js';
import type { CommandIo } from '../io.js';
import { untilAborted } from '../until-aborted.js';

export interface LoggingStatusOptions {
  cluster: string;
  region?: string;
  profile?: string;
  format?: 'text' | 'json';
}

/** `logging status`: prints the verdict and details; exit 1 (CheckFailedError) unless audit logs are on and arriving. */
export async function loggingStatusCommand(
  opts: LoggingStatusOptions,
  io: CommandIo,
): Promise<{ status: LoggingStatus; readiness: LoggingReadiness }> {
  const { createAwsClients } = await import('../../aws/clients.js');
  const { getLoggingStatus } = await import('../../aws/logging-status.js');
  const clients = createAwsClients({
    region: opts.region,
    profile: opts.profile,
    ...(io.debug ? { debug: (line: string) => io.stderr(`${line}\n`) } : {}),
    ...(io.verbose ? { verbose: (line: string) => io.log(line) } : {}),
  });
  let status: LoggingStatus;
  try {
    io.log(`Reading the logging configuration of cluster ${opts.cluster}...`);
    status = await untilAborted(
      getLoggingStatus(
        { cluster: opts.cluster, region: opts.region, profile: opts.profile, now: Date.now() },
        clients,
      ),
      io.signal,
    );
  } finally {
    clients.destroy();
  }
  const readiness = assessLoggingReadiness(status);
  if (opts.format === 'json') {
    io.stdout(`${JSON.stringify(loggingStatusJson(status, readiness), null, 2)}\n`);
  } else {
    io.stdout(renderLoggingStatusText(status, readiness));
  }
  if (!readiness.ok) {
    throw new CheckFailedError(`audit logs of cluster ${opts.cluster} are not ready: ${readiness.verdict}.`, {
      ...(readiness.fixCommands[0] === undefined ? {} : { hint: `run \`${readiness.fixCommands[0]}\`` }),
    });
  }
  return { status, readiness };
}

/** The `--format json` document: stable keys, times as ISO 8601 UTC strings (null when unknown). */
export function loggingStatusJson(
  status: LoggingStatus,
  readiness: LoggingReadiness,
): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null =>
    ms === undefined ? null : new Date(ms).toISOString();
  return {
    schemaVersion: 1,
    cluster: status.cluster,
    region: status.region,
    checkedAt: iso(status.checkedAtMs),
    ok: readiness.ok,
    verdict: readiness.verdict,
    headline: readiness.headline,
    warnings: readiness.warnings,
    fixCommands: readiness.fixCommands,
    clusterStatus: status.clusterStatus ?? null,
    kubernetesVersion: status.kubernetesVersion ?? null,
    logTypes: Object.fromEntries(
      (['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const).map((t) => [
        t,
        status.enabledTypes.includes(t),
      ]),
    ),
    clusterLogging: status.logSetup,
    logGroup: {
      name: status.logGroupName,
      exists: status.logGroup !== undefined,
      retentionInDays: status.logGroup?.retentionInDays ?? null,
      neverExpires: status.logGroup !== undefined && status.logGroup.retentionInDays === undefined,
      storedBytes: status.logGroup?.storedBytes ?? null,
      logGroupClass: status.logGroup?.logGroupClass ?? null,
    },
    auditStreams:
      status.auditStreams === undefined
        ? null
        : {
            count: status.auditStreams.names.length,
            names: status.auditStreams.names,
            truncated: status.auditStreams.truncated,
            newestEvent: iso(status.auditStreams.newestEventMs),
            newestIngestion: iso(status.auditStreams.newestIngestionMs),
            oldestEvent: iso(status.auditStreams.oldestEventMs),
          },
    auditLastEnabled:
      status.auditLastEnabled === undefined
        ? null
        : { updateId: status.auditLastEnabled.updateId, at: iso(status.auditLastEnabled.atMs) },
    updatesInProgress: status.updatesInProgress,
  };
}
