/**
 * The etcd database size and object counts, from `kubectl get --raw /metrics` output (Prometheus text
 * exposition format) or from the EKS control-plane metrics in CloudWatch.
 *
 * Kubernetes renamed the size metric twice (awsdocs amazon-eks-user-guide, clusters.adoc):
 * `apiserver_storage_size_bytes` (1.28+, label storage_cluster_id), `apiserver_storage_db_total_size_in_bytes`
 * (1.26-1.27) and `etcd_db_total_size_in_bytes` (1.25 and older), both labelled by etcd `endpoint`.
 * Object counts: `apiserver_storage_objects{resource}` (deprecated in 1.34 for
 * `apiserver_resource_objects{group,resource}`) and `etcd_object_counts{resource}` before 1.22.
 */
import type { DatabaseSize, SeriesPoint } from './incident-report.js';

/** The EKS etcd quota: 8 GiB (aws-eks-best-practices, scalability/quotas.adoc). */
export const ETCD_SIZE_LIMIT_BYTES = 8 * 1024 ** 3;

/** Size metric names, newest first. */
export const DATABASE_SIZE_METRICS = [
  'apiserver_storage_size_bytes',
  'apiserver_storage_db_total_size_in_bytes',
  'etcd_db_total_size_in_bytes',
] as const;

/** Object count metric names, in order of preference. */
export const OBJECT_COUNT_METRICS = [
  'apiserver_storage_objects',
  'apiserver_resource_objects',
  'etcd_object_counts',
] as const;

export interface PrometheusSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseLabels(text: string): Record<string, string> | null {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    while (i < text.length && (text[i] === ' ' || text[i] === ',')) i += 1;
    if (i >= text.length) break;
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (nameMatch === null) return null;
    const name = nameMatch[0];
    i += name.length;
    while (text[i] === ' ') i += 1;
    if (text[i] !== '=') return null;
    i += 1;
    while (text[i] === ' ') i += 1;
    if (text[i] !== '"') return null;
    i += 1;
    let value = '';
    for (;;) {
      const c = text[i];
      if (c === undefined) return null;
      if (c === '"') break;
      if (c === '\\') {
        const next = text[i + 1];
        value += next === 'n' ? '\n' : (next ?? '');
        i += 2;
        continue;
      }
      value += c;
      i += 1;
    }
    i += 1;
    labels[name] = value;
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === '+Inf' || text === 'Inf') return Number.POSITIVE_INFINITY;
  if (text === '-Inf') return Number.NEGATIVE_INFINITY;
  if (text === 'NaN') return Number.NaN;
  return Number(text);
}

/**
 * Parses Prometheus text exposition format. Comment lines and lines that do not parse are ignored:
 * a metrics dump is evidence, and one odd line should not hide the rest.
 */
export function parsePrometheusText(text: string): PrometheusSample[] {
  const samples: PrometheusSample[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (nameMatch === null) continue;
    const name = nameMatch[0];
    let rest = line.slice(name.length);
    let labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      const close = findLabelsEnd(rest);
      if (close < 0) continue;
      const parsed = parseLabels(rest.slice(1, close));
      if (parsed === null) continue;
      labels = parsed;
      rest = rest.slice(close + 1);
    }
    const valueText = rest.trim().split(/\s+/)[0] ?? '';
    const value = parseValue(valueText);
    if (valueText === '' || Number.isNaN(value)) continue;
    samples.push({ name, labels, value });
  }
  return samples;
}

function findLabelsEnd(text: string): number {
  let inString = false;
  for (let i = 1; i < text.length; i += 1) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === '"') inString = false;
    } else if (c === '"') inString = true;
    else if (c === '}') return i;
  }
  return -1;
}

function endpointOf(labels: Record<string, string>): string {
  return labels.storage_cluster_id ?? labels.endpoint ?? labels.server ?? 'etcd';
}

