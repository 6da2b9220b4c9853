/**
 * A CloudWatch-like LogSource for plan tests: answers with the project's query engine over
 * in-memory records, and bills like Logs Insights: every query scans (and is charged for) all the
 * audit-stream bytes in its time range, whatever it filters or limits. It counts the runAll calls:
 * each is one round on the critical path.
 */
import type { GeneratedEvent } from '../../bench/incident/generate.js';
import { compileQuery } from '../../src/insights/index.js';
import type { LogRecord } from '../../src/insights/record.js';
import type { LogSource, QueryOutcome, QueryRequest, TimeRange } from '../../src/sources/source.js';

export interface FakeCloudWatchSource extends LogSource {
  rounds: number;
  requests: QueryRequest[];
  bytesScanned: number;
  /** Audit-stream bytes with @timestamp in [startMs, endMs]. */
  bytesIn(range: TimeRange): number;
}

/** Builds the fake over generated events (only the audit streams are scanned, as filterIndex scopes them). */
export function createFakeCloudWatchSource(
  events: readonly GeneratedEvent[],
  options: { failOn?: string } = {},
): FakeCloudWatchSource {
  const records: LogRecord[] = events
    .filter((e) => e.logStream.startsWith('kube-apiserver-audit'))
    .map((e) => ({
      timestamp: e.timestampMs,
      message: e.line,
      logStream: e.logStream,
      log: '123456789012:/aws/eks/prod/cluster',
    }));
  records.sort((a, b) => a.timestamp - b.timestamp);
  // Prefix sums of bytes for O(log n) range costs.
  const times = records.map((r) => r.timestamp);
  const prefix = [0];
  for (const r of records) prefix.push((prefix[prefix.length - 1] ?? 0) + Buffer.byteLength(r.message));
  const lowerBound = (t: number): number => {
    let lo = 0;
    let hi = times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((times[mid] ?? 0) < t) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const slice = (range: TimeRange): [number, number] => [
    lowerBound(range.startMs),
    lowerBound(range.endMs + 1),
  ];
  const bytesIn = (range: TimeRange): number => {
    const [a, b] = slice(range);
    return (prefix[b] ?? 0) - (prefix[a] ?? 0);
  };
  const source: FakeCloudWatchSource = {
    kind: 'cloudwatch',
    label: '/aws/eks/prod/cluster',
    rounds: 0,
    requests: [],
    bytesScanned: 0,
    bytesIn,
    async runAll(requests: QueryRequest[]): Promise<QueryOutcome[]> {
      source.rounds += 1;
      const outcomes: QueryOutcome[] = [];
      for (const request of requests) {
        if (request.range === undefined)
          throw new Error('the CloudWatch plan must give every query a window');
        if (options.failOn === request.name) {
          const error = Object.assign(new Error(`Query "${request.name}" ended Failed.`), {
            partial: outcomes.slice(),
          });
          throw error;
        }
        source.requests.push(request);
        const [a, b] = slice(request.range);
        const run = compileQuery(request.queryString).createRun(
          request.limit === undefined ? {} : { limit: request.limit },
        );
        for (let i = a; i < b; i++) run.add(records[i] as LogRecord);
        const result = run.finish();
        const bytes = bytesIn(request.range);
        source.bytesScanned += bytes;
        outcomes.push({
          request,
          fields: result.fields,
          rows: result.rows,
          statistics: { recordsScanned: b - a, recordsMatched: result.recordsMatched, bytesScanned: bytes },
          truncated: false,
          consoleUrl: `https://us-west-2.console.aws.amazon.com/cloudwatch/home?region=us-west-2#logsV2:logs-insights$3FqueryDetail$3D~(q~'${encodeURIComponent(request.name)})`,
        });
      }
      return outcomes;
    },
  };
  return source;
}
