/**
 * Hand-made IncidentReports for the renderer tests: a Kyverno ephemeralreports flood that is still
 * failing, a flood with no failure and an almost empty report. The hostile report is in hostile-fixture.ts.
 */
import {
  INCIDENT_REPORT_SCHEMA_VERSION,
  type IncidentReport,
  type SeriesPoint,
} from '../../src/analysis/incident-report.js';

const BIN_MS = 5 * 60_000;
const SERIES_START = Date.parse('2024-06-13T12:00:00.000Z');
export const ONSET = Date.parse('2024-06-13T18:40:00.000Z');
export const FIRST_FAILURE = '2024-06-14T03:12:44.318Z';
const KYVERNO_SA = 'system:serviceaccount:kyverno:kyverno-admission-controller';
const KYVERNO_UA = 'kyverno/v1.11.1 (linux/amd64) kubernetes/$Format';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Writes per 5-minute bin: a flat baseline, then a flood that grows until etcd is full. */
function floodSeries(
  bins: number,
  failureFromBin: number | null,
): { writes: SeriesPoint[]; failures: SeriesPoint[] } {
  const writes: SeriesPoint[] = [];
  const failures: SeriesPoint[] = [];
  const onsetBin = (ONSET - SERIES_START) / BIN_MS;
  for (let i = 0; i < bins; i += 1) {
    const timestamp = iso(SERIES_START + i * BIN_MS);
    const baseline = 110 + ((i * 7) % 13);
    const flood = i >= onsetBin ? Math.round(40 * (i - onsetBin + 1) ** 1.15) : 0;
    const failing = failureFromBin !== null && i >= failureFromBin;
    writes.push({ timestamp, value: failing ? baseline + 30 : baseline + flood });
    if (failing) failures.push({ timestamp, value: 600 + ((i * 31) % 97) });
  }
  return { writes, failures };
}

const KYVERNO_QUERY = `fields @timestamp, user.username, objectRef.resource
| filter verb in ["create","update","patch","delete","deletecollection"] and stage = "ResponseComplete"
| stats count(*) as writes by user.username, userAgent, objectRef.resource, objectRef.apiGroup, objectRef.namespace
| sort writes desc
| limit 20`;

export const CONSOLE =
  "https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights$3FqueryDetail$3D~(end~'2024-06-14T06*3a00*3a00.000Z~start~'2024-06-13T12*3a00*3a00.000Z~timeType~'ABSOLUTE~tz~'UTC~editorString~'fields*20*40timestamp~source~(~'*2faws*2feks*2fprod-trading*2fcluster)~lang~'CWLI)";

