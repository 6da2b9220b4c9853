/**
 * Gathers the facts that answer "can I investigate this cluster, and since when?": which control-plane
 * log types are on, the log group (retention, size, class), the audit streams (newest and oldest
 * event) and when audit logging was last turned on. Data only; the verdict is
 * src/analysis/logging-readiness.ts.
 */
import { createAwsClients, type AwsClients } from './clients.js';
import {
  describeClusterLogging,
  describeUpdate,
  listUpdateIds,
  updateEnablesAudit,
  type ClusterUpdate,
  type ControlPlaneLogType,
} from './eks.js';
import {
  clusterLogGroupName,
  describeLogGroup,
  listAuditStreams,
  type AuditStreams,
  type LogGroupInfo,
} from './log-groups.js';

/** Everything `logging status` reports. Times are epoch ms. */
export interface LoggingStatus {
  cluster: string;
  region: string;
  checkedAtMs: number;
  clusterStatus: string | undefined;
  kubernetesVersion: string | undefined;
  /** `logging.clusterLogging` as DescribeCluster returned it. */
  logSetup: { types: string[]; enabled: boolean }[];
  enabledTypes: ControlPlaneLogType[];
  auditEnabled: boolean;
  logGroupName: string;
  /** undefined: the log group does not exist. */
  logGroup: LogGroupInfo | undefined;
  /** undefined when there is no log group to list. */
  auditStreams: AuditStreams | undefined;
  /** The newest successful update that turned audit on, if one is in the update history read. */
  auditLastEnabled: { updateId: string; atMs: number | undefined } | undefined;
  /** Updates still running (EKS runs one at a time; a logging change may be on its way). */
  updatesInProgress: { id: string; type: string; enablesAudit: boolean }[];
  /** Not every update was read (history longer than the bound). */
  updateHistoryTruncated: boolean;
}

/** Which cluster to read, where, and the time to judge freshness against. */
export interface LoggingStatusOptions {
  cluster: string;
  region?: string;
  profile?: string;
  now: number;
  /** DescribeUpdate calls at most (newest ids first); default 25. */
  maxUpdates?: number;
}

/** Reads the logging facts of one cluster. Pass `clients` to reuse (and not destroy) existing clients. */
export async function getLoggingStatus(
  options: LoggingStatusOptions,
  clients?: AwsClients,
): Promise<LoggingStatus> {
  const own = clients === undefined;
  const aws = clients ?? createAwsClients({ region: options.region, profile: options.profile });
  try {
    const eks = await aws.eks();
    const logs = await aws.logs();
    const region = options.region ?? (await aws.region().catch(() => 'unknown Region'));
    const context = { cluster: options.cluster, region, profile: options.profile };
    const cluster = await describeClusterLogging(eks, options.cluster, context);
    const logGroupName = clusterLogGroupName(options.cluster);
    const [logGroup, history] = await Promise.all([
      describeLogGroup(logs, logGroupName, context),
      readUpdateHistory(aws, options, context),
    ]);
    const auditStreams =
      logGroup === undefined ? undefined : await listAuditStreams(logs, logGroupName, context);
    return {
      cluster: options.cluster,
      region,
      checkedAtMs: options.now,
      clusterStatus: cluster.status,
      kubernetesVersion: cluster.version,
      logSetup: cluster.entries,
      enabledTypes: cluster.enabledTypes,
      auditEnabled: cluster.enabledTypes.includes('audit'),
      logGroupName,
      logGroup,
      auditStreams,
      ...history,
    };
  } finally {
    if (own) aws.destroy();
  }
}

async function readUpdateHistory(
  aws: AwsClients,
  options: LoggingStatusOptions,
  context: { cluster: string; region: string; profile?: string | undefined },
): Promise<Pick<LoggingStatus, 'auditLastEnabled' | 'updatesInProgress' | 'updateHistoryTruncated'>> {
  const eks = await aws.eks();
  const { ids, truncated } = await listUpdateIds(eks, options.cluster, context);
  // ListUpdates does not document an order; read a bounded number from the end (the newest, in practice)
  // and order by createdAt ourselves.
  const max = options.maxUpdates ?? 25;
  const picked = ids.slice(-max);
  const updates: ClusterUpdate[] = [];
  // A few at a time: quick on clusters with a long history, gentle on the EKS API rate limit.
  for (let i = 0; i < picked.length; i += 5) {
    updates.push(
      ...(await Promise.all(
        picked.slice(i, i + 5).map((id) => describeUpdate(eks, options.cluster, id, context)),
      )),
    );
  }
  updates.sort((a, b) => (b.createdAtMs ?? 0) - (a.createdAtMs ?? 0));
  const enabling = updates.find((u) => u.status === 'Successful' && updateEnablesAudit(u));
  return {
    auditLastEnabled:
      enabling === undefined ? undefined : { updateId: enabling.id, atMs: enabling.createdAtMs },
    updatesInProgress: updates
      .filter((u) => u.status === 'InProgress')
      .map((u) => ({ id: u.id, type: u.type, enablesAudit: updateEnablesAudit(u) })),
    updateHistoryTruncated: truncated || ids.length > picked.length,
  };
}
