import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  PutRetentionPolicyCommand,
  ResourceNotFoundException,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import {
  AUDIT_STREAM_PREFIX,
  clusterLogGroupName,
  describeLogGroup,
  listAuditStreams,
  putRetention,
  validateRetentionDays,
} from '../../src/aws/log-groups.js';
import { SourceError, UsageError } from '../../src/errors.js';

const logsMock = mockClient(CloudWatchLogsClient);
const client = new CloudWatchLogsClient({ region: 'us-east-1' });
afterEach(() => logsMock.reset());

describe('log groups', () => {
  it('names the EKS control-plane log group', () => {
    expect(clusterLogGroupName('prod')).toBe('/aws/eks/prod/cluster');
  });

  it('finds the exact group among prefix matches; absent retention means never expires', async () => {
    logsMock.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        { logGroupName: '/aws/eks/prod/cluster-2', retentionInDays: 7, storedBytes: 1 },
        { logGroupName: '/aws/eks/prod/cluster', storedBytes: 5_000, creationTime: 1000 },
      ],
    });
    expect(await describeLogGroup(client, '/aws/eks/prod/cluster')).toEqual({
      name: '/aws/eks/prod/cluster',
      retentionInDays: undefined,
      storedBytes: 5_000,
      logGroupClass: 'STANDARD',
      creationTimeMs: 1000,
    });
    expect(logsMock.commandCalls(DescribeLogGroupsCommand)[0]?.args[0].input).toMatchObject({
      logGroupNamePrefix: '/aws/eks/prod/cluster',
    });
  });

  it('is undefined when the group does not exist', async () => {
    logsMock.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    expect(await describeLogGroup(client, '/aws/eks/prod/cluster')).toBeUndefined();
  });
});

describe('listAuditStreams', () => {
  it('pages the prefix listing (no orderBy: it cannot be combined with a prefix) and computes newest and oldest', async () => {
    logsMock
      .on(DescribeLogStreamsCommand, { nextToken: undefined })
      .resolves({
        logStreams: [
          {
            logStreamName: `${AUDIT_STREAM_PREFIX}a`,
            firstEventTimestamp: 500,
            lastEventTimestamp: 9_000,
            lastIngestionTime: 9_100,
          },
          { logStreamName: `${AUDIT_STREAM_PREFIX}b`, firstEventTimestamp: 100, lastEventTimestamp: 2_000 },
        ],
        nextToken: 'p2',
      })
      .on(DescribeLogStreamsCommand, { nextToken: 'p2' })
      .resolves({
        logStreams: [
          {
            logStreamName: `${AUDIT_STREAM_PREFIX}c`,
            firstEventTimestamp: 300,
            lastEventTimestamp: 12_000,
            lastIngestionTime: 12_500,
          },
        ],
      });
    const streams = await listAuditStreams(client, '/aws/eks/prod/cluster');
    expect(streams).toEqual({
      names: [`${AUDIT_STREAM_PREFIX}a`, `${AUDIT_STREAM_PREFIX}b`, `${AUDIT_STREAM_PREFIX}c`],
      streams: [
        {
          name: `${AUDIT_STREAM_PREFIX}a`,
          firstEventTimestamp: 500,
          lastEventTimestamp: 9_000,
          lastIngestionTime: 9_100,
        },
        { name: `${AUDIT_STREAM_PREFIX}b`, firstEventTimestamp: 100, lastEventTimestamp: 2_000 },
        {
          name: `${AUDIT_STREAM_PREFIX}c`,
          firstEventTimestamp: 300,
          lastEventTimestamp: 12_000,
          lastIngestionTime: 12_500,
        },
      ],
      newestEventMs: 12_000,
      newestIngestionMs: 12_500,
      oldestEventMs: 100,
      truncated: false,
    });
    for (const call of logsMock.commandCalls(DescribeLogStreamsCommand)) {
      expect(call.args[0].input).toMatchObject({ logStreamNamePrefix: 'kube-apiserver-audit-' });
      expect(call.args[0].input.orderBy).toBeUndefined();
    }
  });

  it('stops after the page bound and says the list is truncated', async () => {
    logsMock
      .on(DescribeLogStreamsCommand)
      .resolves({ logStreams: [{ logStreamName: `${AUDIT_STREAM_PREFIX}x` }], nextToken: 'more' });
    const streams = await listAuditStreams(client, 'g', { maxPages: 3 });
    expect(streams.truncated).toBe(true);
    expect(logsMock.commandCalls(DescribeLogStreamsCommand)).toHaveLength(3);
  });
});

describe('retention', () => {
  it('accepts only the values CloudWatch Logs allows', () => {
    expect(validateRetentionDays(30)).toBe(30);
    expect(validateRetentionDays(3653)).toBe(3653);
    expect(() => validateRetentionDays(31)).toThrow(UsageError);
    try {
      validateRetentionDays(2);
    } catch (error) {
      expect((error as UsageError).hint).toContain('1, 3, 5, 7, 14, 30');
    }
  });

  it('puts the policy, and maps a missing group to a SourceError keeping the cause', async () => {
    logsMock
      .on(PutRetentionPolicyCommand)
      .resolvesOnce({})
      .rejects(
        new ResourceNotFoundException({ message: 'The specified log group does not exist.', $metadata: {} }),
      );
    await putRetention(client, 'g', 30);
    expect(logsMock.commandCalls(PutRetentionPolicyCommand)[0]?.args[0].input).toEqual({
      logGroupName: 'g',
      retentionInDays: 30,
    });
    const error = await putRetention(client, 'g', 30).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).message).toBe(
      'logs:PutRetentionPolicy failed: ResourceNotFoundException: The specified log group does not exist.',
    );
    expect(((error as SourceError).cause as Error).name).toBe('ResourceNotFoundException');
  });
});
