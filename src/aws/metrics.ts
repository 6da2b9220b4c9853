/**
 * The etcd database size from the EKS control-plane metrics in CloudWatch (namespace `AWS/EKS`,
 * dimension ClusterName, 1-minute data, Kubernetes 1.28+; docs.aws.amazon.com/eks/latest/userguide/cloudwatch.html).
 * Which name the storage metric has is UNCONFIRMED (aws-facts.md G: `APIServerStorageSize` in the
 * 2024 docs, Prometheus-style names since), so ListMetrics discovers it among the known names.
 */
import {
  GetMetricDataCommand,
  ListMetricsCommand,
  type CloudWatchClient,
  type Dimension,
} from '@aws-sdk/client-cloudwatch';
import type { DatabaseSize, SeriesPoint } from '../analysis/incident-report.js';
import { ETCD_SIZE_LIMIT_BYTES } from '../analysis/database-size.js';
import type { TimeRange } from '../sources/source.js';
import { callAws, type AwsErrorContext } from './aws-errors.js';

/** The metric namespace of the EKS vended control-plane metrics. */
export const EKS_METRICS_NAMESPACE = 'AWS/EKS';

/** Storage-size metric names, in order of preference. */
export const STORAGE_SIZE_METRIC_NAMES = [
  'apiserver_storage_size_bytes',
  'APIServerStorageSize',
  'apiserver_storage_db_total_size_in_bytes',
  'etcd_db_total_size_in_bytes',
  'etcd_mvcc_db_total_size_in_use_in_bytes',
] as const;

/** Most datapoints asked per series: GetMetricData returns up to 100,800 per call, but a chart needs far fewer. */
const MAX_POINTS = 1440;
const MAX_PAGES = 20;

/** Which cluster and window to read the etcd database-size metric for. */
export interface DatabaseSizeMetricsOptions {
  cluster: string;
  window: TimeRange;
  context?: AwsErrorContext;
}

interface ListedMetric {
  name: string;
  dimensions: Dimension[];
}

/** Lists the AWS/EKS metrics of the cluster (paged). */
async function listClusterMetrics(
  client: CloudWatchClient,
  cluster: string,
  context: AwsErrorContext,
): Promise<ListedMetric[]> {
  const metrics: ListedMetric[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await callAws({ ...context, action: 'cloudwatch:ListMetrics' }, () =>
      client.send(
        new ListMetricsCommand({
          Namespace: EKS_METRICS_NAMESPACE,
          Dimensions: [{ Name: 'ClusterName', Value: cluster }],
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    for (const metric of out.Metrics ?? []) {
      if (metric.MetricName !== undefined)
        metrics.push({ name: metric.MetricName, dimensions: metric.Dimensions ?? [] });
    }
    nextToken = out.NextToken;
    if (nextToken === undefined || nextToken === '') break;
  }
  return metrics;
}

/** The storage-size metrics the cluster has, of the most preferred name found. */
export function pickStorageMetrics(metrics: readonly ListedMetric[]): ListedMetric[] {
  for (const name of STORAGE_SIZE_METRIC_NAMES) {
    const found = metrics.filter((m) => m.name === name);
    if (found.length > 0) return found;
  }
  return [];
}

/** A period (seconds, multiple of 60) that keeps a window under MAX_POINTS datapoints. */
export function periodFor(window: TimeRange): number {
  const seconds = Math.max(1, (window.endMs - window.startMs) / 1000);
  return Math.max(60, Math.ceil(seconds / MAX_POINTS / 60) * 60);
}

function endpointLabel(dimensions: readonly Dimension[]): string {
  const other = dimensions.filter((d) => d.Name !== 'ClusterName');
  return other.length === 0 ? 'cluster' : other.map((d) => `${d.Name ?? ''}=${d.Value ?? ''}`).join(',');
}

/**
 * The database size over the window from CloudWatch metrics, or null when the cluster publishes no
 * storage metric (older than 1.28, or an older platform version).
 */
export async function getDatabaseSizeMetrics(
  client: CloudWatchClient,
  options: DatabaseSizeMetricsOptions,
): Promise<DatabaseSize | null> {
  const context = { ...(options.context ?? {}), cluster: options.cluster };
  const chosen = pickStorageMetrics(await listClusterMetrics(client, options.cluster, context));
  const first = chosen[0];
  if (first === undefined) return null;
  const period = periodFor(options.window);
  const queries = chosen.map((metric, index) => ({
    Id: `m${index}`,
    MetricStat: {
      Metric: { Namespace: EKS_METRICS_NAMESPACE, MetricName: metric.name, Dimensions: metric.dimensions },
      Period: period,
      Stat: 'Maximum',
    },
    ReturnData: true,
  }));
  const perSeries = new Map<string, Map<number, number>>();
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const out = await callAws({ ...context, action: 'cloudwatch:GetMetricData' }, () =>
      client.send(
        new GetMetricDataCommand({
          MetricDataQueries: queries,
          StartTime: new Date(options.window.startMs),
          EndTime: new Date(options.window.endMs),
          ScanBy: 'TimestampAscending',
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      ),
    );
    for (const result of out.MetricDataResults ?? []) {
      const index = Number((result.Id ?? '').slice(1));
      const label = endpointLabel(chosen[index]?.dimensions ?? []);
      const points = perSeries.get(label) ?? new Map<number, number>();
      const timestamps = result.Timestamps ?? [];
      const values = result.Values ?? [];
      timestamps.forEach((t, i) => {
        const v = values[i];
        if (v !== undefined) points.set(t.getTime(), Math.max(points.get(t.getTime()) ?? 0, v));
      });
      perSeries.set(label, points);
    }
    nextToken = out.NextToken;
    if (nextToken === undefined || nextToken === '') break;
  }
  const merged = new Map<number, number>();
  const endpoints: DatabaseSize['endpoints'] = [];
  for (const [label, points] of perSeries) {
    const times = [...points.keys()].sort((a, b) => a - b);
    const latest = times[times.length - 1];
    if (latest !== undefined) {
      const bytes = points.get(latest) ?? 0;
      endpoints.push({ endpoint: label, bytes, fractionOfLimit: bytes / ETCD_SIZE_LIMIT_BYTES });
    }
    for (const [t, v] of points) merged.set(t, Math.max(merged.get(t) ?? 0, v));
  }
  const series: SeriesPoint[] = [...merged.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([t, value]) => ({ timestamp: new Date(t).toISOString(), value }));
  return {
    source: 'cloudwatch',
    metricName: first.name,
    limitBytes: ETCD_SIZE_LIMIT_BYTES,
    endpoints: endpoints.sort((a, b) => b.bytes - a.bytes),
    series,
    objectCounts: [],
  };
}
