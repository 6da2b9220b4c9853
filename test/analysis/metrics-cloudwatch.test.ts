/** src/aws/metrics.ts with aws-sdk-client-mock: discovering the storage metric and reading its series. */
import { CloudWatchClient, GetMetricDataCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, test } from 'vitest';
import { getDatabaseSizeMetrics, periodFor, pickStorageMetrics } from '../../src/aws/metrics.js';
import { SourceError } from '../../src/errors.js';

const cw = mockClient(CloudWatchClient);
afterEach(() => cw.reset());
const window = { startMs: Date.parse('2024-06-14T00:00:00Z'), endMs: Date.parse('2024-06-14T06:00:00Z') };
const client = (): CloudWatchClient =>
  new CloudWatchClient({ region: 'us-west-2', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

describe('storage metric discovery', () => {
  test('prefers the newest name among those the cluster publishes', () => {
    const listed = [
      { name: 'etcd_mvcc_db_total_size_in_use_in_bytes', dimensions: [] },
      { name: 'APIServerStorageSize', dimensions: [] },
      { name: 'apiserver_request_total', dimensions: [] },
    ];
    expect(pickStorageMetrics(listed).map((m) => m.name)).toEqual(['APIServerStorageSize']);
    expect(pickStorageMetrics([{ name: 'scheduler_pending_pods', dimensions: [] }])).toEqual([]);
  });

  test('the period keeps a window under 1440 points, in whole minutes', () => {
    expect(periodFor(window)).toBe(60);
    expect(periodFor({ startMs: 0, endMs: 7 * 86_400_000 })).toBe(420);
  });
});

describe('getDatabaseSizeMetrics', () => {
  test('lists AWS/EKS metrics for the cluster (paged), then reads the maximum per period', async () => {
    cw.on(ListMetricsCommand)
      .resolvesOnce({
        Metrics: [
          { MetricName: 'apiserver_request_total_5XX', Dimensions: [{ Name: 'ClusterName', Value: 'prod' }] },
        ],
        NextToken: 'p2',
      })
      .resolvesOnce({
        Metrics: [
          {
            MetricName: 'apiserver_storage_size_bytes',
            Dimensions: [{ Name: 'ClusterName', Value: 'prod' }],
          },
        ],
      });
    cw.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        {
          Id: 'm0',
          Timestamps: [new Date('2024-06-14T05:00:00Z'), new Date('2024-06-14T01:00:00Z')],
          Values: [8.0e9, 4.1e9],
        },
      ],
    });
    const size = await getDatabaseSizeMetrics(client(), { cluster: 'prod', window });
    const list = cw.commandCalls(ListMetricsCommand);
    expect(list).toHaveLength(2);
    expect(list[0]?.args[0].input).toMatchObject({
      Namespace: 'AWS/EKS',
      Dimensions: [{ Name: 'ClusterName', Value: 'prod' }],
    });
    expect(list[1]?.args[0].input.NextToken).toBe('p2');
    const get = cw.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(get?.MetricDataQueries?.[0]?.MetricStat).toMatchObject({
      Metric: { Namespace: 'AWS/EKS', MetricName: 'apiserver_storage_size_bytes' },
      Period: 60,
      Stat: 'Maximum',
    });
    expect(get?.StartTime?.getTime()).toBe(window.startMs);
    expect(size?.source).toBe('cloudwatch');
    expect(size?.metricName).toBe('apiserver_storage_size_bytes');
    expect(size?.series).toEqual([
      { timestamp: '2024-06-14T01:00:00.000Z', value: 4.1e9 },
      { timestamp: '2024-06-14T05:00:00.000Z', value: 8.0e9 },
    ]);
    expect(size?.endpoints).toEqual([
      { endpoint: 'cluster', bytes: 8.0e9, fractionOfLimit: 8.0e9 / 8 / 1024 ** 3 },
    ]);
  });

  test('a cluster without a storage metric (before 1.28) gives null and reads no data', async () => {
    cw.on(ListMetricsCommand).resolves({ Metrics: [{ MetricName: 'scheduler_pending_pods' }] });
    expect(await getDatabaseSizeMetrics(client(), { cluster: 'old', window })).toBeNull();
    expect(cw.commandCalls(GetMetricDataCommand)).toHaveLength(0);
  });

  test('access denied names the IAM action', async () => {
    cw.on(ListMetricsCommand).rejects(
      Object.assign(new Error('User is not authorized'), {
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
      }),
    );
    const error = await getDatabaseSizeMetrics(client(), { cluster: 'prod', window }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SourceError);
    expect((error as Error).message).toContain('cloudwatch:ListMetrics');
  });
});
