/**
 * An AWS service error as the fake server sends it. The JSON 1.1 protocol (CloudWatch Logs) puts the
 * type in the body's `__type` ("namespace#Name"); REST-JSON (EKS) uses the `x-amzn-errortype` header.
 * We send both forms for both protocols, as the real services do, so the SDK finds the type either way.
 */
export class FakeAwsError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status: number,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

export type Protocol = 'json1.0' | 'json1.1' | 'rest-json';

/** Status codes the real services use for the common error types, per protocol. */
export function defaultStatus(type: string, protocol: Protocol): number {
  switch (type) {
    case 'ThrottlingException':
      return protocol === 'rest-json' ? 429 : 400;
    case 'ServiceUnavailableException':
      return 503;
    case 'InternalFailure':
    case 'ServerException':
      return 500;
    case 'AccessDeniedException':
      return protocol === 'rest-json' ? 403 : 400;
    case 'ResourceNotFoundException':
      return protocol === 'rest-json' ? 404 : 400;
    case 'ResourceInUseException':
      return protocol === 'rest-json' ? 409 : 400;
    default:
      return 400;
  }
}

const NAMESPACE: Record<Protocol, string> = {
  'json1.0': 'com.amazonaws.cloudwatch',
  'json1.1': 'com.amazonaws.logs',
  'rest-json': 'com.amazonaws.eks',
};

/** Serialises an error into status, headers and body. */
export function errorResponse(
  error: FakeAwsError,
  protocol: Protocol,
): { status: number; headers: Record<string, string>; body: string } {
  const body =
    protocol !== 'rest-json'
      ? { __type: `${NAMESPACE[protocol]}#${error.type}`, message: error.message, ...error.extra }
      : { message: error.message, ...error.extra };
  return {
    status: error.status,
    headers: {
      'content-type':
        protocol === 'rest-json'
          ? 'application/json'
          : `application/x-amz-${protocol.replace('json', 'json-')}`,
      'x-amzn-errortype': error.type,
      'x-amzn-requestid': crypto.randomUUID(),
    },
    body: JSON.stringify(body),
  };
}
