/**
 * The CloudWatch benchmark's byte and round accounting, from the fake server's own per-window byte
 * index (the same prefix sums it bills queries from) and its record of the queries it ran. Pure: no
 * I/O, so the test can check it on a tiny dataset.
 */
import { binStart } from '../../src/analysis/bins.js';
import { MIN_BASELINE_MS } from '../../src/analysis/incident-windows.js';
import type { TimeRange } from '../../src/sources/source.js';
import type { FakeLogGroup } from '../../test/support/fake-aws/log-groups.js';

/** Audit streams are `kube-apiserver-audit-<32hex>` (EKS control-plane-logs docs). */
export const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit-';

/** Message bytes in a window (inclusive ms), as the fake server bills a query over it. */
export interface WindowBytes {
  /** Every stream: what an unscoped query scans. */
  all(range: TimeRange): number;
  /** Only the audit streams: what a query scoped with `filterIndex @logStream in [...]` scans. */
  audit(range: TimeRange): number;
}

/** Window byte counts of one fake log group. */
export function windowBytes(group: FakeLogGroup): WindowBytes {
  const auditStreams = [...group.streams.values()].filter((s) => s.name.startsWith(AUDIT_STREAM_PREFIX));
  return {
    all(range) {
      const [lo, hi] = group.index.window(range.startMs, range.endMs);
      return group.index.bytes(lo, hi);
    },
    audit(range) {
      let total = 0;
      for (const stream of auditStreams) {
        const [lo, hi] = stream.index.window(range.startMs, range.endMs);
        total += stream.index.bytes(lo, hi);
      }
      return total;
    },
  };
}

/**
 * THE MINIMUM, precisely: the audit-stream bytes in [M, E], where E is the end of the analysed window
 * and M = start of the analysis bin holding the true flood onset (ground truth: the flood writer's
 * first request) minus MIN_BASELINE_MS (1 h, the shortest baseline the analysis measures growth
 * against; src/analysis/incident-windows.ts). Any plan that reports the flood onset against a
 * baseline, and the failures up to the end (count, last failure, still failing), must read at
 * least the audit events of that window once; api-stream bytes are never needed. With no flood in
 * the truth the whole window is needed.
 */
export function minimumWindow(floodOnset: string | null, binMs: number, window: TimeRange): TimeRange {
  if (floodOnset === null) return window;
  const onsetMs = Date.parse(floodOnset);
  return {
    startMs: Math.max(window.startMs, binStart(onsetMs, binMs) - MIN_BASELINE_MS),
    endMs: window.endMs,
  };
}

/**
 * THE NAIVE PLAN: `queryCount` stored queries, each over the whole lookback window on every stream
 * (a query written `filter @logStream like /kube-apiserver-audit/` still scans every stream: a
 * regex is not index-eligible, aws-facts B). Computed from the byte index, not run.
 */
export function naivePlanBytes(bytes: WindowBytes, window: TimeRange, queryCount: number): number {
  return queryCount * bytes.all(window);
}

/** A query as the fake server recorded it. */
export interface SeenQuery {
  createdAt: number;
  bytesScanned: number;
  status: string;
}

/**
 * Sequential waves of queries seen by the server: the longest chain of queries each started at
 * least `delayMs` (the time the server takes to complete a query) after the one before it, i.e.
 * after its result could be known. It counts dependency rounds, and also waits for a free
 * `--max-concurrent` slot, so it is at least the analysis's own round count. Meaningful only when
 * `delayMs` dominates the client's own latency.
 */
export function sequentialWaves(queries: SeenQuery[], delayMs: number): number {
  const starts = queries.map((q) => q.createdAt).sort((a, b) => a - b);
  const depth: number[] = [];
  let best = 0;
  starts.forEach((start, i) => {
    let d = 1;
    for (let j = 0; j < i; j++) if ((starts[j] ?? 0) + delayMs <= start) d = Math.max(d, (depth[j] ?? 0) + 1);
    depth.push(d);
    best = Math.max(best, d);
  });
  return best;
}

/** Sum of the bytes of the queries the server ran. */
export function serverBytes(queries: SeenQuery[]): number {
  return queries.reduce((sum, q) => sum + q.bytesScanned, 0);
}

/** A query as sent: its text and StartQuery's inclusive epoch-second window. */
export interface SentQuery {
  queryString: string;
  startTime: number;
  endTime: number;
}

/**
 * Seconds scanned twice by queries of the same text (ignoring the leading audit-stream scope line,
 * whose stream list differs by window). The analysis tiles the series over adjacent windows; since
 * StartQuery's seconds are inclusive at both ends, a window ending at X.999 ms must be sent as
 * endTime X, or the next window's first second is read twice and its events counted twice.
 */
export function overlappingSeconds(queries: SentQuery[]): number {
  const byText = new Map<string, SentQuery[]>();
  for (const q of queries) {
    const key = q.queryString.replace(/^filterIndex @logStream in \[[^\]]*\]\n\| /, '');
    byText.set(key, [...(byText.get(key) ?? []), q]);
  }
  let overlap = 0;
  for (const list of byText.values()) {
    const sorted = [...list].sort((a, b) => a.startTime - b.startTime);
    for (let i = 1; i < sorted.length; i++) {
      const previous = sorted[i - 1];
      const current = sorted[i];
      if (previous !== undefined && current !== undefined && current.startTime <= previous.endTime) {
        overlap += Math.min(previous.endTime, current.endTime) - current.startTime + 1;
      }
    }
  }
  return overlap;
}
