/**
 * Test kit for the CloudWatch source units: a fake clock that never waits, and an in-memory Logs
 * Insights behind aws-sdk-client-mock whose queries answer from a list of events by window.
 */
import {
  CloudWatchLogsClient,
  GetQueryResultsCommand,
  StartQueryCommand,
  StopQueryCommand,
  type ResultField,
} from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import type { RunnerClock } from '../../src/sources/cloudwatch/clock.js';

export interface FakeClock extends RunnerClock {
  sleeps: number[];
  advance(ms: number): void;
}

/** A clock whose sleeps advance time at once (yielding to the event loop) and honour abort. */
export function createFakeClock(start = Date.parse('2024-06-14T12:00:00Z')): FakeClock {
  let t = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => t,
    random: () => 0.5,
    advance(ms) {
      t += ms;
    },
    async sleep(ms, signal) {
      if (signal?.aborted === true) throw signal.reason;
      sleeps.push(ms);
      t += ms;
      await new Promise((resolve) => setImmediate(resolve));
      // Re-read after the await: the signal may have been aborted meanwhile.
      if ((signal?.aborted as boolean | undefined) === true) throw signal?.reason;
    },
  };
}

export interface FakeEvent {
  /** Epoch ms. */
  timestamp: number;
  message: string;
}

export interface QueryPlan {
  /** GetQueryResults answers Running this many times first. */
  runningPolls?: number;
  /** Stay Running forever. */
  neverEnds?: boolean;
  finalStatus?: 'Complete' | 'Failed' | 'Timeout' | 'Cancelled' | 'Unknown';
  /** Rows for the window (seconds, inclusive); default: the events in it, newest first. */
  rows?: (startTime: number, endTime: number, limit: number) => ResultField[][];
  /** Bytes scanned reported (default 100 per row). */
  bytes?: number;
  /** Rows per GetQueryResults page (default all). */
  pageSize?: number;
}

export interface FakeQueryRecord {
  queryId: string;
  queryString: string;
  startTime: number;
  endTime: number;
  limit: number | undefined;
  polls: number;
  status: string;
  stopped: boolean;
}

/** An in-memory Logs Insights over `events`; `plan(queryString)` shapes each query. */
export function createFakeInsights(
  events: FakeEvent[],
  plan: (queryString: string) => QueryPlan = () => ({}),
) {
  const client = new CloudWatchLogsClient({
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
  });
  const mock = mockClient(client);
  const queries: FakeQueryRecord[] = [];
  let nextId = 1;

  const rowsFor = (q: FakeQueryRecord, p: QueryPlan): ResultField[][] => {
    const limit = q.limit ?? 10_000;
    if (p.rows !== undefined) return p.rows(q.startTime, q.endTime, limit);
    return events
      .filter(
        (e) => Math.floor(e.timestamp / 1000) >= q.startTime && Math.floor(e.timestamp / 1000) <= q.endTime,
      )
      .sort((a, b) => b.timestamp - a.timestamp)
      .slice(0, limit)
      .map((e, i) => [
        {
          field: '@timestamp',
          value: new Date(e.timestamp).toISOString().replace('T', ' ').replace('Z', ''),
        },
        { field: '@message', value: e.message },
        { field: '@ptr', value: `ptr-${q.queryId}-${i}` },
      ]);
  };

  mock
    .on(StartQueryCommand)
    .callsFake((input: { queryString: string; startTime: number; endTime: number; limit?: number }) => {
      const queryId = `q-${nextId++}`;
      queries.push({
        queryId,
        queryString: input.queryString,
        startTime: input.startTime,
        endTime: input.endTime,
        limit: input.limit,
        polls: 0,
        status: 'Running',
        stopped: false,
      });
      return { queryId };
    });

  mock.on(GetQueryResultsCommand).callsFake((input: { queryId: string; nextToken?: string }) => {
    const q = queries.find((x) => x.queryId === input.queryId);
    if (q === undefined)
      throw Object.assign(new Error('no such query'), { name: 'ResourceNotFoundException' });
    const p = plan(q.queryString);
    const all = rowsFor(q, p);
    const bytes = p.bytes ?? all.length * 100;
    if (q.status === 'Running') {
      q.polls += 1;
      if (p.neverEnds !== true && q.polls > (p.runningPolls ?? 0)) q.status = p.finalStatus ?? 'Complete';
    }
    if (q.status !== 'Complete') {
      return {
        status: q.status,
        results: q.status === 'Running' ? all.slice(0, 1) : [],
        statistics: {
          recordsScanned: q.polls,
          recordsMatched: 0,
          bytesScanned: Math.min(bytes, q.polls * 1000),
        },
      };
    }
    const size = p.pageSize ?? Math.max(1, all.length);
    const offset = input.nextToken === undefined ? 0 : Number(input.nextToken.replace('tok-', ''));
    const page = all.slice(offset, offset + size);
    const next = offset + size < all.length ? `tok-${offset + size}` : undefined;
    return {
      status: 'Complete',
      results: page,
      statistics: { recordsScanned: all.length * 2, recordsMatched: all.length, bytesScanned: bytes },
      ...(next === undefined ? {} : { nextToken: next }),
    };
  });

  mock.on(StopQueryCommand).callsFake((input: { queryId: string }) => {
    const q = queries.find((x) => x.queryId === input.queryId);
    if (q === undefined || q.status !== 'Running') {
      throw Object.assign(new Error('Query is not running'), { name: 'InvalidParameterException' });
    }
    q.status = 'Cancelled';
    q.stopped = true;
    return { success: true };
  });

  return { client, mock, queries };
}

/** `n` events one per second from `startMs`, message `event-<i>`. */
export function eventsEverySecond(startMs: number, n: number): FakeEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: startMs + i * 1000 + 250,
    message: `event-${i}`,
  }));
}

/** An SDK-shaped error. */
export function awsError(name: string, message: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(message), { name, $metadata: {}, ...extra });
}
