/**
 * Turns SDK errors into AppErrors with a one-line message in the user's terms and one hint: missing or
 * expired credentials, a missing IAM permission (naming the action), an unknown cluster, throttling
 * that outlasted the retries, an unreachable endpoint. Anything else from AWS is a SourceError naming
 * the call; non-AWS errors are left alone (they are bugs).
 */
import { AppError, SourceError, UsageError } from '../errors.js';
import { IAM_ACTION_PROPERTY } from './clients.js';

/** What the caller knows about a failed call, for the message and hint. */
export interface AwsErrorContext {
  /** The IAM action of the call, e.g. `eks:DescribeCluster` (read from the error when the client set it). */
  action?: string;
  cluster?: string;
  region?: string;
  profile?: string;
}

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ExpiredToken',
  'ExpiredTokenException',
  'RequestExpired',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
  'SignatureDoesNotMatch',
  'IncompleteSignature',
  'MissingAuthenticationToken',
  'TokenRefreshRequired',
]);

const ACCESS_DENIED_ERRORS = new Set([
  'AccessDeniedException',
  'AccessDenied',
  'UnauthorizedOperation',
  'NotAuthorized',
]);

const THROTTLING_ERRORS = new Set([
  'ThrottlingException',
  'Throttling',
  'TooManyRequestsException',
  'LimitExceededException',
  'RequestLimitExceeded',
]);

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EPIPE']);

interface SdkErrorShape {
  name?: string;
  message?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
  $fault?: string;
}

/** The IAM action an error carries (set by the client middleware), if any. */
export function iamActionOf(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const value = (error as Record<string, unknown>)[IAM_ACTION_PROPERTY];
  return typeof value === 'string' ? value : undefined;
}

/** True for an SDK error whose name is `name`. */
export function isAwsError(error: unknown, name: string): boolean {
  return typeof error === 'object' && error !== null && (error as SdkErrorShape).name === name;
}

/** Maps an SDK error to an AppError; returns non-AWS errors unchanged. */
export function toAppError(error: unknown, context: AwsErrorContext = {}): unknown {
  if (error instanceof AppError) return error;
  if (typeof error !== 'object' || error === null) return error;
  const e = error as SdkErrorShape;
  const name = e.name ?? '';
  const message = oneLine(e.message ?? '');
  const action = iamActionOf(error) ?? context.action;
  const call = action ?? 'the AWS call';
  const loginHint =
    context.profile !== undefined
      ? `run \`aws sso login --profile ${context.profile}\` (or refresh the profile's credentials) and try again`
      : 'run `aws sso login --profile <profile>` and pass --profile, or set AWS_PROFILE / AWS_ACCESS_KEY_ID';

  if (name === 'CredentialsProviderError' || /could not load credentials/i.test(message)) {
    return new SourceError(
      `No AWS credentials found${context.profile === undefined ? '' : ` for profile ${context.profile}`}.`,
      {
        hint: loginHint,
        cause: error,
      },
    );
  }
  if (
    CREDENTIAL_ERRORS.has(name) ||
    /security token included in the request is (expired|invalid)/i.test(message)
  ) {
    return new SourceError(`AWS rejected the credentials (${name}): they are expired or invalid.`, {
      hint: loginHint,
      cause: error,
    });
  }
  if (ACCESS_DENIED_ERRORS.has(name) || /not authorized to perform/i.test(message)) {
    const needed = /not authorized to perform:? ([a-z0-9-]+:[A-Za-z0-9]+)/.exec(message)?.[1] ?? action;
    return new SourceError(
      `Access denied: this call needs ${needed ?? 'an IAM permission the caller lacks'}.`,
      {
        hint: 'grant it to the caller; `eks-etcd-insights iam-policy` prints the least-privilege policy (add --write for `logging enable`)',
        cause: error,
      },
    );
  }
  if (
    name === 'ResourceNotFoundException' &&
    context.cluster !== undefined &&
    (action === undefined || action.startsWith('eks:'))
  ) {
    const region = context.region ?? 'this Region';
    return new SourceError(`No EKS cluster named ${context.cluster} in ${region}.`, {
      hint: `list the clusters with \`aws eks list-clusters --region ${context.region ?? '<region>'}\`, or pass --region / --profile`,
      cause: error,
    });
  }
  if (/region is missing/i.test(message)) {
    return new UsageError('No AWS Region is set.', {
      hint: 'pass --region, or set AWS_REGION or a region in the profile',
      cause: error,
    });
  }
  if (THROTTLING_ERRORS.has(name)) {
    const attempts = e.$metadata?.attempts;
    return new SourceError(
      `AWS kept refusing ${call} (${name}: ${message})${attempts === undefined ? '' : ` after ${attempts} attempts`}.`,
      { hint: 'wait a minute and retry; for queries, lower --max-concurrent', cause: error },
    );
  }
  if (
    NETWORK_CODES.has(e.code ?? '') ||
    name === 'TimeoutError' ||
    /socket hang up|ECONNREFUSED|ENOTFOUND/.test(message)
  ) {
    return new SourceError(`Could not reach AWS for ${call}: ${message || name}.`, {
      hint: 'check the network, proxy and AWS_ENDPOINT_URL settings',
      cause: error,
    });
  }
  if (e.$metadata !== undefined || e.$fault !== undefined) {
    return new SourceError(`${call} failed: ${name}${message === '' ? '' : `: ${message}`}`, {
      cause: error,
    });
  }
  return error;
}

/** Runs one AWS call and maps its error. */
export async function callAws<T>(context: AwsErrorContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toAppError(error, context);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
