/**
 * The result of `analyze`: what every renderer in report/ draws and what `--format json` prints.
 * This is the versioned schema; bump INCIDENT_REPORT_SCHEMA_VERSION on any breaking change and
 * document it in docs/report-schema.md. All timestamps are ISO 8601 UTC with milliseconds.
 */

export const INCIDENT_REPORT_SCHEMA_VERSION = 1;

export interface ReportWindow {
  start: string;
  end: string;
}

/** The earliest `etcdserver: mvcc: database space exceeded` response in the lookback. */
export interface FirstFailure {
  timestamp: string;
  user: string;
  userAgent: string;
  verb: string;
  resource: string;
  apiGroup: string;
  namespace: string;
  requestURI: string;
}

export interface FailureSummary {
  count: number;
  /** Timestamp of the last failure, or null when there were none. */
  last: string | null;
  /** Failures were still happening in the last bin of the window. */
  stillFailing: boolean;
}

/** One bin of a time series. */
export interface SeriesPoint {
  /** Bin start. */
  timestamp: string;
  value: number;
}

export interface FloodOnset {
  /** Start of the first bin where the write rate left its baseline. */
  timestamp: string;
  /** Writes per bin before the onset (median of the baseline bins). */
  baselinePerBin: number;
  /** Writes in the onset bin. */
  onsetPerBin: number;
  binMs: number;
}

export interface TopWriter {
  user: string;
  userAgent: string;
  resource: string;
  apiGroup: string;
  namespace: string;
  writes: number;
  /** Fraction (0..1) of all writes in the lead-up window. */
  share: number;
  /** Writes per hour in the lead-up divided by writes per hour in the baseline before it; null when the baseline had none. */
  growth: number | null;
}

/** Top writers by one dimension (user, user agent, resource, namespace). */
export interface WriterRanking {
  dimension: 'user' | 'userAgent' | 'resource' | 'namespace';
  entries: { key: string; apiGroup?: string; writes: number; share: number; growth: number | null }[];
}

export interface ObjectGrowth {
  resource: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  creates: number;
  deletes: number;
  net: number;
}

export interface StrainSummary {
  /** `etcdserver: request timed out` responses. */
  timeouts: number;
  firstTimeout: string | null;
  /** 5xx responses by code, and 429s. */
  serverErrors: number;
  throttled: number;
  byUserAgent: { userAgent: string; serverErrors: number; throttled: number }[];
}

export interface DatabaseSize {
  source: 'cloudwatch' | 'metrics-file';
  metricName: string;
  limitBytes: number;
  /** Latest size per etcd endpoint (or storage cluster id). */
  endpoints: { endpoint: string; bytes: number; fractionOfLimit: number }[];
  /** Size over time, when from CloudWatch metrics. */
  series: SeriesPoint[];
  /** Object counts per resource, largest first (from apiserver_storage_objects). */
  objectCounts: { resource: string; count: number }[];
}

export interface Remediation {
  resource: string;
  apiGroup: string;
  apiVersion: string;
  /** The namespace of the growth, '' when cluster-scoped, '*' when it spans several (see namespaces). */
  namespace: string;
  /** Objects to delete, as far as the audit log shows (net creates). */
  estimatedObjects: number;
  /** Shell commands, in order, that delete the objects in batches. Never run by this tool. */
  commands: string[];
  /** etcd key prefix for AWS Support, e.g. /registry/reports.kyverno.io/ephemeralreports/trading/. */
  etcdKeyPrefix: string;
  /**
   * Added in schema 1 (additive): every prefix to hand over, one per top namespace, or the one
   * resource-level prefix when the growth is spread over many namespaces.
   */
  etcdKeyPrefixes?: string[];
  /** Added in schema 1 (additive): net growth per namespace, largest first ('' = cluster-scoped). */
  namespaces?: { namespace: string; net: number }[];
  warnings: string[];
  /** Notes for a known culprit (Kyverno reports), empty otherwise. */
  knownCulprit: { name: string; notes: string[] } | null;
}

export type TimelineKind =
  | 'logging-enabled'
  | 'blind-period'
  | 'baseline'
  | 'flood-onset'
  | 'top-writer-first-seen'
  | 'size-threshold'
  | 'first-failure'
  | 'first-timeout'
  | 'last-failure'
  | 'still-failing';

export interface TimelineEvent {
  timestamp: string;
  kind: TimelineKind;
  title: string;
  detail: string;
  /** Which query (by name) the event comes from, and its console link when from CloudWatch. */
  evidence: { query: string; consoleUrl?: string } | null;
}

export interface QueryRecord {
  name: string;
  queryString: string;
  start: string;
  end: string;
  bytesScanned: number;
  recordsScanned: number;
  recordsMatched: number;
  consoleUrl: string | null;
  truncated: boolean;
}

export interface Readiness {
  /** Null when not known (local files). */
  auditLoggingEnabled: boolean | null;
  /** When audit logging was last enabled, if known. */
  enabledSince: string | null;
  /** Oldest and newest audit event available. */
  oldestEvent: string | null;
  newestEvent: string | null;
  /** The window starts before audit logs exist: the early part is blind. */
  blindBefore: string | null;
  notes: string[];
}

export interface IncidentReport {
  schemaVersion: typeof INCIDENT_REPORT_SCHEMA_VERSION;
  generatedAt: string;
  tool: { name: 'eks-etcd-insights'; version: string };
  /** Cluster name, or null for local files. */
  cluster: string | null;
  source: { kind: 'local' | 'cloudwatch'; label: string };
  window: ReportWindow;
  /** One-line answer: what is wrong and who is doing it. */
  verdict: string;
  readiness: Readiness;
  firstFailure: FirstFailure | null;
  failures: FailureSummary;
  floodOnset: FloodOnset | null;
  /** The lead-up window used for top writers and growth. */
  leadUp: ReportWindow | null;
  topWriters: TopWriter[];
  rankings: WriterRanking[];
  objectGrowth: ObjectGrowth[];
  strain: StrainSummary;
  databaseSize: DatabaseSize | null;
  remediation: Remediation | null;
  timeline: TimelineEvent[];
  /** Per-bin write requests and NOSPACE failures; `timeouts` (etcd request timeouts) added in schema 1 (additive). */
  series: { binMs: number; writes: SeriesPoint[]; failures: SeriesPoint[]; timeouts?: SeriesPoint[] };
  queries: QueryRecord[];
  cost: { bytesScanned: number; estimatedUsd: number; pricePerGb: number };
  /** Malformed input lines skipped (local files). */
  skippedLines: { count: number; samples: { file: string; line: number; reason: string }[] };
  /** False when the run was interrupted or a query failed: the report holds what was found. */
  complete: boolean;
  /** Why the report is incomplete, and other caveats. */
  warnings: string[];
  /**
   * Added in schema 1 (additive): how the analysis ran. `rounds` of queries on the critical path,
   * `scanned` the window the per-bin series covers, `baseline` the window growth is measured against
   * (the analysis needs [baseline.start, window.end]).
   */
  plan?: { rounds: number; scanned: ReportWindow | null; baseline: ReportWindow | null };
}
