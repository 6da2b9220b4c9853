/**
 * Narrow wrappers over the EKS calls the tool makes: the cluster's control-plane logging config,
 * logging updates (start, describe, list, wait). Facts: ../shared/aws-facts.md section E.
 */
import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  ListUpdatesCommand,
  UpdateClusterConfigCommand,
  type EKSClient,
  type LogSetup,
  type LogType,
  type Update,
  type UpdateClusterConfigCommandInput,
} from '@aws-sdk/client-eks';
import { SourceError } from '../errors.js';
import { callAws, isAwsError, type AwsErrorContext } from './aws-errors.js';

/** The five control-plane log types, in the order EKS lists them. */
export const LOG_TYPES = ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'] as const;
/** One of the five control-plane log types. */
export type ControlPlaneLogType = (typeof LOG_TYPES)[number];

/** What DescribeCluster says about logging. */
export interface ClusterLogging {
  name: string;
  status: string | undefined;
  version: string | undefined;
  /** `logging.clusterLogging` as returned: possibly several entries. */
  entries: { types: string[]; enabled: boolean }[];
  /** Types held by an `enabled: true` entry. */
  enabledTypes: ControlPlaneLogType[];
}

/** A cluster update, with times in epoch ms. */
export interface ClusterUpdate {
  id: string;
  type: string;
  status: string;
  createdAtMs: number | undefined;
  params: { type: string; value: string }[];
  errors: { errorCode: string; errorMessage: string }[];
}

/** A type is on only if an `enabled: true` entry holds it; a later `enabled: false` entry does not turn it off. */
export function enabledLogTypes(
  entries: readonly { types?: readonly string[]; enabled?: boolean }[],
): ControlPlaneLogType[] {
  const on = new Set(entries.filter((e) => e.enabled === true).flatMap((e) => e.types ?? []));
  return LOG_TYPES.filter((t) => on.has(t));
}

/** DescribeCluster, reduced to the logging facts. */
export async function describeClusterLogging(
  client: EKSClient,
  cluster: string,
  context: AwsErrorContext = {},
): Promise<ClusterLogging> {
  const { cluster: described } = await callAws({ ...context, action: 'eks:DescribeCluster', cluster }, () =>
    client.send(new DescribeClusterCommand({ name: cluster })),
  );
  const entries = (described?.logging?.clusterLogging ?? []).map((e: LogSetup) => ({
    types: [...(e.types ?? [])] as string[],
    enabled: e.enabled === true,
  }));
  return {
    name: described?.name ?? cluster,
    status: described?.status,
    version: described?.version,
    entries,
    enabledTypes: enabledLogTypes(entries),
  };
}

/**
 * The UpdateClusterConfig request that turns `requested` on while keeping every type already on, or
 * undefined when nothing would change. The already-enabled types are repeated in the request because
 * whether omitted types keep their state is not documented (aws-facts E: UNCONFIRMED).
 */
export function buildLoggingUpdateRequest(
  cluster: string,
  currentlyEnabled: readonly ControlPlaneLogType[],
  requested: readonly ControlPlaneLogType[],
): UpdateClusterConfigCommandInput | undefined {
  const wanted = new Set<ControlPlaneLogType>([...currentlyEnabled, ...requested]);
  if (requested.every((t) => currentlyEnabled.includes(t))) return undefined;
  return {
    name: cluster,
    logging: {
      clusterLogging: [{ types: LOG_TYPES.filter((t) => wanted.has(t)) as LogType[], enabled: true }],
    },
  };
}

/** Another update blocks this one (ResourceInUseException 409). */
export class UpdateInProgressError extends SourceError {
  constructor(
    readonly cluster: string,
    readonly otherUpdateId: string | undefined,
    options: { cause?: unknown } = {},
  ) {
    super(
      `Cluster ${cluster} already has an update in progress${otherUpdateId === undefined ? '' : ` (${otherUpdateId})`}; EKS runs one update at a time.`,
      {
        hint: `wait for it and retry, or pass --wait-for-other; see it with \`aws eks describe-update --name ${cluster} --update-id ${otherUpdateId ?? '<id>'}\``,
        ...options,
      },
    );
  }
}

/** The outcome of asking for a logging update. */
export type StartLoggingUpdateResult = { kind: 'started'; update: ClusterUpdate } | { kind: 'no-change' };

/**
 * UpdateClusterConfig for logging. "No changes needed for the logging config provided" is success, and
 * "Cannot LoggingUpdate because cluster X currently has update Y in progress" becomes UpdateInProgressError.
 */
