/**
 * A fake AWS endpoint for tests and benchmarks, on 127.0.0.1: CloudWatch Logs (JSON 1.1) and Amazon EKS
 * (REST-JSON) on one port, so `AWS_ENDPOINT_URL=<url>` points every SDK client at it. Queries are
 * answered by the project's own Logs Insights engine over fixture records; faults are injected on
 * request and can be changed while the server runs.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LogRecord } from '../../../src/insights/record.js';
import { defaultStatus, errorResponse, FakeAwsError, type Protocol } from './aws-error.js';
import {
  createCluster,
  eksOperation,
  handleEks,
  type FakeCluster,
  type FakeClusterSpec,
} from './eks-service.js';
import { createFaults, type FaultRule, type Faults, type FaultSettings } from './faults.js';
import { FakeLogGroup, type FakeLogGroupSpec } from './log-groups.js';
import { handleLogs, type LogsContext } from './logs-service.js';
import { handleMetrics, type FakeMetricSpec } from './metrics-service.js';
import { loadProjectEngine, type FakeQueryEngine } from './query-engine.js';
import { FakeAwsState } from './state.js';

export interface FakeAwsServerOptions {
  region?: string;
  accountId?: string;
  logGroups?: FakeLogGroupSpec[];
  clusters?: FakeClusterSpec[];
  /** CloudWatch metrics (ListMetrics / GetMetricData), e.g. AWS/EKS control-plane metrics. */
  metrics?: FakeMetricSpec[];
  faults?: Partial<FaultSettings>;
  /** Seed for the `probability` fault rules. */
  seed?: number;
  /** Defaults to the project's engine (src/insights). */
  engine?: FakeQueryEngine;
  /** Default 0: any free port. */
  port?: number;
}

export interface FakeAwsServer {
  /** `http://127.0.0.1:PORT` */
  url: string;
  state: FakeAwsState;
  faults: Faults;
  logGroups: Map<string, FakeLogGroup>;
  clusters: Map<string, FakeCluster>;
  /** The CloudWatch metrics; push to add more while running. */
  metrics: FakeMetricSpec[];
  /** Adds (or replaces) a log group. */
  putLogGroup(spec: FakeLogGroupSpec): FakeLogGroup;
  /** Adds events to a log group, as if they had just arrived. */
  appendRecords(logGroupName: string, records: LogRecord[]): void;
  close(): Promise<void>;
}

const LOGS_TARGET_PREFIX = 'Logs_20140328.';
const METRICS_TARGET_PREFIX = 'GraniteServiceVersion20100801.';

