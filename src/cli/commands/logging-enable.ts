import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { AwsClients } from '../../aws/clients.js';
import type { ClusterUpdate, ControlPlaneLogType } from '../../aws/eks.js';
import { AppError, CheckFailedError, SourceError, UsageError } from '../../errors.js';
import { sanitizeForTerminal } from '../../report/terminal-text.js';
import type { CommandIo } from '../io.js';

export interface LoggingEnableOptions {
  cluster: string;
  region?: string;
  profile?: string;
  /** Comma-separated log types; default `audit`. */
  types?: string;
  retentionDays?: number;
  yes?: boolean;
  dryRun?: boolean;
  /** commander's `--no-wait` sets this to false. */
  wait?: boolean;
  waitForOther?: boolean;
}

export type LoggingEnableResult =
  | { outcome: 'dry-run'; request: unknown }
  | { outcome: 'no-change' }
  | { outcome: 'started'; updateId: string }
  | { outcome: 'enabled'; updateId: string };

const LOG_TYPES: readonly ControlPlaneLogType[] = [
  'api',
  'audit',
  'authenticator',
  'controllerManager',
  'scheduler',
];

/** Parses `--types` (case-insensitive, comma-separated) into the EKS log type names. */
export function parseLogTypes(text: string | undefined): ControlPlaneLogType[] {
  const parts = (text ?? 'audit')
    .split(',')
    .map((p) => p.trim())
    .filter((p) => p !== '');
  if (parts.length === 0)
    throw new UsageError('--types is empty.', { hint: `use some of ${LOG_TYPES.join(', ')}` });
  const out: ControlPlaneLogType[] = [];
  for (const part of parts) {
    const type = LOG_TYPES.find((t) => t.toLowerCase() === part.toLowerCase());
    if (type === undefined) {
      throw new UsageError(`--types: "${part}" is not a control-plane log type.`, {
        hint: `use some of ${LOG_TYPES.join(', ')}`,
      });
    }
    if (!out.includes(type)) out.push(type);
  }
  return out;
}

/**
 * `logging enable`: turns the requested log types on (keeping those already on), optionally sets the log
 * group retention, and waits for the update. Read-only unless confirmed (or --yes).
 */
export async function loggingEnableCommand(
  opts: LoggingEnableOptions,
  io: CommandIo,
): Promise<LoggingEnableResult> {
  const requested = parseLogTypes(opts.types);
  const { validateRetentionDays } = await import('../../aws/log-groups.js');
  if (opts.retentionDays !== undefined) validateRetentionDays(opts.retentionDays);

  const { createAwsClients } = await import('../../aws/clients.js');
  const clients = createAwsClients({
    region: opts.region,
    profile: opts.profile,
    ...(io.debug ? { debug: (line: string) => io.stderr(`${line}\n`) } : {}),
    ...(io.verbose ? { verbose: (line: string) => io.log(line) } : {}),
  });
  try {
    return await enable(opts, io, requested, clients);
  } finally {
    clients.destroy();
  }
}