export async function startLoggingUpdate(
  client: EKSClient,
  request: UpdateClusterConfigCommandInput,
  context: AwsErrorContext = {},
): Promise<StartLoggingUpdateResult> {
  const cluster = request.name ?? '';
  try {
    const { update } = await client.send(new UpdateClusterConfigCommand(request));
    return { kind: 'started', update: toClusterUpdate(update) };
  } catch (error) {
    if (
      isAwsError(error, 'InvalidParameterException') &&
      /no changes needed/i.test((error as Error).message)
    ) {
      return { kind: 'no-change' };
    }
    if (isAwsError(error, 'ResourceInUseException')) {
      const other = /update ([0-9a-zA-Z-]+) in progress/.exec((error as Error).message)?.[1];
      throw new UpdateInProgressError(cluster, other, { cause: error });
    }
    return callAws({ ...context, action: 'eks:UpdateClusterConfig', cluster }, () => Promise.reject(error));
  }
}

/** DescribeUpdate. */
export async function describeUpdate(
  client: EKSClient,
  cluster: string,
  updateId: string,
  context: AwsErrorContext = {},
): Promise<ClusterUpdate> {
  const { update } = await callAws({ ...context, action: 'eks:DescribeUpdate', cluster }, () =>
    client.send(new DescribeUpdateCommand({ name: cluster, updateId })),
  );
  return toClusterUpdate(update);
}

/** Update ids of the cluster, following nextToken for at most `maxPages` pages of 100. */
export async function listUpdateIds(
  client: EKSClient,
  cluster: string,
  options: { maxPages?: number } & AwsErrorContext = {},
): Promise<{ ids: string[]; truncated: boolean }> {
  const ids: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < (options.maxPages ?? 5); page++) {
    const out = await callAws({ ...options, action: 'eks:ListUpdates', cluster }, () =>
      client.send(new ListUpdatesCommand({ name: cluster, maxResults: 100, nextToken })),
    );
    ids.push(...(out.updateIds ?? []));
    nextToken = out.nextToken;
    if (nextToken === undefined) return { ids, truncated: false };
  }
  return { ids, truncated: true };
}

/** True when this update's params turn the audit log type on. */
export function updateEnablesAudit(update: ClusterUpdate): boolean {
  if (update.type !== 'LoggingUpdate') return false;
  return update.params.some((p) => {
    if (p.type !== 'ClusterLogging') return false;
    try {
      const parsed = JSON.parse(p.value) as { clusterLogging?: { types?: string[]; enabled?: boolean }[] };
      return (parsed.clusterLogging ?? []).some(
        (e) => e.enabled === true && (e.types ?? []).includes('audit'),
      );
    } catch {
      return false;
    }
  });
}

/** Polling, cancellation and progress for waitForUpdate. */
export interface WaitForUpdateOptions {
  signal?: AbortSignal;
  /** Called after every DescribeUpdate. */
  onPoll?: (update: ClusterUpdate, elapsedMs: number) => void;
  /** First delay between polls (default 5 s), doubled up to `maxDelayMs` (default 30 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Give up after this long (default 30 min): updates "should finish within a few minutes". */
  timeoutMs?: number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

/** Polls DescribeUpdate with backoff until the update is no longer InProgress. The SDK has no waiter for updates. */
export async function waitForUpdate(
  client: EKSClient,
  cluster: string,
  updateId: string,
  options: WaitForUpdateOptions & AwsErrorContext = {},
): Promise<ClusterUpdate> {
  const sleep = options.sleep ?? abortableSleep;
  const began = Date.now();
  let delay = options.initialDelayMs ?? 5000;
  for (;;) {
    const update = await describeUpdate(client, cluster, updateId, options);
    options.onPoll?.(update, Date.now() - began);
    if (update.status !== 'InProgress') return update;
    if (Date.now() - began > (options.timeoutMs ?? 30 * 60_000)) {
      throw new SourceError(
        `Update ${updateId} of cluster ${cluster} is still in progress after ${Math.round((Date.now() - began) / 60_000)} min.`,
        {
          hint: `check it later with \`aws eks describe-update --name ${cluster} --update-id ${updateId}\``,
        },
      );
    }
    await sleep(delay, options.signal);
    delay = Math.min(delay * 2, options.maxDelayMs ?? 30_000);
  }
}

function toClusterUpdate(update: Update | undefined): ClusterUpdate {
  return {
    id: update?.id ?? '',
    type: update?.type ?? '',
    status: update?.status ?? 'Unknown',
    createdAtMs: update?.createdAt?.getTime(),
    params: (update?.params ?? []).map((p) => ({ type: p.type ?? '', value: p.value ?? '' })),
    errors: (update?.errors ?? []).map((e) => ({
      errorCode: e.errorCode ?? '',
      errorMessage: e.errorMessage ?? '',
    })),
  };
}

/** setTimeout that rejects with the signal's reason when aborted. */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted === true) return reject(signal.reason as Error);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason as Error);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
