import { describe, expect, test } from 'vitest';
import {
  ETCD_SIZE_LIMIT_BYTES,
  databaseSizeFromMetricsText,
  databaseSizeFromSeries,
  parsePrometheusText,
  sizeThresholdCrossings,
} from '../../src/analysis/database-size.js';

describe('Prometheus text parser', () => {
  test('names, labels with escapes, values, comments and timestamps', () => {
    const samples = parsePrometheusText(
      [
        '# HELP apiserver_storage_size_bytes Size of the storage database file physically allocated in bytes.',
        '# TYPE apiserver_storage_size_bytes gauge',
        'apiserver_storage_size_bytes{storage_cluster_id="etcd-0"} 2.147483648e+09',
        'odd_metric{path="a\\"b\\\\c\\nd",x="1"} 42 1718000000000',
        'no_labels 7',
        'not a metric line',
        'bad_value{a="1"} abc',
        'inf_metric +Inf',
      ].join('\n'),
    );
    expect(samples).toEqual([
      { name: 'apiserver_storage_size_bytes', labels: { storage_cluster_id: 'etcd-0' }, value: 2147483648 },
      { name: 'odd_metric', labels: { path: 'a"b\\c\nd', x: '1' }, value: 42 },
      { name: 'no_labels', labels: {}, value: 7 },
      { name: 'inf_metric', labels: {}, value: Number.POSITIVE_INFINITY },
    ]);
  });
});

describe('database size from a /metrics dump', () => {
  test('1.28+: apiserver_storage_size_bytes per storage cluster, against 8 GiB', () => {
    const size = databaseSizeFromMetricsText(
      'apiserver_storage_size_bytes{storage_cluster_id="etcd-0"} 4294967296\n',
    );
    expect(size?.metricName).toBe('apiserver_storage_size_bytes');
    expect(size?.limitBytes).toBe(ETCD_SIZE_LIMIT_BYTES);
    expect(size?.endpoints).toEqual([{ endpoint: 'etcd-0', bytes: 4294967296, fractionOfLimit: 0.5 }]);
  });

  test('1.26-1.27: apiserver_storage_db_total_size_in_bytes per endpoint, largest first', () => {
    const size = databaseSizeFromMetricsText(
      [
        'apiserver_storage_db_total_size_in_bytes{endpoint="https://10.0.1.1:2379"} 1e9',
        'apiserver_storage_db_total_size_in_bytes{endpoint="https://10.0.2.2:2379"} 3e9',
      ].join('\n'),
    );
    expect(size?.metricName).toBe('apiserver_storage_db_total_size_in_bytes');
    expect(size?.endpoints.map((e) => e.endpoint)).toEqual([
      'https://10.0.2.2:2379',
      'https://10.0.1.1:2379',
    ]);
  });

  test('1.25 and older: etcd_db_total_size_in_bytes; object counts from etcd_object_counts', () => {
    const size = databaseSizeFromMetricsText(
      [
        'etcd_db_total_size_in_bytes{endpoint="https://10.0.1.1:2379"} 8.5e9',
        'etcd_object_counts{resource="events"} 5000',
        'etcd_object_counts{resource="pods"} 90',
      ].join('\n'),
    );
    expect(size?.metricName).toBe('etcd_db_total_size_in_bytes');
    expect(size?.endpoints[0]?.fractionOfLimit).toBeGreaterThan(0.98);
    expect(size?.objectCounts).toEqual([
      { resource: 'events', count: 5000 },
      { resource: 'pods', count: 90 },
    ]);
  });

  test('the newest size metric wins when a dump has several; object counts largest first', () => {
    const size = databaseSizeFromMetricsText(
      [
        'etcd_db_total_size_in_bytes{endpoint="old"} 1',
        'apiserver_storage_size_bytes{storage_cluster_id="etcd-0"} 5e9',
        'apiserver_storage_objects{resource="pods"} 300',
        'apiserver_storage_objects{resource="ephemeralreports.reports.kyverno.io"} 800000',
        'apiserver_storage_objects{resource="configmaps"} 300',
      ].join('\n'),
    );
    expect(size?.metricName).toBe('apiserver_storage_size_bytes');
    expect(size?.objectCounts.map((c) => c.resource)).toEqual([
      'ephemeralreports.reports.kyverno.io',
      'configmaps',
      'pods',
    ]);
  });

  test('1.34: apiserver_resource_objects carries the group in its own label', () => {
    const size = databaseSizeFromMetricsText(
      'apiserver_resource_objects{group="reports.kyverno.io",resource="ephemeralreports"} 12\napiserver_resource_objects{group="",resource="pods"} 3\n',
    );
    expect(size?.metricName).toBe('');
    expect(size?.objectCounts).toEqual([
      { resource: 'ephemeralreports.reports.kyverno.io', count: 12 },
      { resource: 'pods', count: 3 },
    ]);
  });

  test('a dump without any of these metrics gives null', () => {
    expect(databaseSizeFromMetricsText('process_cpu_seconds_total 12\n')).toBeNull();
  });
});

describe('size thresholds from a CloudWatch series', () => {
  test('the first point at or over 50/75/90/100% of the limit', () => {
    const g = 1024 ** 3;
    const size = databaseSizeFromSeries('apiserver_storage_size_bytes', [
      { timestamp: '2024-06-14T03:00:00.000Z', value: 7.5 * g },
      { timestamp: '2024-06-14T01:00:00.000Z', value: 3 * g },
      { timestamp: '2024-06-14T02:00:00.000Z', value: 4.5 * g },
    ]);
    expect(size.endpoints).toEqual([{ endpoint: 'cluster', bytes: 7.5 * g, fractionOfLimit: 7.5 / 8 }]);
    expect(sizeThresholdCrossings(size).map((c) => [c.fraction, c.timestamp])).toEqual([
      [0.5, '2024-06-14T02:00:00.000Z'],
      [0.75, '2024-06-14T03:00:00.000Z'],
      [0.9, '2024-06-14T03:00:00.000Z'],
    ]);
  });
});
