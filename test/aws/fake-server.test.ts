import {
  CloudWatchLogsClient,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  GetQueryResultsCommand,
  PutRetentionPolicyCommand,
  StartQueryCommand,
  StopQueryCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import {
  DescribeClusterCommand,
  DescribeUpdateCommand,
  EKSClient,
  ListUpdatesCommand,
  UpdateClusterConfigCommand,
} from '@aws-sdk/client-eks';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/insights/record.js';
import {
  createFakeAwsServer,
  EngineCompileError,
  type FakeAwsServer,
  type FakeAwsServerOptions,
  type FakeQueryEngine,
} from '../support/fake-aws/index.js';

/**
 * A deliberately tiny engine so these tests exercise the server's protocol, paging, statistics and
 * faults independently of src/insights: `count` counts records, anything with `bad` fails to compile,
 * anything else returns one row per record.
 */
const protocolEngine: FakeQueryEngine = {
  compile(queryString) {
    const bad = queryString.indexOf('bad');
    if (bad >= 0) throw new EngineCompileError('unexpected token "bad"', bad, bad + 3);
    return {
      run(records, limit) {
        const list = [...records];
        if (queryString.includes('stats count')) {
          return { fields: ['count'], rows: [{ count: String(list.length) }], recordsMatched: list.length };
        }
        const rows = list
          .slice(0, limit)
          .map((r) => ({ '@timestamp': String(r.timestamp), '@logStream': r.logStream }));
        return { fields: ['@timestamp', '@logStream'], rows, recordsMatched: list.length };
      },
    };
  },
};

const GROUP = '/aws/eks/prod/cluster';
const AUDIT_A = 'kube-apiserver-audit-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa';
const AUDIT_B = 'kube-apiserver-audit-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
const API = 'kube-apiserver-cccccccccccccccccccccccccccccccc';

function records(stream: string, fromSec: number, count: number, message = 'x'.repeat(10)): LogRecord[] {
  return Array.from({ length: count }, (_, i) => ({
    timestamp: (fromSec + i) * 1000 + 500,
    message,
    logStream: stream,
    log: '',
  }));
}

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(
  options: FakeAwsServerOptions,
): Promise<{ logs: CloudWatchLogsClient; eks: EKSClient; server: FakeAwsServer }> {
  server = await createFakeAwsServer({ engine: protocolEngine, ...options });
  const config = {
    endpoint: server.url,
    region: 'us-east-1',
    credentials: {
      accessKeyId: 'AKIDFAKEFAKEFAKE',
      secretAccessKey: 'fake-secret',
      sessionToken: 'fake-token',
    },
    maxAttempts: 1,
  };
  return { logs: new CloudWatchLogsClient(config), eks: new EKSClient(config), server };
}

const group = {
  name: GROUP,
  records: [
    ...records(AUDIT_A, 100, 10),
    ...records(AUDIT_B, 100, 5, 'y'.repeat(20)),
    ...records(API, 100, 10, 'z'.repeat(7)),
  ],
};

describe('fake AWS server: CloudWatch Logs', () => {
  it('answers a query for the window asked (epoch seconds, both ends inclusive) with CloudWatch statistics', async () => {
    const { logs, server } = await start({ logGroups: [group] });
    // Seconds 102..104 inclusive: 3 records per stream.
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 102,
        endTime: 104,
        queryString: 'stats count(*)',
      }),
    );
    const result = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(result.status).toBe('Complete');
    expect(result.results).toEqual([[{ field: 'count', value: '9' }]]);
    expect(result.statistics).toMatchObject({
      recordsScanned: 9,
      recordsMatched: 9,
      bytesScanned: 3 * 10 + 3 * 20 + 3 * 7,
    });
    expect(result.statistics?.estimatedBytesSkipped).toBeUndefined();
    expect(server.state.totalBytesScanned()).toBe(111);
    expect(
      server.state.requests.every((r) => r.signed && r.hadSessionToken && r.region === 'us-east-1'),
    ).toBe(true);
  });

  it('counts only the filterIndex streams as scanned and the rest as skipped', async () => {
    const { logs } = await start({ logGroups: [group] });
    const queryString = `filterIndex @logStream in ["${AUDIT_A}", "${AUDIT_B}"] | stats count(*)`;
    const { queryId } = await logs.send(
      new StartQueryCommand({ logGroupName: GROUP, startTime: 100, endTime: 200, queryString }),
    );
    const result = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(result.results).toEqual([[{ field: 'count', value: '15' }]]);
    expect(result.statistics).toMatchObject({
      recordsScanned: 15,
      bytesScanned: 100 + 100,
      estimatedBytesSkipped: 70,
      estimatedRecordsSkipped: 10,
    });
  });

  it('does not apply the stream index to an Infrequent Access group', async () => {
    const { logs } = await start({ logGroups: [{ ...group, logGroupClass: 'INFREQUENT_ACCESS' }] });
    const queryString = `filterIndex @logStream in ["${AUDIT_A}"] | stats count(*)`;
    const { queryId } = await logs.send(
      new StartQueryCommand({ logGroupName: GROUP, startTime: 100, endTime: 200, queryString }),
    );
    const result = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(result.statistics?.bytesScanned).toBe(270);
    expect(result.statistics?.estimatedBytesSkipped).toBeUndefined();
  });

  it('honours the StartQuery limit and pages results with nextToken and maxItems, adding @ptr to raw rows', async () => {
    const { logs } = await start({ logGroups: [group] });
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 0,
        endTime: 1000,
        queryString: 'fields @timestamp',
        limit: 12,
      }),
    );
    const first = await logs.send(new GetQueryResultsCommand({ queryId, maxItems: 5 }));
    expect(first.results).toHaveLength(5);
    expect(first.results?.[0]?.map((f) => f.field)).toEqual(['@timestamp', '@logStream', '@ptr']);
    expect(first.nextToken).toBeDefined();
    const second = await logs.send(
      new GetQueryResultsCommand({ queryId, maxItems: 5, nextToken: first.nextToken }),
    );
    const third = await logs.send(
      new GetQueryResultsCommand({ queryId, maxItems: 5, nextToken: second.nextToken }),
    );
    expect(third.results).toHaveLength(2);
    expect(third.nextToken).toBeUndefined();
  });

  it('rejects a bad query with MalformedQueryException and its position', async () => {
    const { logs } = await start({ logGroups: [group] });
    const error = await logs
      .send(
        new StartQueryCommand({
          logGroupName: GROUP,
          startTime: 0,
          endTime: 1,
          queryString: 'fields x | bad',
        }),
      )
      .catch((e: unknown) => e);
    expect(error).toMatchObject({
      name: 'MalformedQueryException',
      queryCompileError: {
        location: { startCharOffset: 11, endCharOffset: 14 },
        message: 'unexpected token "bad"',
      },
    });
  });

  it('keeps a query Running for N polls, then gives the configured final status; StopQuery cancels', async () => {
    const { logs, server } = await start({
      logGroups: [group],
      faults: {
        query: { runningPolls: 2 },
        queryOverrides: [{ match: 'timeout-me', finalStatus: 'Timeout' }],
      },
    });
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 0,
        endTime: 1000,
        queryString: 'stats count(*)',
      }),
    );
    expect(server.state.runningQueries()).toHaveLength(1);
    expect((await logs.send(new GetQueryResultsCommand({ queryId }))).status).toBe('Running');
    expect((await logs.send(new GetQueryResultsCommand({ queryId }))).status).toBe('Running');
    expect((await logs.send(new GetQueryResultsCommand({ queryId }))).status).toBe('Complete');
    const slow = await logs.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 0,
        endTime: 1000,
        queryString: 'fields timeout-me',
      }),
    );
    await logs.send(new GetQueryResultsCommand({ queryId: slow.queryId }));
    expect(await logs.send(new StopQueryCommand({ queryId: slow.queryId }))).toMatchObject({ success: true });
    expect(server.state.stoppedQueries).toEqual([slow.queryId]);
    expect(server.state.runningQueries()).toHaveLength(0);
    await expect(logs.send(new StopQueryCommand({ queryId: slow.queryId }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
    server.faults.set({ query: {} });
    const timed = await logs.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 0,
        endTime: 1000,
        queryString: 'fields timeout-me',
      }),
    );
    expect((await logs.send(new GetQueryResultsCommand({ queryId: timed.queryId }))).status).toBe('Timeout');
  });

  it('refuses queries over the concurrency limit with the service message', async () => {
    const { logs } = await start({
      logGroups: [group],
      faults: { query: { runningPolls: 5 }, maxConcurrentQueries: 2 },
    });
    const input = { logGroupName: GROUP, startTime: 0, endTime: 1000, queryString: 'stats count(*)' };
    await logs.send(new StartQueryCommand(input));
    await logs.send(new StartQueryCommand(input));
    await expect(logs.send(new StartQueryCommand(input))).rejects.toMatchObject({
      name: 'LimitExceededException',
      message: 'Account maximum query concurrency limit of [2] reached.',
    });
  });

  it('lists log groups and streams like the service, refusing orderBy=LastEventTime with a prefix', async () => {
    const { logs } = await start({ logGroups: [{ ...group, retentionInDays: 30 }, { name: '/aws/other' }] });
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/eks/' }));
    expect(groups.logGroups).toEqual([
      expect.objectContaining({
        logGroupName: GROUP,
        retentionInDays: 30,
        storedBytes: 270,
        logGroupClass: 'STANDARD',
        logGroupArn: `arn:aws:logs:us-east-1:123456789012:log-group:${GROUP}`,
      }),
    ]);
    const page = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: 'kube-apiserver-audit-',
        limit: 1,
      }),
    );
    expect(page.logStreams?.map((s) => s.logStreamName)).toEqual([AUDIT_A]);
    expect(page.logStreams?.[0]).toMatchObject({ firstEventTimestamp: 100_500, lastEventTimestamp: 109_500 });
    const next = await logs.send(
      new DescribeLogStreamsCommand({
        logGroupName: GROUP,
        logStreamNamePrefix: 'kube-apiserver-audit-',
        limit: 1,
        nextToken: page.nextToken,
      }),
    );
    expect(next.logStreams?.map((s) => s.logStreamName)).toEqual([AUDIT_B]);
    expect(next.nextToken).toBeUndefined();
    await expect(
      logs.send(
        new DescribeLogStreamsCommand({
          logGroupName: GROUP,
          logStreamNamePrefix: 'kube',
          orderBy: 'LastEventTime',
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await expect(logs.send(new DescribeLogStreamsCommand({ logGroupName: '/nope' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
    });
  });

  it('sets retention only to an allowed value', async () => {
    const { logs, server } = await start({ logGroups: [group] });
    await logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 14 }));
    expect(server.logGroups.get(GROUP)?.retentionInDays).toBe(14);
    await expect(
      logs.send(new PutRetentionPolicyCommand({ logGroupName: GROUP, retentionInDays: 15 })),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

describe('fake AWS server: EKS', () => {
  it('describes several logging entries and runs a logging update to completion', async () => {
    const logging = [
      { types: ['api'], enabled: true },
      { types: ['audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ];
    const { eks, logs, server } = await start({
      clusters: [{ name: 'prod', logging }],
      faults: { updatePolls: 1 },
    });
    const described = await eks.send(new DescribeClusterCommand({ name: 'prod' }));
    expect(described.cluster?.logging?.clusterLogging).toEqual(logging);
    const { update } = await eks.send(
      new UpdateClusterConfigCommand({
        name: 'prod',
        logging: { clusterLogging: [{ types: ['audit'], enabled: true }] },
      }),
    );
    expect(update).toMatchObject({ status: 'InProgress', type: 'LoggingUpdate', errors: [] });
    expect(update?.createdAt).toBeInstanceOf(Date);
    await expect(
      eks.send(
        new UpdateClusterConfigCommand({
          name: 'prod',
          logging: { clusterLogging: [{ types: ['audit'], enabled: true }] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ResourceInUseException',
      message: `Cannot LoggingUpdate because cluster prod currently has update ${update?.id} in progress`,
    });
    expect(
      (await eks.send(new DescribeUpdateCommand({ name: 'prod', updateId: update?.id }))).update?.status,
    ).toBe('InProgress');
    expect(
      (await eks.send(new DescribeUpdateCommand({ name: 'prod', updateId: update?.id }))).update?.status,
    ).toBe('Successful');
    const after = await eks.send(new DescribeClusterCommand({ name: 'prod' }));
    expect(after.cluster?.logging?.clusterLogging).toEqual([
      { types: ['api', 'audit'], enabled: true },
      { types: ['authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ]);
    expect((await eks.send(new ListUpdatesCommand({ name: 'prod' }))).updateIds).toEqual([update?.id]);
    // EKS creates the log group once logging is on.
    const groups = await logs.send(new DescribeLogGroupsCommand({ logGroupNamePrefix: '/aws/eks/prod/' }));
    expect(groups.logGroups?.map((g) => g.logGroupName)).toEqual(['/aws/eks/prod/cluster']);
    expect(server.state.updates.get(update?.id ?? '')?.status).toBe('Successful');
    await expect(
      eks.send(
        new UpdateClusterConfigCommand({
          name: 'prod',
          logging: { clusterLogging: [{ types: ['audit'], enabled: true }] },
        }),
      ),
    ).rejects.toMatchObject({
      name: 'InvalidParameterException',
      message: 'No changes needed for the logging config provided',
    });
  });

  it('answers an unknown cluster with ResourceNotFoundException 404', async () => {
    const { eks } = await start({});
    const error = await eks.send(new DescribeClusterCommand({ name: 'ghost' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ResourceNotFoundException', $metadata: { httpStatusCode: 404 } });
  });
});

describe('fake AWS server: faults', () => {
  it('throttles the first N calls of an operation, then answers', async () => {
    const { eks, server } = await start({
      clusters: [{ name: 'prod' }],
      faults: { rules: [{ operation: 'DescribeCluster', kind: 'throttle', times: 2 }] },
    });
    const error = await eks.send(new DescribeClusterCommand({ name: 'prod' })).catch((e: unknown) => e);
    expect(error).toMatchObject({ name: 'ThrottlingException', $metadata: { httpStatusCode: 429 } });
    await expect(eks.send(new DescribeClusterCommand({ name: 'prod' }))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    await expect(eks.send(new DescribeClusterCommand({ name: 'prod' }))).resolves.toBeDefined();
    expect(server.state.requestsFor('DescribeCluster').map((r) => r.fault)).toEqual([
      'throttle',
      'throttle',
      undefined,
    ]);
  });

  it('fails a seeded fraction of calls, the same ones on every run', async () => {
    const outcomes: string[] = [];
    for (const _run of [1, 2]) {
      const { eks } = await start({
        clusters: [{ name: 'prod' }],
        seed: 42,
        faults: { rules: [{ kind: 'unavailable', probability: 0.5 }] },
      });
      let line = '';
      for (let i = 0; i < 20; i++) {
        line += await eks.send(new DescribeClusterCommand({ name: 'prod' })).then(
          () => '.',
          (e: { name: string; $metadata?: { httpStatusCode?: number } }) =>
            e.name === 'ServiceUnavailableException' && e.$metadata?.httpStatusCode === 503 ? 'x' : '?',
        );
      }
      outcomes.push(line);
      await server?.close();
      server = undefined;
    }
    expect(outcomes[0]).toBe(outcomes[1]);
    expect(outcomes[0]).toMatch(/x/);
    expect(outcomes[0]).toMatch(/\./);
    expect(outcomes[0]).not.toMatch(/\?/);
  });

  it('expires credentials from call N on, resets connections, denies access naming the action, and can be changed while running', async () => {
    const { eks, logs, server } = await start({
      clusters: [{ name: 'prod' }],
      logGroups: [group],
      faults: { rules: [{ kind: 'expired-token', fromCall: 2 }] },
    });
    await expect(eks.send(new DescribeClusterCommand({ name: 'prod' }))).resolves.toBeDefined();
    await expect(eks.send(new DescribeClusterCommand({ name: 'prod' }))).rejects.toMatchObject({
      name: 'ExpiredTokenException',
    });
    server.faults.set({ rules: [{ operation: 'DescribeLogGroups', kind: 'reset' }] });
    await expect(logs.send(new DescribeLogGroupsCommand({}))).rejects.toThrow();
    server.faults.set({ rules: [{ operation: 'StartQuery', kind: 'access-denied' }] });
    await expect(
      logs.send(
        new StartQueryCommand({
          logGroupName: GROUP,
          startTime: 0,
          endTime: 1,
          queryString: 'stats count(*)',
        }),
      ),
    ).rejects.toMatchObject({
      name: 'AccessDeniedException',
      message: expect.stringContaining('logs:StartQuery'),
    });
    server.faults.set({ rules: [{ operation: 'GetQueryResults', kind: 'internal' }] });
    await expect(logs.send(new GetQueryResultsCommand({ queryId: 'x' }))).rejects.toMatchObject({
      name: 'InternalFailure',
      $metadata: { httpStatusCode: 500 },
    });
    server.faults.reset();
    await expect(eks.send(new DescribeClusterCommand({ name: 'prod' }))).resolves.toBeDefined();
  });

  it('delays answers without changing them', async () => {
    const { eks } = await start({
      clusters: [{ name: 'prod' }],
      faults: { rules: [{ kind: 'delay', delayMs: 300 }] },
    });
    const began = Date.now();
    await eks.send(new DescribeClusterCommand({ name: 'prod' }));
    expect(Date.now() - began).toBeGreaterThanOrEqual(290);
  });
});

describe('fake AWS server: with the project engine (src/insights)', () => {
  const audit = (stream: string, sec: number, verb: string, code: number): LogRecord => ({
    timestamp: sec * 1000,
    message: JSON.stringify({
      kind: 'Event',
      stage: 'ResponseComplete',
      verb,
      user: { username: 'kyverno' },
      responseStatus: { code },
    }),
    logStream: stream,
    log: '',
  });

  it('answers a real Logs Insights query over the fixture records in the window', async () => {
    server = await createFakeAwsServer({
      logGroups: [
        {
          name: GROUP,
          records: [
            audit(AUDIT_A, 100, 'create', 500),
            audit(AUDIT_A, 101, 'create', 201),
            audit(AUDIT_B, 102, 'get', 500),
            audit(AUDIT_A, 300, 'create', 500),
          ],
        },
      ],
    });
    const logs = new CloudWatchLogsClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    });
    const { queryId } = await logs.send(
      new StartQueryCommand({
        logGroupName: GROUP,
        startTime: 100,
        endTime: 200,
        queryString: 'filter responseStatus.code >= 500 | stats count(*) as failures by verb | sort verb asc',
      }),
    );
    const result = await logs.send(new GetQueryResultsCommand({ queryId }));
    expect(result.results).toEqual([
      [
        { field: 'verb', value: 'create' },
        { field: 'failures', value: '1' },
      ],
      [
        { field: 'verb', value: 'get' },
        { field: 'failures', value: '1' },
      ],
    ]);
    expect(result.statistics).toMatchObject({ recordsScanned: 3, recordsMatched: 2 });
  });

  it('turns a QueryError into MalformedQueryException with the error span', async () => {
    server = await createFakeAwsServer({ logGroups: [{ name: GROUP }] });
    const logs = new CloudWatchLogsClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
    });
    const error = (await logs
      .send(
        new StartQueryCommand({
          logGroupName: GROUP,
          startTime: 0,
          endTime: 1,
          queryString: 'fields @message | frobnicate x',
        }),
      )
      .catch((e: unknown) => e)) as {
      name: string;
      queryCompileError?: { location?: { startCharOffset?: number } };
    };
    expect(error.name).toBe('MalformedQueryException');
    expect(error.queryCompileError?.location?.startCharOffset).toBe(18);
  });
});

describe('fake AWS server: CloudWatch metrics (JSON 1.0)', () => {
  it('lists metrics by namespace and dimension and aggregates GetMetricData per period', async () => {
    const dims = [{ Name: 'ClusterName', Value: 'prod' }];
    server = await createFakeAwsServer({
      metrics: [
        {
          namespace: 'AWS/EKS',
          name: 'apiserver_storage_size_bytes',
          dimensions: dims,
          points: [
            { timestamp: 60_000, value: 1 },
            { timestamp: 90_000, value: 5 },
            { timestamp: 130_000, value: 7 },
          ],
        },
        {
          namespace: 'AWS/EKS',
          name: 'other',
          dimensions: [{ Name: 'ClusterName', Value: 'staging' }],
          points: [],
        },
      ],
      faults: { rules: [{ operation: 'GetMetricData', kind: 'throttle', times: 1 }] },
    });
    const cw = new CloudWatchClient({
      endpoint: server.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIDFAKEFAKEFAKE', secretAccessKey: 'fake-secret' },
      maxAttempts: 1,
    });
    const listed = await cw.send(
      new ListMetricsCommand({ Namespace: 'AWS/EKS', Dimensions: [{ Name: 'ClusterName', Value: 'prod' }] }),
    );
    expect(listed.Metrics).toEqual([
      { Namespace: 'AWS/EKS', MetricName: 'apiserver_storage_size_bytes', Dimensions: dims },
    ]);
    const input = {
      StartTime: new Date(60_000),
      EndTime: new Date(180_000),
      ScanBy: 'TimestampAscending' as const,
      MetricDataQueries: [
        {
          Id: 'size',
          MetricStat: {
            Metric: { Namespace: 'AWS/EKS', MetricName: 'apiserver_storage_size_bytes', Dimensions: dims },
            Period: 60,
            Stat: 'Maximum',
          },
        },
      ],
    };
    await expect(cw.send(new GetMetricDataCommand(input))).rejects.toMatchObject({
      name: 'ThrottlingException',
    });
    const data = await cw.send(new GetMetricDataCommand(input));
    expect(data.MetricDataResults?.[0]).toMatchObject({
      Id: 'size',
      Timestamps: [new Date(60_000), new Date(120_000)],
      Values: [5, 7],
      StatusCode: 'Complete',
    });
  });
});