/** The motivating incident: Kyverno floods ephemeralreports in `trading` until etcd is full; still failing. */
export function kyvernoFloodReport(): IncidentReport {
  const failureFromBin = (Date.parse('2024-06-14T03:10:00.000Z') - SERIES_START) / BIN_MS;
  const series = floodSeries(216, failureFromBin);
  const failureCount = series.failures.reduce((sum, p) => sum + p.value, 0);
  return {
    schemaVersion: INCIDENT_REPORT_SCHEMA_VERSION,
    generatedAt: '2024-06-14T06:03:11.902Z',
    tool: { name: 'eks-etcd-insights', version: '0.1.0' },
    cluster: 'prod-trading',
    source: { kind: 'cloudwatch', label: '/aws/eks/prod-trading/cluster (us-east-1)' },
    window: { start: '2024-06-07T06:00:00.000Z', end: '2024-06-14T06:00:00.000Z' },
    verdict: `etcd is full since 2024-06-14 03:12:44 UTC and writes still fail: ${KYVERNO_SA} created 1,204,311 ephemeralreports.reports.kyverno.io in namespace trading.`,
    readiness: {
      auditLoggingEnabled: true,
      enabledSince: '2024-05-02T09:14:00.000Z',
      oldestEvent: '2024-05-02T09:15:12.004Z',
      newestEvent: '2024-06-14T05:59:58.771Z',
      blindBefore: null,
      notes: [],
    },
    firstFailure: {
      timestamp: FIRST_FAILURE,
      user: KYVERNO_SA,
      userAgent: KYVERNO_UA,
      verb: 'create',
      resource: 'ephemeralreports',
      apiGroup: 'reports.kyverno.io',
      namespace: 'trading',
      requestURI: '/apis/reports.kyverno.io/v1/namespaces/trading/ephemeralreports',
    },
    failures: { count: failureCount, last: '2024-06-14T05:59:57.013Z', stillFailing: true },
    floodOnset: { timestamp: iso(ONSET), baselinePerBin: 116, onsetPerBin: 156, binMs: BIN_MS },
    leadUp: { start: iso(ONSET), end: FIRST_FAILURE },
    topWriters: [
      {
        user: KYVERNO_SA,
        userAgent: KYVERNO_UA,
        resource: 'ephemeralreports',
        apiGroup: 'reports.kyverno.io',
        namespace: 'trading',
        writes: 1_204_311,
        share: 0.912,
        growth: null,
      },
      {
        user: 'system:serviceaccount:kyverno:kyverno-reports-controller',
        userAgent: KYVERNO_UA,
        resource: 'policyreports',
        apiGroup: 'wgpolicyk8s.io',
        namespace: 'trading',
        writes: 61_020,
        share: 0.046,
        growth: 14.2,
      },
      {
        user: 'system:node:ip-10-0-3-17.ec2.internal',
        userAgent: 'kubelet/v1.29.3 (linux/amd64) kubernetes/6813625',
        resource: 'leases',
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-node-lease',
        writes: 20_410,
        share: 0.0155,
        growth: 1.0,
      },
      {
        user: 'system:kube-controller-manager',
        userAgent: 'kube-controller-manager/v1.29.3 (linux/amd64) kubernetes/6813625/leader-election',
        resource: 'leases',
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-system',
        writes: 9_870,
        share: 0.0075,
        growth: 0.98,
      },
    ],
    rankings: [
      { dimension: 'user', entries: [{ key: KYVERNO_SA, writes: 1_204_311, share: 0.912, growth: null }] },
      {
        dimension: 'resource',
        entries: [
          {
            key: 'ephemeralreports',
            apiGroup: 'reports.kyverno.io',
            writes: 1_204_311,
            share: 0.912,
            growth: null,
          },
        ],
      },
    ],
    objectGrowth: [
      {
        resource: 'ephemeralreports',
        apiGroup: 'reports.kyverno.io',
        apiVersion: 'v1',
        namespace: 'trading',
        creates: 1_204_311,
        deletes: 1_112,
        net: 1_203_199,
      },
      {
        resource: 'policyreports',
        apiGroup: 'wgpolicyk8s.io',
        apiVersion: 'v1alpha2',
        namespace: 'trading',
        creates: 3_400,
        deletes: 12,
        net: 3_388,
      },
      {
        resource: 'events',
        apiGroup: '',
        apiVersion: 'v1',
        namespace: 'trading',
        creates: 2_950,
        deletes: 2_801,
        net: 149,
      },
    ],
    strain: {
      timeouts: 37,
      firstTimeout: '2024-06-14T02:58:03.551Z',
      serverErrors: failureCount + 37,
      throttled: 412,
      byUserAgent: [{ userAgent: KYVERNO_UA, serverErrors: failureCount, throttled: 400 }],
    },
    databaseSize: {
      source: 'cloudwatch',
      metricName: 'apiserver_storage_size_bytes',
      limitBytes: 8 * 1024 ** 3,
      endpoints: [
        { endpoint: 'etcd-0', bytes: 8_589_869_056, fractionOfLimit: 0.99999 },
        { endpoint: 'etcd-1', bytes: 8_589_701_120, fractionOfLimit: 0.99997 },
      ],
      series: [],
      objectCounts: [
        { resource: 'ephemeralreports.reports.kyverno.io', count: 1_203_350 },
        { resource: 'events', count: 9_120 },
      ],
    },
    remediation: {
      resource: 'ephemeralreports',
      apiGroup: 'reports.kyverno.io',
      apiVersion: 'v1',
      namespace: 'trading',
      estimatedObjects: 1_203_199,
      commands: [
        "kubectl delete --raw '/apis/reports.kyverno.io/v1/namespaces/trading/ephemeralreports?limit=1000'",
        'kubectl get ephemeralreports.reports.kyverno.io -n trading --chunk-size=1000 -o name | head',
      ],
      etcdKeyPrefix: '/registry/reports.kyverno.io/ephemeralreports/trading',
      warnings: [
        'Deletes fail while etcd is over its quota: ask AWS Support to remove the objects under the etcd key prefix.',
      ],
      knownCulprit: {
        name: 'Kyverno admission/ephemeral reports',
        notes: [
          'Upgrade Kyverno to 1.12.4 or later.',
          'Consider the reports server.',
          'Lower --aggregationWorkers.',
        ],
      },
    },
    timeline: [
      {
        timestamp: '2024-05-02T09:14:00.000Z',
        kind: 'logging-enabled',
        title: 'Audit logging enabled',
        detail: 'EKS update 3f1c...',
        evidence: null,
      },
      {
        timestamp: iso(SERIES_START),
        kind: 'baseline',
        title: 'Baseline: about 116 writes per 5m',
        detail: 'Median of the bins before the onset.',
        evidence: { query: 'write-volume-over-time', consoleUrl: CONSOLE },
      },
      {
        timestamp: iso(ONSET),
        kind: 'flood-onset',
        title: 'Write flood begins',
        detail: '156 writes in 5m against a baseline of 116.',
        evidence: { query: 'write-volume-over-time', consoleUrl: CONSOLE },
      },
      {
        timestamp: '2024-06-13T18:40:02.117Z',
        kind: 'top-writer-first-seen',
        title: `Top writer first seen: ${KYVERNO_SA}`,
        detail: 'create ephemeralreports.reports.kyverno.io in trading',
        evidence: { query: 'top-writers-by-user', consoleUrl: CONSOLE },
      },
      {
        timestamp: '2024-06-14T02:58:03.551Z',
        kind: 'first-timeout',
        title: 'First etcdserver: request timed out',
        detail: 'PUT leases in kube-node-lease',
        evidence: { query: 'etcd-timeouts-over-time', consoleUrl: CONSOLE },
      },
      {
        timestamp: FIRST_FAILURE,
        kind: 'first-failure',
        title: 'First mvcc: database space exceeded',
        detail: `create ephemeralreports by ${KYVERNO_SA}`,
        evidence: { query: 'first-nospace-failure', consoleUrl: CONSOLE },
      },
      {
        timestamp: '2024-06-14T05:59:57.013Z',
        kind: 'still-failing',
        title: 'Still failing at the end of the window',
        detail: `${failureCount} failed writes so far`,
        evidence: { query: 'nospace-failures-over-time', consoleUrl: CONSOLE },
      },
    ],
    series: { binMs: BIN_MS, ...series },
    queries: [
      {
        name: 'first-nospace-failure',
        queryString:
          'fields @timestamp, @message\n| filter @message like "mvcc: database space exceeded"\n| sort @timestamp asc\n| limit 1',
        start: '2024-06-13T06:00:00.000Z',
        end: '2024-06-14T06:00:00.000Z',
        bytesScanned: 3_221_225_472,
        recordsScanned: 9_100_000,
        recordsMatched: 1,
        consoleUrl: CONSOLE,
        truncated: false,
      },
      {
        name: 'top-writers-by-user',
        queryString: KYVERNO_QUERY,
        start: iso(ONSET),
        end: FIRST_FAILURE,
        bytesScanned: 1_610_612_736,
        recordsScanned: 4_400_000,
        recordsMatched: 1_320_000,
        consoleUrl: CONSOLE,
        truncated: false,
      },
    ],
    cost: { bytesScanned: 4_831_838_208, estimatedUsd: 0.0225, pricePerGb: 0.005 },
    skippedLines: { count: 0, samples: [] },
    complete: true,
    warnings: [],
  };
}