/** Starts the fake server on 127.0.0.1 (port 0 unless given). */
export async function createFakeAwsServer(options: FakeAwsServerOptions = {}): Promise<FakeAwsServer> {
  const region = options.region ?? 'us-east-1';
  const accountId = options.accountId ?? '123456789012';
  const state = new FakeAwsState();
  const faults = createFaults(options.faults ?? {}, options.seed ?? 1);
  const logGroups = new Map<string, FakeLogGroup>();
  const clusters = new Map<string, FakeCluster>();
  const metrics = [...(options.metrics ?? [])];
  for (const spec of options.logGroups ?? []) logGroups.set(spec.name, new FakeLogGroup(spec, accountId));
  for (const spec of options.clusters ?? []) clusters.set(spec.name, createCluster(spec, { state }));

  let enginePromise: Promise<FakeQueryEngine> | undefined;
  const engine = (): Promise<FakeQueryEngine> =>
    (enginePromise ??= options.engine !== undefined ? Promise.resolve(options.engine) : loadProjectEngine());

  const logsContext: LogsContext = { state, faults, engine, logGroups, region, accountId };
  const eksContext = {
    state,
    faults,
    region,
    accountId,
    clusters,
    onLoggingEnabled(cluster: string) {
      const name = `/aws/eks/${cluster}/cluster`;
      if (!logGroups.has(name)) logGroups.set(name, new FakeLogGroup({ name }, accountId));
    },
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json', 'x-amzn-errortype': 'InternalFailure' });
        res.end(JSON.stringify({ __type: 'InternalFailure', message: `fake server bug: ${String(error)}` }));
      }
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const target = header(req, 'x-amz-target');
    const eksRoute = target === undefined ? eksOperation(req.method ?? 'GET', url.pathname) : undefined;
    const service = target?.startsWith(LOGS_TARGET_PREFIX)
      ? 'logs'
      : target?.startsWith(METRICS_TARGET_PREFIX)
        ? 'cloudwatch'
        : eksRoute !== undefined
          ? 'eks'
          : 'unknown';
    const protocol: Protocol =
      service === 'cloudwatch' ? 'json1.0' : target !== undefined ? 'json1.1' : 'rest-json';
    const operation =
      target !== undefined
        ? target.slice(target.indexOf('.') + 1)
        : (eksRoute?.operation ?? `${req.method} ${url.pathname}`);
    const authorization = header(req, 'authorization');
    const seen = {
      service,
      operation,
      time: Date.now(),
      signed: authorization?.startsWith('AWS4-HMAC-SHA256') === true,
      hadSessionToken: header(req, 'x-amz-security-token') !== undefined,
      region: /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization ?? '')?.[1],
      status: 0,
      fault: undefined as string | undefined,
    } satisfies FakeAwsState['requests'][number];
    state.requests.push(seen);

    const send = (status: number, headers: Record<string, string>, text: string): void => {
      seen.status = status;
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(text)) });
      res.end(text);
    };
    const sendError = (error: FakeAwsError): void => {
      const r = errorResponse(error, protocol);
      send(r.status, r.headers, r.body);
    };

    const rule = faults.decide(operation, seen.time);
    if (rule !== undefined) {
      seen.fault = rule.kind;
      if (rule.kind === 'reset') {
        req.socket.destroy();
        return;
      }
      if (rule.kind === 'delay') await sleep(rule.delayMs ?? 1000);
      else return sendError(faultError(rule, protocol, service, operation, region, accountId));
    }

    try {
      let result: unknown;
      if (service === 'logs') {
        result = await handleLogs(logsContext, operation, parseJson(body));
      } else if (service === 'cloudwatch') {
        result = handleMetrics(metrics, operation, parseJson(body));
      } else if (eksRoute !== undefined) {
        result = handleEks(eksContext, eksRoute, url.searchParams, parseJson(body));
      } else {
        throw new FakeAwsError(
          'UnknownOperationException',
          `The fake server does not know ${operation}`,
          404,
        );
      }
      const contentType =
        protocol === 'rest-json'
          ? 'application/json'
          : `application/x-amz-${protocol.replace('json', 'json-')}`;
      send(
        200,
        { 'content-type': contentType, 'x-amzn-requestid': crypto.randomUUID() },
        JSON.stringify(result),
      );
    } catch (error) {
      if (error instanceof FakeAwsError) sendError(error);
      else throw error;
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}`,
    state,
    faults,
    logGroups,
    clusters,
    metrics,
    putLogGroup(spec) {
      const group = new FakeLogGroup(spec, accountId);
      logGroups.set(spec.name, group);
      return group;
    },
    appendRecords(name, records) {
      const group = logGroups.get(name);
      if (group === undefined) throw new Error(`fake server: no log group ${name}`);
      group.append(records);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function faultError(
  rule: FaultRule,
  protocol: Protocol,
  service: string,
  operation: string,
  region: string,
  accountId: string,
): FakeAwsError {
  const make = (type: string, message: string): FakeAwsError =>
    new FakeAwsError(type, rule.message ?? message, rule.status ?? defaultStatus(type, protocol));
  switch (rule.kind) {
    case 'throttle':
      return make('ThrottlingException', 'Rate exceeded');
    case 'limit-exceeded':
      return make('LimitExceededException', 'Rate exceeded');
    case 'unavailable':
      return make('ServiceUnavailableException', 'The service is unavailable. Please try again.');
    case 'internal':
      return make('InternalFailure', 'The request processing has failed because of an unknown error.');
    case 'expired-token':
      return make('ExpiredTokenException', 'The security token included in the request is expired');
    case 'unrecognized-client':
      return make('UnrecognizedClientException', 'The security token included in the request is invalid.');
    case 'access-denied': {
      const action = `${service === 'unknown' ? 'logs' : service}:${operation}`;
      return make(
        'AccessDeniedException',
        `User: arn:aws:sts::${accountId}:assumed-role/fake-role/fake-session is not authorized to perform: ${action} on resource: arn:aws:${service}:${region}:${accountId}:* because no identity-based policy allows the ${action} action`,
      );
    }
    default:
      return make(rule.errorType ?? 'InternalFailure', 'Injected fault');
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseJson(body: string): Record<string, unknown> {
  if (body.trim() === '') return {};
  try {
    const value: unknown = JSON.parse(body);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    throw new FakeAwsError('SerializationException', 'The request body is not valid JSON', 400);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
