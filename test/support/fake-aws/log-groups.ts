/**
 * The fake server's log data: log groups holding fixture LogRecords, indexed by time (and by stream)
 * with prefix sums of message bytes, so a query's scanned bytes for any window are a binary search away
 * even on benchmark-sized data sets.
 */
import type { LogRecord } from '../../../src/insights/record.js';

export type LogGroupClass = 'STANDARD' | 'INFREQUENT_ACCESS' | 'DELIVERY';

export interface FakeLogStreamSpec {
  name: string;
  creationTime?: number;
  firstEventTimestamp?: number;
  lastEventTimestamp?: number;
  lastIngestionTime?: number;
}

export interface FakeLogGroupSpec {
  name: string;
  /** Events; `logStream` names the stream, `log` is filled in when empty. */
  records?: LogRecord[];
  /** Absent: never expire (the default EKS creates). */
  retentionInDays?: number;
  logGroupClass?: LogGroupClass;
  creationTime?: number;
  /** Overrides the computed stored bytes (sum of message bytes). */
  storedBytes?: number;
  /** Extra streams, or metadata overriding what the records imply. */
  streams?: FakeLogStreamSpec[];
}

/** Records sorted by time with a prefix sum of their message bytes. */
export class RecordIndex {
  readonly records: LogRecord[];
  private readonly prefixBytes: Float64Array;

  constructor(records: LogRecord[]) {
    this.records = [...records].sort((a, b) => a.timestamp - b.timestamp);
    this.prefixBytes = new Float64Array(this.records.length + 1);
    this.records.forEach((record, i) => {
      this.prefixBytes[i + 1] = (this.prefixBytes[i] ?? 0) + Buffer.byteLength(record.message, 'utf8');
    });
  }

  /** Index range [lo, hi) of the records with startMs <= timestamp <= endMs. */
  window(startMs: number, endMs: number): [number, number] {
    return [this.lowerBound(startMs), this.lowerBound(endMs + 1)];
  }

  bytes(lo: number, hi: number): number {
    return (this.prefixBytes[hi] ?? 0) - (this.prefixBytes[lo] ?? 0);
  }

  get totalBytes(): number {
    return this.prefixBytes[this.records.length] ?? 0;
  }

  private lowerBound(ms: number): number {
    let lo = 0;
    let hi = this.records.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.records[mid]?.timestamp ?? 0) < ms) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

export interface FakeLogStream {
  name: string;
  creationTime: number;
  index: RecordIndex;
  meta: FakeLogStreamSpec;
}

/** One log group as the fake server holds it. */
export class FakeLogGroup {
  readonly name: string;
  retentionInDays: number | undefined;
  readonly logGroupClass: LogGroupClass;
  readonly creationTime: number;
  private readonly storedBytesOverride: number | undefined;
  index: RecordIndex;
  streams = new Map<string, FakeLogStream>();

  constructor(spec: FakeLogGroupSpec, accountId: string) {
    this.name = spec.name;
    this.retentionInDays = spec.retentionInDays;
    this.logGroupClass = spec.logGroupClass ?? 'STANDARD';
    this.creationTime = spec.creationTime ?? Date.now();
    this.storedBytesOverride = spec.storedBytes;
    const log = `${accountId}:${spec.name}`;
    const records = (spec.records ?? []).map((r) => (r.log === '' ? { ...r, log } : r));
    this.index = new RecordIndex(records);
    this.rebuildStreams(spec.streams ?? []);
  }

  /** Adds events (data "arriving" while a test runs). */
  append(records: LogRecord[]): void {
    this.index = new RecordIndex([...this.index.records, ...records]);
    this.rebuildStreams([...this.streams.values()].map((s) => s.meta));
  }

  get storedBytes(): number {
    return this.storedBytesOverride ?? this.index.totalBytes;
  }

  private rebuildStreams(extra: FakeLogStreamSpec[]): void {
    const byStream = new Map<string, LogRecord[]>();
    for (const record of this.index.records) {
      const list = byStream.get(record.logStream);
      if (list === undefined) byStream.set(record.logStream, [record]);
      else list.push(record);
    }
    const streams = new Map<string, FakeLogStream>();
    const metaByName = new Map(extra.map((m) => [m.name, m]));
    const names = new Set([...byStream.keys(), ...metaByName.keys()]);
    for (const name of [...names].sort()) {
      const index = new RecordIndex(byStream.get(name) ?? []);
      const meta = metaByName.get(name) ?? { name };
      streams.set(name, {
        name,
        creationTime: meta.creationTime ?? index.records[0]?.timestamp ?? this.creationTime,
        index,
        meta,
      });
    }
    this.streams = streams;
  }
}

/** The DescribeLogStreams view of a stream. */
export function describeStream(
  group: FakeLogGroup,
  stream: FakeLogStream,
  region: string,
  accountId: string,
): Record<string, unknown> {
  const first = stream.meta.firstEventTimestamp ?? stream.index.records[0]?.timestamp;
  const last =
    stream.meta.lastEventTimestamp ?? stream.index.records[stream.index.records.length - 1]?.timestamp;
  const ingestion = stream.meta.lastIngestionTime ?? last;
  return {
    logStreamName: stream.name,
    creationTime: stream.creationTime,
    ...(first === undefined ? {} : { firstEventTimestamp: first }),
    ...(last === undefined ? {} : { lastEventTimestamp: last }),
    ...(ingestion === undefined ? {} : { lastIngestionTime: ingestion }),
    arn: `arn:aws:logs:${region}:${accountId}:log-group:${group.name}:log-stream:${stream.name}`,
    // Stream-level storedBytes has been 0 since June 2019 (CloudWatch Logs API reference, LogStream).
    storedBytes: 0,
  };
}
