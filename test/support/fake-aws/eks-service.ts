/**
 * Amazon EKS over REST-JSON: DescribeCluster, UpdateClusterConfig, DescribeUpdate, ListUpdates.
 * Error messages are the ones the real service is observed to send (see ../shared/aws-facts.md E).
 */
import { FakeAwsError } from './aws-error.js';
import type { Faults } from './faults.js';
import type { FakeAwsState, FakeUpdate } from './state.js';

export const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;

export interface LogSetup {
  types: string[];
  enabled: boolean;
}

export interface FakeUpdateSpec {
  id?: string;
  type?: string;
  status: FakeUpdate['status'];
  /** Epoch ms. */
  createdAt?: number;
  params?: { type: string; value: string }[];
  errors?: FakeUpdate['errors'];
  /** For an InProgress update: DescribeUpdate polls before it ends (default 2). */
  pollsUntilDone?: number;
  finalStatus?: FakeUpdate['finalStatus'];
}

export interface FakeClusterSpec {
  name: string;
  /** `cluster.logging.clusterLogging` as DescribeCluster returns it; several entries allowed. */
  logging?: LogSetup[];
  status?: string;
  version?: string;
  updates?: FakeUpdateSpec[];
  /** Create /aws/eks/NAME/cluster when a logging update succeeds (default true). */
  createLogGroupOnEnable?: boolean;
}

export interface FakeCluster {
  spec: FakeClusterSpec;
  logging: LogSetup[];
  createdAt: number;
  updateIds: string[];
}

export interface EksContext {
  state: FakeAwsState;
  faults: Faults;
  region: string;
  accountId: string;
  clusters: Map<string, FakeCluster>;
  /** Called when a logging update that turns a type on succeeds. */
  onLoggingEnabled(cluster: string): void;
}

/** Builds the server's view of a cluster. */
export function createCluster(spec: FakeClusterSpec, ctx: Pick<EksContext, 'state'>): FakeCluster {
  const cluster: FakeCluster = {
    spec,
    logging: spec.logging ?? [{ types: [...LOG_TYPES], enabled: false }],
    createdAt: Date.now() - 90 * 86_400_000,
    updateIds: [],
  };
  for (const u of spec.updates ?? []) {
    const update: FakeUpdate = {
      id: u.id ?? crypto.randomUUID(),
      cluster: spec.name,
      type: u.type ?? 'LoggingUpdate',
      status: u.status,
      params: u.params ?? [],
      createdAt: u.createdAt ?? Date.now(),
      errors: u.errors ?? [],
      polls: 0,
      pollsUntilDone: u.pollsUntilDone ?? 2,
      finalStatus: u.finalStatus ?? 'Successful',
      apply: undefined,
    };
    ctx.state.updates.set(update.id, update);
    cluster.updateIds.push(update.id);
  }
  return cluster;
}

/** The operation a REST request maps to. */
export function eksOperation(
  method: string,
  path: string,
): { operation: string; cluster: string; updateId?: string } | undefined {
  const m = /^\/clusters\/([^/]+)(\/update-config|\/updates(?:\/([^/]+))?)?\/?$/.exec(path);
  if (m === null) return undefined;
  const cluster = decodeURIComponent(m[1] ?? '');
  const tail = m[2];
  if (tail === undefined && method === 'GET') return { operation: 'DescribeCluster', cluster };
  if (tail === '/update-config' && method === 'POST') return { operation: 'UpdateClusterConfig', cluster };
  if (tail !== undefined && tail.startsWith('/updates') && method === 'GET') {
    return m[3] === undefined
      ? { operation: 'ListUpdates', cluster }
      : { operation: 'DescribeUpdate', cluster, updateId: decodeURIComponent(m[3]) };
  }
  return undefined;
}

/** Answers one EKS operation. */
export function handleEks(
  ctx: EksContext,
  route: { operation: string; cluster: string; updateId?: string },
  query: URLSearchParams,
  body: Record<string, unknown>,
): unknown {
  const cluster = ctx.clusters.get(route.cluster);
  if (cluster === undefined) {
    throw new FakeAwsError('ResourceNotFoundException', `No cluster found for name: ${route.cluster}.`, 404, {
      clusterName: route.cluster,
    });
  }
  switch (route.operation) {
    case 'DescribeCluster':
      return { cluster: describeCluster(ctx, cluster) };
    case 'UpdateClusterConfig':
      return { update: updateClusterConfig(ctx, cluster, body) };
    case 'ListUpdates': {
      const max = Number(query.get('maxResults') ?? '100');
      const start = Number(query.get('nextToken') ?? '0');
      const ids = cluster.updateIds.slice(start, start + max);
      const next = start + ids.length;
      return { updateIds: ids, ...(next < cluster.updateIds.length ? { nextToken: String(next) } : {}) };
    }
    case 'DescribeUpdate': {
      const update = ctx.state.updates.get(route.updateId ?? '');
      if (update === undefined || update.cluster !== route.cluster) {
        throw new FakeAwsError(
          'ResourceNotFoundException',
          `No update found for ID: ${route.updateId ?? ''}`,
          404,
        );
      }
      advance(update);
      return { update: describeUpdate(update) };
    }
    default:
      throw new FakeAwsError('InvalidRequestException', `Unsupported operation ${route.operation}`, 400);
  }
}

