import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  InvalidParameterException,
  ListUpdatesCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateClusterConfigCommand,
} from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import { toAppError } from '../../src/aws/aws-errors.js';
import {
  buildLoggingUpdateRequest,
  describeClusterLogging,
  enabledLogTypes,
  listUpdateIds,
  startLoggingUpdate,
  UpdateInProgressError,
  updateEnablesAudit,
  waitForUpdate,
} from '../../src/aws/eks.js';
import { SourceError, UsageError } from '../../src/errors.js';

const eksMock = mockClient(EKSClient);
const client = new EKSClient({ region: 'us-east-1' });
afterEach(() => eksMock.reset());

describe('enabledLogTypes', () => {
  it('counts a type only when an enabled:true entry holds it', () => {
    expect(
      enabledLogTypes([
        { types: ['audit', 'api'], enabled: false },
        { types: ['scheduler', 'api'], enabled: true },
      ]),
    ).toEqual(['api', 'scheduler']);
    expect(enabledLogTypes([{ types: ['audit'] }])).toEqual([]);
    expect(enabledLogTypes([])).toEqual([]);
  });
});

describe('buildLoggingUpdateRequest', () => {
  it('keeps every type already on and adds the requested ones, in EKS order', () => {
    expect(buildLoggingUpdateRequest('prod', ['scheduler', 'api'], ['audit'])).toEqual({
      name: 'prod',
      logging: { clusterLogging: [{ types: ['api', 'audit', 'scheduler'], enabled: true }] },
    });
  });

  it('is undefined when nothing would change', () => {
    expect(buildLoggingUpdateRequest('prod', ['audit', 'api'], ['audit'])).toBeUndefined();
  });
});