async function enable(
  opts: LoggingEnableOptions,
  io: CommandIo,
  requested: ControlPlaneLogType[],
  clients: AwsClients,
): Promise<LoggingEnableResult> {
  const eksApi = await import('../../aws/eks.js');
  const { clusterLogGroupName } = await import('../../aws/log-groups.js');
  const eks = await clients.eks();
  const region = opts.region ?? (await clients.region().catch(() => undefined));
  const context = { cluster: opts.cluster, region, profile: opts.profile };
  const say = (text: string): void => io.stderr(`${sanitizeForTerminal(text)}\n`);

  const current = await eksApi.describeClusterLogging(eks, opts.cluster, context);
  const request = eksApi.buildLoggingUpdateRequest(opts.cluster, current.enabledTypes, requested);
  const logGroupName = clusterLogGroupName(opts.cluster);
  const retentionRequest =
    opts.retentionDays === undefined ? undefined : { logGroupName, retentionInDays: opts.retentionDays };

  if (opts.dryRun === true) {
    const lines: string[] = [];
    if (request === undefined)
      lines.push(`No changes needed: ${requested.join(', ')} already enabled on cluster ${opts.cluster}.`);
    else lines.push('Dry run: would call eks:UpdateClusterConfig with:', JSON.stringify(request, null, 2));
    if (retentionRequest !== undefined)
      lines.push(
        'Dry run: would call logs:PutRetentionPolicy with:',
        JSON.stringify(retentionRequest, null, 2),
      );
    lines.push('Nothing was changed.');
    io.stdout(`${lines.join('\n')}\n`);
    return { outcome: 'dry-run', request: request ?? null };
  }

  if (request === undefined) {
    io.stdout(`No changes needed: ${requested.join(', ')} already enabled on cluster ${opts.cluster}.\n`);
    if (retentionRequest !== undefined) {
      await confirm(opts, io, `Set the retention of ${logGroupName} to ${opts.retentionDays} days?`);
      await setRetention(await clients.logs(), logGroupName, opts.retentionDays ?? 0, io, context);
    }
    return { outcome: 'no-change' };
  }

  const adding = requested.filter((t) => !current.enabledTypes.includes(t));
  say(
    `Cluster ${opts.cluster}: enabling ${adding.join(', ')}${current.enabledTypes.length > 0 ? ` (keeping ${current.enabledTypes.join(', ')} on)` : ''}.`,
  );
  say('Logs exist only from now on: nothing before this moment can be investigated later.');
  if (adding.includes('audit'))
    say(
      'Audit logs cost money: CloudWatch bills their ingestion and storage, and audit is the largest control-plane log type.',
    );
  await confirm(
    opts,
    io,
    `Enable ${adding.join(', ')} logging on cluster ${opts.cluster}${retentionRequest === undefined ? '' : ` and set retention to ${opts.retentionDays} days`}?`,
  );

  let update: ClusterUpdate | undefined;
  for (let attempt = 0; update === undefined; attempt++) {
    try {
      const started = await eksApi.startLoggingUpdate(eks, request, context);
      if (started.kind === 'no-change') {
        io.stdout(`No changes needed: ${requested.join(', ')} already enabled on cluster ${opts.cluster}.\n`);
        if (retentionRequest !== undefined)
          await setRetention(await clients.logs(), logGroupName, opts.retentionDays ?? 0, io, context);
        return { outcome: 'no-change' };
      }
      update = started.update;
    } catch (error) {
      if (
        !(error instanceof eksApi.UpdateInProgressError) ||
        opts.waitForOther !== true ||
        error.otherUpdateId === undefined ||
        attempt >= 3
      ) {
        throw error;
      }
      say(
        `Cluster ${opts.cluster} has update ${error.otherUpdateId} in progress; waiting for it (--wait-for-other).`,
      );
      const other = await eksApi.waitForUpdate(eks, opts.cluster, error.otherUpdateId, {
        ...context,
        signal: io.signal,
        initialDelayMs: 1000,
        maxDelayMs: 15_000,
        onPoll: progress(io, error.otherUpdateId),
      });
      endProgress(io);
      say(`Update ${other.id} ended: ${other.status}. Retrying.`);
    }
  }

  if (opts.wait === false) {
    io.stdout(`${update.id}\n`);
    say(`Logging update ${update.id} started (InProgress); not waiting (--no-wait).`);
    say(`Follow it with: aws eks describe-update --name ${opts.cluster} --update-id ${update.id}`);
    if (retentionRequest !== undefined)
      await setRetention(await clients.logs(), logGroupName, opts.retentionDays ?? 0, io, context, 0);
    return { outcome: 'started', updateId: update.id };
  }

  const final = await eksApi.waitForUpdate(eks, opts.cluster, update.id, {
    ...context,
    signal: io.signal,
    initialDelayMs: 1000,
    maxDelayMs: 15_000,
    onPoll: progress(io, update.id),
  });
  endProgress(io);
  if (final.status !== 'Successful') {
    const errors = final.errors.map((e) => `${e.errorCode}: ${e.errorMessage}`).join('; ');
    throw new SourceError(
      `Logging update ${final.id} of cluster ${opts.cluster} ended ${final.status}${errors === '' ? '' : `: ${errors}`}.`,
      {
        hint: `see \`aws eks describe-update --name ${opts.cluster} --update-id ${final.id}\``,
      },
    );
  }
  io.stdout(
    `Enabled ${adding.join(', ')} logging on cluster ${opts.cluster} (update ${final.id}, Successful).\n`,
  );
  if (retentionRequest !== undefined)
    await setRetention(await clients.logs(), logGroupName, opts.retentionDays ?? 0, io, context);
  return { outcome: 'enabled', updateId: final.id };
}

async function confirm(opts: LoggingEnableOptions, io: CommandIo, question: string): Promise<void> {
  if (opts.yes === true) return;
  if (!io.stderrIsTTY) {
    throw new UsageError(
      'This changes the cluster and needs confirmation, but there is no terminal to ask on.',
      {
        hint: 'pass --yes to confirm from a script (or --dry-run to see the request)',
      },
    );
  }
  if (!(await io.confirm(question))) throw new CheckFailedError('Not confirmed; nothing was changed.');
}

/**
 * PutRetentionPolicy on the cluster's log group. EKS creates the group only when logs start flowing, so
 * right after enabling it may not exist: retry a few times, then explain how to set it later.
 */
async function setRetention(
  logs: CloudWatchLogsClient,
  logGroupName: string,
  days: number,
  io: CommandIo,
  context: { cluster: string; region: string | undefined; profile: string | undefined },
  retries = 6,
): Promise<void> {
  const { putRetention } = await import('../../aws/log-groups.js');
  const { abortableSleep } = await import('../../aws/eks.js');
  const { isAwsError } = await import('../../aws/aws-errors.js');
  for (let attempt = 0; ; attempt++) {
    try {
      await putRetention(logs, logGroupName, days, { region: context.region, profile: context.profile });
      io.stdout(`Set the retention of ${logGroupName} to ${days} days.\n`);
      return;
    } catch (error) {
      const notFound = error instanceof AppError && isAwsError(error.cause, 'ResourceNotFoundException');
      if (!notFound) throw error;
      if (attempt >= retries) {
        throw new CheckFailedError(
          `The log group ${logGroupName} does not exist yet, so its retention was not set.`,
          {
            hint: `EKS creates it when the first logs arrive; in a few minutes run \`aws logs put-retention-policy --log-group-name ${logGroupName} --retention-in-days ${days}\``,
          },
        );
      }
      io.log(`The log group ${logGroupName} does not exist yet; retrying in 5 s.`);
      await abortableSleep(5000, io.signal);
    }
  }
}

function progress(io: CommandIo, updateId: string): (update: ClusterUpdate, elapsedMs: number) => void {
  return (update, elapsedMs) => {
    const line = `Update ${updateId}: ${update.status} (${Math.round(elapsedMs / 1000)} s)`;
    if (io.stderrIsTTY) io.stderr(`\r\u001b[2K${line}`);
    else io.log(line);
  };
}

function endProgress(io: CommandIo): void {
  if (io.stderrIsTTY) io.stderr('\n');
}