function describeCluster(ctx: EksContext, cluster: FakeCluster): Record<string, unknown> {
  const updating = cluster.updateIds.some((id) => ctx.state.updates.get(id)?.status === 'InProgress');
  const name = cluster.spec.name;
  return {
    name,
    arn: `arn:aws:eks:${ctx.region}:${ctx.accountId}:cluster/${name}`,
    createdAt: cluster.createdAt / 1000,
    version: cluster.spec.version ?? '1.31',
    endpoint: `https://${name.toLowerCase()}.gr7.${ctx.region}.eks.amazonaws.com`,
    roleArn: `arn:aws:iam::${ctx.accountId}:role/eks-cluster-role`,
    status: cluster.spec.status ?? (updating ? 'UPDATING' : 'ACTIVE'),
    platformVersion: 'eks.12',
    logging: { clusterLogging: cluster.logging },
  };
}

function enabledTypes(logging: LogSetup[]): Set<string> {
  // A type is on only if an enabled:true entry holds it.
  return new Set(logging.filter((e) => e.enabled).flatMap((e) => e.types));
}

function updateClusterConfig(
  ctx: EksContext,
  cluster: FakeCluster,
  body: Record<string, unknown>,
): Record<string, unknown> {
  const logging = (body['logging'] as { clusterLogging?: LogSetup[] } | undefined)?.clusterLogging;
  if (logging === undefined)
    throw new FakeAwsError(
      'InvalidParameterException',
      'The fake server only supports logging updates.',
      400,
    );
  for (const entry of logging) {
    for (const type of entry.types) {
      if (!(LOG_TYPES as readonly string[]).includes(type)) {
        throw new FakeAwsError('InvalidParameterException', `Unsupported log type ${type}`, 400);
      }
    }
  }
  const inProgress = cluster.updateIds
    .map((id) => ctx.state.updates.get(id))
    .find((u) => u?.status === 'InProgress');
  if (inProgress !== undefined) {
    throw new FakeAwsError(
      'ResourceInUseException',
      `Cannot LoggingUpdate because cluster ${cluster.spec.name} currently has update ${inProgress.id} in progress`,
      409,
      { clusterName: cluster.spec.name },
    );
  }
  const before = enabledTypes(cluster.logging);
  const after = new Set(before);
  for (const entry of logging) {
    for (const type of entry.types) {
      if (entry.enabled) after.add(type);
      else after.delete(type);
    }
  }
  if (before.size === after.size && [...after].every((t) => before.has(t))) {
    throw new FakeAwsError(
      'InvalidParameterException',
      'No changes needed for the logging config provided',
      400,
      {
        clusterName: cluster.spec.name,
      },
    );
  }
  const settings = ctx.faults.current();
  const update: FakeUpdate = {
    id: crypto.randomUUID(),
    cluster: cluster.spec.name,
    type: 'LoggingUpdate',
    status: 'InProgress',
    params: [{ type: 'ClusterLogging', value: JSON.stringify({ clusterLogging: logging }) }],
    createdAt: Date.now(),
    errors: [],
    polls: 0,
    pollsUntilDone: settings.updatePolls,
    finalStatus: settings.updateFinalStatus,
    apply: () => {
      const on = LOG_TYPES.filter((t) => after.has(t));
      const off = LOG_TYPES.filter((t) => !after.has(t));
      cluster.logging = [
        ...(on.length > 0 ? [{ types: on, enabled: true }] : []),
        ...(off.length > 0 ? [{ types: off, enabled: false }] : []),
      ];
      if (on.length > 0 && cluster.spec.createLogGroupOnEnable !== false)
        ctx.onLoggingEnabled(cluster.spec.name);
    },
  };
  ctx.state.updates.set(update.id, update);
  cluster.updateIds.push(update.id);
  return describeUpdate(update);
}

function advance(update: FakeUpdate): void {
  if (update.status !== 'InProgress') return;
  if (update.polls < update.pollsUntilDone) {
    update.polls += 1;
    return;
  }
  update.status = update.finalStatus;
  if (update.status === 'Successful') update.apply?.();
  if (update.status === 'Failed' && update.errors.length === 0) {
    update.errors.push({
      errorCode: 'SubnetNotFound',
      errorMessage: 'The subnet ID does not exist (fake failure)',
      resourceIds: ['subnet-0fake'],
    });
  }
}

function describeUpdate(update: FakeUpdate): Record<string, unknown> {
  return {
    id: update.id,
    status: update.status,
    type: update.type,
    params: update.params,
    createdAt: update.createdAt / 1000,
    errors: update.errors,
  };
}
