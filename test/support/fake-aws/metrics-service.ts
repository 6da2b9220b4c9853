/**
 * Amazon CloudWatch metrics over JSON 1.0 (`X-Amz-Target: GraniteServiceVersion20100801.<Operation>`):
 * ListMetrics and GetMetricData over fixture data points, enough for the EKS control-plane metrics
 * (namespace AWS/EKS, dimension ClusterName). Timestamps on the wire are epoch seconds.
 */
import { FakeAwsError } from './aws-error.js';

export interface FakeMetricSpec {
  namespace: string;
  name: string;
  dimensions: { Name: string; Value: string }[];
  /** Data points; `timestamp` in epoch ms. */
  points: { timestamp: number; value: number }[];
}

type Stat = 'Average' | 'Maximum' | 'Minimum' | 'Sum' | 'SampleCount';

/** Answers one CloudWatch operation. */
export function handleMetrics(
  metrics: FakeMetricSpec[],
  operation: string,
  input: Record<string, unknown>,
): unknown {
  switch (operation) {
    case 'ListMetrics':
      return listMetrics(metrics, input);
    case 'GetMetricData':
      return getMetricData(metrics, input);
    default:
      throw new FakeAwsError(
        'InvalidAction',
        `Operation ${operation} is not supported by the fake server`,
        400,
      );
  }
}

function sameDimensions(
  a: { Name: string; Value: string }[],
  b: { Name?: string; Value?: string }[],
): boolean {
  return a.length === b.length && b.every((d) => a.some((x) => x.Name === d.Name && x.Value === d.Value));
}

function listMetrics(metrics: FakeMetricSpec[], input: Record<string, unknown>): unknown {
  const filters = (input['Dimensions'] as { Name?: string; Value?: string }[] | undefined) ?? [];
  const found = metrics
    .filter((m) => input['Namespace'] === undefined || m.namespace === input['Namespace'])
    .filter((m) => input['MetricName'] === undefined || m.name === input['MetricName'])
    // A dimension filter matches metrics that have that dimension (and value, when given).
    .filter((m) =>
      filters.every((f) =>
        m.dimensions.some((d) => d.Name === f.Name && (f.Value === undefined || d.Value === f.Value)),
      ),
    );
  return {
    Metrics: found.map((m) => ({ Namespace: m.namespace, MetricName: m.name, Dimensions: m.dimensions })),
  };
}

interface MetricDataQuery {
  Id?: string;
  Label?: string;
  ReturnData?: boolean;
  MetricStat?: {
    Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name?: string; Value?: string }[] };
    Period?: number;
    Stat?: string;
  };
}

function getMetricData(metrics: FakeMetricSpec[], input: Record<string, unknown>): unknown {
  const queries = (input['MetricDataQueries'] as MetricDataQuery[] | undefined) ?? [];
  const startMs = Number(input['StartTime']) * 1000;
  const endMs = Number(input['EndTime']) * 1000;
  if (!Number.isFinite(startMs) || !Number.isFinite(endMs))
    throw new FakeAwsError('InvalidParameterValue', 'StartTime and EndTime are required', 400);
  const ascending = input['ScanBy'] === 'TimestampAscending';
  const results = queries
    .filter((q) => q.ReturnData !== false)
    .map((q) => {
      const stat = q.MetricStat;
      if (stat?.Metric === undefined)
        throw new FakeAwsError('InvalidParameterValue', 'Only MetricStat queries are supported', 400);
      const metric = metrics.find(
        (m) =>
          m.namespace === stat.Metric?.Namespace &&
          m.name === stat.Metric?.MetricName &&
          sameDimensions(m.dimensions, stat.Metric?.Dimensions ?? []),
      );
      const periodMs = (stat.Period ?? 60) * 1000;
      const buckets = new Map<number, number[]>();
      // StartTime is inclusive and EndTime exclusive (GetMetricData API reference).
      for (const p of metric?.points ?? []) {
        if (p.timestamp < startMs || p.timestamp >= endMs) continue;
        const bucket = startMs + Math.floor((p.timestamp - startMs) / periodMs) * periodMs;
        const list = buckets.get(bucket);
        if (list === undefined) buckets.set(bucket, [p.value]);
        else list.push(p.value);
      }
      const times = [...buckets.keys()].sort((a, b) => (ascending ? a - b : b - a));
      return {
        Id: q.Id,
        Label: q.Label ?? stat.Metric.MetricName,
        Timestamps: times.map((t) => t / 1000),
        Values: times.map((t) => aggregate(buckets.get(t) ?? [], (stat.Stat ?? 'Average') as Stat)),
        StatusCode: 'Complete',
      };
    });
  return { MetricDataResults: results, Messages: [] };
}

function aggregate(values: number[], stat: Stat): number {
  switch (stat) {
    case 'Maximum':
      return Math.max(...values);
    case 'Minimum':
      return Math.min(...values);
    case 'Sum':
      return values.reduce((a, b) => a + b, 0);
    case 'SampleCount':
      return values.length;
    default:
      return values.reduce((a, b) => a + b, 0) / values.length;
  }
}
