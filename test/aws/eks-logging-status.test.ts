import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListUpdatesCommand,
} from '@aws-sdk/client-eks';
import type { UpdateParam } from '@aws-sdk/client-eks';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it } from 'vitest';
import type { AwsClients } from '../../src/aws/clients.js';
import { getLoggingStatus } from '../../src/aws/logging-status.js';

const eksMock = mockClient(EKSClient);
const logsMock = mockClient(CloudWatchLogsClient);
afterEach(() => {
  eksMock.reset();
  logsMock.reset();
});

function clients(): AwsClients & { destroyed: number } {
  const eks = new EKSClient({ region: 'eu-west-1' });
  const logs = new CloudWatchLogsClient({ region: 'eu-west-1' });
  const c = {
    destroyed: 0,
    options: {},
    eks: () => Promise.resolve(eks),
    logs: () => Promise.resolve(logs),
    cloudwatch: () => Promise.reject(new Error('not used')),
    region: () => Promise.resolve('eu-west-1'),
    destroy() {
      c.destroyed += 1;
    },
  };
  return c as unknown as AwsClients & { destroyed: number };
}

const auditParams: UpdateParam[] = [
  { type: 'ClusterLogging', value: '{"clusterLogging":[{"types":["audit"],"enabled":true}]}' },
];

describe('getLoggingStatus', () => {
  it('gathers cluster logging, log group, audit streams and the newest successful audit enable', async () => {
    eksMock.on(DescribeClusterCommand).resolves({
      cluster: {
        name: 'prod',
        status: 'ACTIVE',
        version: '1.31',
        logging: { clusterLogging: [{ types: ['audit'], enabled: true }] },
      },
    });
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: ['old', 'new', 'running', 'failed'] });
    eksMock
      .on(DescribeUpdateCommand, { updateId: 'old' })
      .resolves({
        update: {
          id: 'old',
          type: 'LoggingUpdate',
          status: 'Successful',
          createdAt: new Date(1000),
          params: auditParams,
        },
      })
      .on(DescribeUpdateCommand, { updateId: 'new' })
      .resolves({
        update: {
          id: 'new',
          type: 'LoggingUpdate',
          status: 'Successful',
          createdAt: new Date(5000),
          params: auditParams,
        },
      })
      .on(DescribeUpdateCommand, { updateId: 'failed' })
      .resolves({
        update: {
          id: 'failed',
          type: 'LoggingUpdate',
          status: 'Failed',
          createdAt: new Date(9000),
          params: auditParams,
        },
      })
      .on(DescribeUpdateCommand, { updateId: 'running' })
      .resolves({
        update: { id: 'running', type: 'VersionUpdate', status: 'InProgress', createdAt: new Date(8000) },
      });
    logsMock.on(DescribeLogGroupsCommand).resolves({
      logGroups: [
        { logGroupName: '/aws/eks/prod/cluster', storedBytes: 42, logGroupClass: 'INFREQUENT_ACCESS' },
      ],
    });
    logsMock.on(DescribeLogStreamsCommand).resolves({
      logStreams: [
        { logStreamName: 'kube-apiserver-audit-a', firstEventTimestamp: 10, lastEventTimestamp: 20 },
      ],
    });
    const aws = clients();
    const status = await getLoggingStatus({ cluster: 'prod', now: 99_000 }, aws);
    expect(status).toEqual({
      cluster: 'prod',
      region: 'eu-west-1',
      checkedAtMs: 99_000,
      clusterStatus: 'ACTIVE',
      kubernetesVersion: '1.31',
      logSetup: [{ types: ['audit'], enabled: true }],
      enabledTypes: ['audit'],
      auditEnabled: true,
      logGroupName: '/aws/eks/prod/cluster',
      logGroup: {
        name: '/aws/eks/prod/cluster',
        retentionInDays: undefined,
        storedBytes: 42,
        logGroupClass: 'INFREQUENT_ACCESS',
        creationTimeMs: undefined,
      },
      auditStreams: {
        names: ['kube-apiserver-audit-a'],
        streams: [{ name: 'kube-apiserver-audit-a', firstEventTimestamp: 10, lastEventTimestamp: 20 }],
        newestEventMs: 20,
        newestIngestionMs: undefined,
        oldestEventMs: 10,
        truncated: false,
      },
      auditLastEnabled: { updateId: 'new', atMs: 5000 },
      updatesInProgress: [{ id: 'running', type: 'VersionUpdate', enablesAudit: false }],
      updateHistoryTruncated: false,
    });
    // Clients passed in belong to the caller: not destroyed.
    expect(aws.destroyed).toBe(0);
  });

  it('describes only a bounded number of updates, and skips the stream listing without a log group', async () => {
    eksMock
      .on(DescribeClusterCommand)
      .resolves({ cluster: { name: 'prod', logging: { clusterLogging: [] } } });
    eksMock.on(ListUpdatesCommand).resolves({ updateIds: Array.from({ length: 40 }, (_, i) => `u${i}`) });
    eksMock
      .on(DescribeUpdateCommand)
      .resolves({ update: { id: 'x', type: 'VersionUpdate', status: 'Successful' } });
    logsMock.on(DescribeLogGroupsCommand).resolves({ logGroups: [] });
    const status = await getLoggingStatus({ cluster: 'prod', now: 0, maxUpdates: 5 }, clients());
    expect(eksMock.commandCalls(DescribeUpdateCommand).map((c) => c.args[0].input.updateId)).toEqual([
      'u35',
      'u36',
      'u37',
      'u38',
      'u39',
    ]);
    expect(status.updateHistoryTruncated).toBe(true);
    expect(status.logGroup).toBeUndefined();
    expect(status.auditStreams).toBeUndefined();
    expect(logsMock.commandCalls(DescribeLogStreamsCommand)).toHaveLength(0);
  });
});