describe('describeClusterLogging', () => {
  it('reduces DescribeCluster to the logging facts', async () => {
    eksMock.on(DescribeClusterCommand, { name: 'prod' }).resolves({
      cluster: {
        name: 'prod',
        status: 'ACTIVE',
        version: '1.30',
        logging: {
          clusterLogging: [
            { types: ['audit'], enabled: true },
            { types: ['api'], enabled: false },
          ],
        },
      },
    });
    const logging = await describeClusterLogging(client, 'prod');
    expect(logging).toEqual({
      name: 'prod',
      status: 'ACTIVE',
      version: '1.30',
      entries: [
        { types: ['audit'], enabled: true },
        { types: ['api'], enabled: false },
      ],
      enabledTypes: ['audit'],
    });
  });

  it('maps an unknown cluster to a SourceError naming the cluster and Region', async () => {
    eksMock.on(DescribeClusterCommand).rejects(
      new ResourceNotFoundException({
        message: 'No cluster found for name: prod.',
        $metadata: { httpStatusCode: 404 },
      }),
    );
    const error = await describeClusterLogging(client, 'prod', { region: 'eu-west-1' }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe('No EKS cluster named prod in eu-west-1.');
    expect((error as SourceError).exitCode).toBe(4);
  });
});

describe('startLoggingUpdate', () => {
  const request = {
    name: 'prod',
    logging: { clusterLogging: [{ types: ['audit' as const], enabled: true }] },
  };

  it('returns the started update', async () => {
    eksMock.on(UpdateClusterConfigCommand).resolves({
      update: {
        id: 'u-1',
        status: 'InProgress',
        type: 'LoggingUpdate',
        createdAt: new Date(1_700_000_000_000),
        params: [],
        errors: [],
      },
    });
    expect(await startLoggingUpdate(client, request)).toEqual({
      kind: 'started',
      update: {
        id: 'u-1',
        status: 'InProgress',
        type: 'LoggingUpdate',
        createdAtMs: 1_700_000_000_000,
        params: [],
        errors: [],
      },
    });
    expect(eksMock.commandCalls(UpdateClusterConfigCommand)[0]?.args[0].input).toEqual(request);
  });

  it('treats "No changes needed" as success', async () => {
    eksMock.on(UpdateClusterConfigCommand).rejects(
      new InvalidParameterException({
        message: 'No changes needed for the logging config provided',
        $metadata: {},
      }),
    );
    expect(await startLoggingUpdate(client, request)).toEqual({ kind: 'no-change' });
  });

  it('names the other update on ResourceInUseException', async () => {
    eksMock.on(UpdateClusterConfigCommand).rejects(
      new ResourceInUseException({
        message: 'Cannot LoggingUpdate because cluster prod currently has update 8d3e-11aa in progress',
        $metadata: {},
      }),
    );
    const error = await startLoggingUpdate(client, request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UpdateInProgressError);
    expect((error as UpdateInProgressError).otherUpdateId).toBe('8d3e-11aa');
    expect((error as UpdateInProgressError).exitCode).toBe(4);
  });

  it('maps other InvalidParameterExceptions to a SourceError naming the call', async () => {
    eksMock
      .on(UpdateClusterConfigCommand)
      .rejects(
        new InvalidParameterException({ message: 'Only one type of update can be allowed.', $metadata: {} }),
      );
    await expect(startLoggingUpdate(client, request)).rejects.toThrow(
      'eks:UpdateClusterConfig failed: InvalidParameterException: Only one type of update can be allowed.',
    );
  });
});

describe('update history and waiting', () => {
  it('follows ListUpdates pages within the bound', async () => {
    eksMock
      .on(ListUpdatesCommand, { name: 'prod', nextToken: undefined })
      .resolves({ updateIds: ['a', 'b'], nextToken: 't1' });
    eksMock
      .on(ListUpdatesCommand, { name: 'prod', nextToken: 't1' })
      .resolves({ updateIds: ['c'], nextToken: 't2' });
    expect(await listUpdateIds(client, 'prod', { maxPages: 2 })).toEqual({
      ids: ['a', 'b', 'c'],
      truncated: true,
    });
    eksMock.on(ListUpdatesCommand, { name: 'prod', nextToken: 't2' }).resolves({ updateIds: ['d'] });
    expect(await listUpdateIds(client, 'prod')).toEqual({ ids: ['a', 'b', 'c', 'd'], truncated: false });
  });

  it('recognises updates that turn audit on', () => {
    const update = (value: string, type = 'LoggingUpdate') => ({
      id: 'x',
      type,
      status: 'Successful',
      createdAtMs: 0,
      params: [{ type: 'ClusterLogging', value }],
      errors: [],
    });
    expect(updateEnablesAudit(update('{"clusterLogging":[{"types":["audit","api"],"enabled":true}]}'))).toBe(
      true,
    );
    expect(updateEnablesAudit(update('{"clusterLogging":[{"types":["audit"],"enabled":false}]}'))).toBe(
      false,
    );
    expect(updateEnablesAudit(update('not json'))).toBe(false);
    expect(
      updateEnablesAudit(update('{"clusterLogging":[{"types":["audit"],"enabled":true}]}', 'VersionUpdate')),
    ).toBe(false);
  });

  it('polls DescribeUpdate with growing delays until the update ends', async () => {
    eksMock
      .on(DescribeUpdateCommand)
      .resolvesOnce({ update: { id: 'u', status: 'InProgress' } })
      .resolvesOnce({ update: { id: 'u', status: 'InProgress' } })
      .resolves({
        update: {
          id: 'u',
          status: 'Failed',
          errors: [{ errorCode: 'SubnetNotFound', errorMessage: 'gone' }],
        },
      });
    const delays: number[] = [];
    const statuses: string[] = [];
    const final = await waitForUpdate(client, 'prod', 'u', {
      initialDelayMs: 10,
      maxDelayMs: 25,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      onPoll: (u) => statuses.push(u.status),
    });
    expect(final.status).toBe('Failed');
    expect(final.errors).toEqual([{ errorCode: 'SubnetNotFound', errorMessage: 'gone' }]);
    expect(statuses).toEqual(['InProgress', 'InProgress', 'Failed']);
    expect(delays).toEqual([10, 20]);
  });

  it('stops waiting when the signal aborts', async () => {
    eksMock.on(DescribeUpdateCommand).resolves({ update: { id: 'u', status: 'InProgress' } });
    const controller = new AbortController();
    const waiting = waitForUpdate(client, 'prod', 'u', { signal: controller.signal, initialDelayMs: 60_000 });
    setTimeout(() => controller.abort(new Error('interrupted')), 20);
    await expect(waiting).rejects.toThrow('interrupted');
  });
});

describe('toAppError', () => {
  const sdkError = (name: string, message: string, extra: Record<string, unknown> = {}): Error =>
    Object.assign(new Error(message), { name, $metadata: { httpStatusCode: 400 }, ...extra });

  it('credentials: missing, expired and invalid all get the sso login hint, exit 4', () => {
    const missing = toAppError(
      sdkError('CredentialsProviderError', 'Could not load credentials from any providers'),
      { profile: 'prod-admin' },
    ) as SourceError;
    expect(missing.message).toBe('No AWS credentials found for profile prod-admin.');
    expect(missing.hint).toContain('aws sso login --profile prod-admin');
    for (const name of [
      'ExpiredTokenException',
      'UnrecognizedClientException',
      'InvalidSignatureException',
    ]) {
      const mapped = toAppError(sdkError(name, 'bad token')) as SourceError;
      expect(mapped).toBeInstanceOf(SourceError);
      expect(mapped.message).toContain(name);
      expect(mapped.hint).toContain('aws sso login');
    }
  });

  it('access denied names the IAM action, from the message, the client middleware, or the caller', () => {
    const fromMessage = toAppError(
      sdkError(
        'AccessDeniedException',
        'User: arn:aws:sts::1:assumed-role/r/s is not authorized to perform: logs:StartQuery on resource: x',
      ),
    ) as SourceError;
    expect(fromMessage.message).toBe('Access denied: this call needs logs:StartQuery.');
    const tagged = sdkError('AccessDeniedException', 'denied');
    Object.defineProperty(tagged, '$iamAction', { value: 'eks:DescribeCluster' });
    expect((toAppError(tagged) as SourceError).message).toBe(
      'Access denied: this call needs eks:DescribeCluster.',
    );
    expect(
      (toAppError(sdkError('AccessDeniedException', 'denied'), { action: 'eks:ListUpdates' }) as SourceError)
        .message,
    ).toBe('Access denied: this call needs eks:ListUpdates.');
  });

  it('a missing Region is a usage error; throttling after retries is a source error; messages are one line', () => {
    expect(toAppError(new Error('Region is missing'))).toBeInstanceOf(UsageError);
    const throttled = toAppError(
      sdkError('ThrottlingException', 'Rate\nexceeded', { $metadata: { attempts: 3 } }),
      { action: 'logs:StartQuery' },
    ) as SourceError;
    expect(throttled.message).toBe(
      'AWS kept refusing logs:StartQuery (ThrottlingException: Rate exceeded) after 3 attempts.',
    );
  });

  it('leaves non-AWS errors (bugs) alone', () => {
    const bug = new TypeError('x is undefined');
    expect(toAppError(bug)).toBe(bug);
  });
});