function objectResourceOf(sample: PrometheusSample): string {
  const resource = sample.labels.resource ?? '';
  const group = sample.labels.group;
  // apiserver_resource_objects splits the group out; the older metrics already say "resource.group".
  return group !== undefined && group !== '' && !resource.includes('.') ? `${resource}.${group}` : resource;
}

/** Object counts per resource, largest first, from whichever count metric the dump has. */
export function objectCountsFrom(
  samples: readonly PrometheusSample[],
): { resource: string; count: number }[] {
  for (const metric of OBJECT_COUNT_METRICS) {
    const counts = new Map<string, number>();
    for (const sample of samples) {
      if (sample.name !== metric || !Number.isFinite(sample.value)) continue;
      const resource = objectResourceOf(sample);
      if (resource === '') continue;
      // Several series for one resource (per storage cluster): the largest is the one that matters.
      counts.set(resource, Math.max(counts.get(resource) ?? 0, sample.value));
    }
    if (counts.size > 0) {
      return [...counts.entries()]
        .map(([resource, count]) => ({ resource, count }))
        .sort((a, b) => b.count - a.count || a.resource.localeCompare(b.resource));
    }
  }
  return [];
}

/**
 * The database size per etcd endpoint and the object counts from a `/metrics` dump, or null when the
 * dump has neither.
 */
export function databaseSizeFromMetricsText(
  text: string,
  limitBytes = ETCD_SIZE_LIMIT_BYTES,
): DatabaseSize | null {
  const samples = parsePrometheusText(text);
  const objectCounts = objectCountsFrom(samples);
  for (const metric of DATABASE_SIZE_METRICS) {
    const perEndpoint = new Map<string, number>();
    for (const sample of samples) {
      if (sample.name !== metric || !Number.isFinite(sample.value)) continue;
      const endpoint = endpointOf(sample.labels);
      perEndpoint.set(endpoint, Math.max(perEndpoint.get(endpoint) ?? 0, sample.value));
    }
    if (perEndpoint.size > 0) {
      return {
        source: 'metrics-file',
        metricName: metric,
        limitBytes,
        endpoints: [...perEndpoint.entries()]
          .map(([endpoint, bytes]) => ({ endpoint, bytes, fractionOfLimit: bytes / limitBytes }))
          .sort((a, b) => b.bytes - a.bytes || a.endpoint.localeCompare(b.endpoint)),
        series: [],
        objectCounts,
      };
    }
  }
  if (objectCounts.length === 0) return null;
  return { source: 'metrics-file', metricName: '', limitBytes, endpoints: [], series: [], objectCounts };
}

/** A size series from CloudWatch metrics, as a DatabaseSize (latest value as the one endpoint). */
export function databaseSizeFromSeries(
  metricName: string,
  series: SeriesPoint[],
  limitBytes = ETCD_SIZE_LIMIT_BYTES,
): DatabaseSize {
  const sorted = [...series].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
  const latest = sorted[sorted.length - 1];
  return {
    source: 'cloudwatch',
    metricName,
    limitBytes,
    endpoints:
      latest === undefined
        ? []
        : [{ endpoint: 'cluster', bytes: latest.value, fractionOfLimit: latest.value / limitBytes }],
    series: sorted,
    objectCounts: [],
  };
}

/** Fractions of the limit the timeline marks when the size series crosses them. */
export const SIZE_THRESHOLDS = [0.5, 0.75, 0.9, 1] as const;

/** The first time the size series reaches each threshold (only thresholds it crosses). */
export function sizeThresholdCrossings(
  size: DatabaseSize,
): { fraction: number; timestamp: string; bytes: number }[] {
  const crossings: { fraction: number; timestamp: string; bytes: number }[] = [];
  for (const fraction of SIZE_THRESHOLDS) {
    const point = size.series.find((p) => p.value >= fraction * size.limitBytes);
    if (point !== undefined) crossings.push({ fraction, timestamp: point.timestamp, bytes: point.value });
  }
  return crossings;
}