/** A flood that never reached the quota: no failure, no remediation, local files. */
export function noFailureReport(): IncidentReport {
  const base = kyvernoFloodReport();
  const series = floodSeries(120, null);
  return {
    ...base,
    cluster: null,
    source: { kind: 'local', label: 'audit.log.gz' },
    verdict:
      'No etcd space failure in the window; writes grew 8x from 2024-06-13 18:40 UTC, led by system:serviceaccount:kyverno:kyverno-admission-controller.',
    readiness: {
      auditLoggingEnabled: null,
      enabledSince: null,
      oldestEvent: '2024-06-13T12:00:01.000Z',
      newestEvent: '2024-06-13T21:59:59.000Z',
      blindBefore: null,
      notes: ['Local files: audit logging state unknown.'],
    },
    firstFailure: null,
    failures: { count: 0, last: null, stillFailing: false },
    strain: { timeouts: 0, firstTimeout: null, serverErrors: 0, throttled: 0, byUserAgent: [] },
    databaseSize: null,
    remediation: null,
    timeline: base.timeline
      .filter((e) => e.kind === 'baseline' || e.kind === 'flood-onset')
      .map((e) => ({ ...e, evidence: e.evidence === null ? null : { query: e.evidence.query } })),
    series: { binMs: BIN_MS, ...series },
    queries: base.queries.map((q) => ({ ...q, consoleUrl: null, bytesScanned: 52_428_800 })),
    cost: { bytesScanned: 0, estimatedUsd: 0, pricePerGb: 0.005 },
    skippedLines: { count: 3, samples: [{ file: 'audit.log.gz', line: 17, reason: 'not JSON' }] },
  };
}

/** Almost nothing found: an interrupted local run over an empty file. */
export function emptyReport(): IncidentReport {
  return {
    schemaVersion: INCIDENT_REPORT_SCHEMA_VERSION,
    generatedAt: '2024-06-14T06:03:11.902Z',
    tool: { name: 'eks-etcd-insights', version: '0.1.0' },
    cluster: null,
    source: { kind: 'local', label: 'empty.log' },
    window: { start: '2024-06-14T00:00:00.000Z', end: '2024-06-14T06:00:00.000Z' },
    verdict: 'No audit events in the window.',
    readiness: {
      auditLoggingEnabled: null,
      enabledSince: null,
      oldestEvent: null,
      newestEvent: null,
      blindBefore: null,
      notes: [],
    },
    firstFailure: null,
    failures: { count: 0, last: null, stillFailing: false },
    floodOnset: null,
    leadUp: null,
    topWriters: [],
    rankings: [],
    objectGrowth: [],
    strain: { timeouts: 0, firstTimeout: null, serverErrors: 0, throttled: 0, byUserAgent: [] },
    databaseSize: null,
    remediation: null,
    timeline: [],
    series: { binMs: BIN_MS, writes: [], failures: [] },
    queries: [],
    cost: { bytesScanned: 0, estimatedUsd: 0, pricePerGb: 0.005 },
    skippedLines: { count: 0, samples: [] },
    complete: false,
    warnings: ['Interrupted (SIGINT): the report holds what was found before the run stopped.'],
  };
}
