/**
 * The AWS SDK clients, created lazily: the SDK is imported only when a command first needs a client, so
 * `--help` and local-file runs never load it. Region, profile and credentials come from the SDK's default
 * chain (env, SSO, config files, IMDS); `endpoint` is never set here, so AWS_ENDPOINT_URL and
 * AWS_ENDPOINT_URL_<SERVICE> keep working as the SDK documents.
 */
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CloudWatchLogsClient } from '@aws-sdk/client-cloudwatch-logs';
import type { EKSClient } from '@aws-sdk/client-eks';

/** How the clients are created: Region, profile, retries, and where debug/verbose lines go. */
export interface AwsClientOptions {
  region?: string;
  profile?: string;
  /** Attempts per call, first one included (SDK default: 3). */
  maxAttempts?: number;
  /** --debug: one line per HTTP attempt (service, operation, status, attempt, duration). Never credentials. */
  debug?: (line: string) => void;
  /** --verbose: one line per retry. */
  verbose?: (line: string) => void;
}

/** Lazily created clients for the services the tool talks to. */
export interface AwsClients {
  readonly options: AwsClientOptions;
  logs(): Promise<CloudWatchLogsClient>;
  eks(): Promise<EKSClient>;
  cloudwatch(): Promise<CloudWatchClient>;
  /** The Region the clients use, as the SDK resolved it. */
  region(): Promise<string>;
  destroy(): void;
}

/** The IAM service prefix of each client, for naming the action a failed call needed. */
const IAM_PREFIX = { logs: 'logs', eks: 'eks', cloudwatch: 'cloudwatch' } as const;

/** Property set on errors that passed through a client: the IAM action of the failed call, e.g. `eks:DescribeCluster`. */
export const IAM_ACTION_PROPERTY = '$iamAction';

interface MiddlewareHost {
  middlewareStack: {
    add(middleware: unknown, options: Record<string, unknown>): void;
  };
  config: { region: () => Promise<string> };
  destroy(): void;
}

/** Creates the clients; nothing is loaded until one is asked for. */
export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  // The project supports Node 20 (package.json engines); the SDK's "Node 22 will be required" notice
  // would land on stderr on every run and break `--format json` pipelines that read stderr.
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const created: MiddlewareHost[] = [];
  const config = {
    ...(options.region === undefined ? {} : { region: options.region }),
    ...(options.profile === undefined ? {} : { profile: options.profile }),
    ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
  };
  const once = <T>(make: () => Promise<T>): (() => Promise<T>) => {
    let promise: Promise<T> | undefined;
    return () => (promise ??= make());
  };
  const instrument = <T extends object>(client: T, service: keyof typeof IAM_PREFIX): T => {
    const host = client as unknown as MiddlewareHost;
    addInstrumentation(host, service, options);
    created.push(host);
    return client;
  };

  const clients: AwsClients = {
    options,
    logs: once(async () => {
      const { CloudWatchLogsClient } = await import('@aws-sdk/client-cloudwatch-logs');
      return instrument(new CloudWatchLogsClient(config), 'logs');
    }),
    eks: once(async () => {
      const { EKSClient } = await import('@aws-sdk/client-eks');
      return instrument(new EKSClient(config), 'eks');
    }),
    cloudwatch: once(async () => {
      const { CloudWatchClient } = await import('@aws-sdk/client-cloudwatch');
      return instrument(new CloudWatchClient(config), 'cloudwatch');
    }),
    async region() {
      const eks = (await clients.eks()) as unknown as MiddlewareHost;
      return eks.config.region();
    },
    destroy() {
      for (const client of created) client.destroy();
    },
  };
  return clients;
}

interface HandlerContext {
  commandName?: string;
}

interface HttpRequestLike {
  method?: string;
  path?: string;
}

/**
 * Two middlewares: one outside the retry loop that names the IAM action on any error, and one per
 * attempt (deserialize step, after signing) that writes the --debug and retry lines. The lines carry
 * only the method, path, status and timing: never headers, query strings or bodies, so no
 * Authorization, X-Amz-Security-Token, X-Amz-Signature or Credential= can leak.
 */
function addInstrumentation(
  client: MiddlewareHost,
  service: keyof typeof IAM_PREFIX,
  options: AwsClientOptions,
): void {
  const actionOf = (context: HandlerContext): string =>
    `${IAM_PREFIX[service]}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;

  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: HandlerContext) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        if (typeof error === 'object' && error !== null && !(IAM_ACTION_PROPERTY in error)) {
          Object.defineProperty(error, IAM_ACTION_PROPERTY, { value: actionOf(context), enumerable: false });
        }
        throw error;
      }
    },
    { step: 'initialize', name: 'eksEtcdInsightsIamAction', priority: 'high' },
  );

  if (options.debug === undefined && options.verbose === undefined) return;
  const attempts = new WeakMap<object, number>();
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: HandlerContext) => async (args: unknown) => {
      const attempt = (attempts.get(context) ?? 0) + 1;
      attempts.set(context, attempt);
      const request = (args as { request?: HttpRequestLike }).request ?? {};
      const where = `${request.method ?? '?'} ${request.path ?? '/'}`;
      const action = actionOf(context);
      if (attempt > 1) options.verbose?.(`aws: retrying ${action} (attempt ${attempt})`);
      const began = Date.now();
      try {
        const output = await next(args);
        const status = (output as { response?: { statusCode?: number } }).response?.statusCode ?? '?';
        options.debug?.(
          `aws: ${action} attempt ${attempt} -> ${status} in ${Date.now() - began} ms (${where})`,
        );
        return output;
      } catch (error) {
        const e = error as {
          name?: string;
          $metadata?: { httpStatusCode?: number };
          $response?: { statusCode?: number };
        };
        const status = e.$metadata?.httpStatusCode ?? e.$response?.statusCode ?? 'no response';
        options.debug?.(
          `aws: ${action} attempt ${attempt} -> ${status} ${e.name ?? 'Error'} in ${Date.now() - began} ms (${where})`,
        );
        throw error;
      }
    },
    { step: 'deserialize', name: 'eksEtcdInsightsRequestLog', priority: 'high' },
  );
}
