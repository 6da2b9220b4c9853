import { StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { createCloudWatchSource } from '../../src/sources/cloudwatch-source.js';
import { hitResultCap, mergeWindowRows, splitWindow } from '../../src/sources/cloudwatch/window-splitter.js';
import { queryShape } from '../../src/sources/cloudwatch/query-shape.js';
import { createFakeClock, createFakeInsights, eventsEverySecond } from './cloudwatch-test-kit.js';

const T0 = Date.parse('2024-06-14T10:00:00Z');

function setup(events = eventsEverySecond(T0, 37), rows?: Parameters<typeof createFakeInsights>[1]) {
  const fake = createFakeInsights(events, rows);
  const source = createCloudWatchSource({
    client: fake.client,
    region: 'us-east-1',
    logGroupName: '/aws/eks/prod/cluster',
    logGroupClass: 'STANDARD',
    auditStreams: [{ name: 'kube-apiserver-audit-1' }],
    clock: createFakeClock(),
  });
  return { fake, source };
}

describe('splitWindow', () => {
  it('halves a window at a second boundary without overlap or gap', () => {
    expect(splitWindow({ startTime: 10, endTime: 20 })).toEqual([
      { startTime: 10, endTime: 15 },
      { startTime: 16, endTime: 20 },
    ]);
    expect(splitWindow({ startTime: 10, endTime: 11 })).toEqual([
      { startTime: 10, endTime: 10 },
      { startTime: 11, endTime: 11 },
    ]);
    expect(splitWindow({ startTime: 10, endTime: 10 })).toBeUndefined();
  });
});

describe('hitResultCap', () => {
  it('a query that asked for N rows and got N did not hit the cap', () => {
    expect(hitResultCap(10, 10, queryShape('fields a | limit 10'))).toBe(false);
    expect(hitResultCap(10, 10, queryShape('fields a'))).toBe(true);
    expect(hitResultCap(9, 10, queryShape('fields a'))).toBe(false);
    expect(hitResultCap(10_000, 10_000, queryShape('fields a | limit 50000'))).toBe(true);
  });
});

describe('mergeWindowRows', () => {
  const early = { fields: ['@timestamp', 'n'], rows: [{ '@timestamp': '1', n: '5' }] };
  const late = { fields: ['@timestamp', 'n', 'x'], rows: [{ '@timestamp': '2', n: '3' }] };
  it('orders windows by the query sort and unions the fields', () => {
    expect(
      mergeWindowRows([early, late], queryShape('fields @timestamp, n')).rows.map((r) => r['@timestamp']),
    ).toEqual(['2', '1']);
    expect(
      mergeWindowRows([early, late], queryShape('fields @timestamp | sort @timestamp asc')).rows.map(
        (r) => r['@timestamp'],
      ),
    ).toEqual(['1', '2']);
    expect(mergeWindowRows([early, late], queryShape('fields n | sort n asc')).rows.map((r) => r.n)).toEqual([
      '3',
      '5',
    ]);
    expect(mergeWindowRows([early, late], queryShape('fields n')).fields).toEqual(['@timestamp', 'n', 'x']);
  });
  it('re-applies the query limit', () => {
    expect(
      mergeWindowRows([early, late], queryShape('fields @timestamp | sort @timestamp asc | limit 1')).rows,
    ).toEqual([{ '@timestamp': '1', n: '5' }]);
  });
});

describe('row cap splitting against the source', () => {
  it('a raw query that returns exactly its limit is split until no row is lost, merged newest first', async () => {
    const verbose: string[] = [];
    const { fake, source } = setup();
    const [outcome] = await source.runAll(
      [
        {
          name: 'raw',
          queryString: 'fields @timestamp, @message',
          limit: 8,
          range: { startMs: T0, endMs: T0 + 36_999 },
        },
      ],
      { onVerbose: (m) => verbose.push(m) },
    );
    expect(outcome?.rows.map((r) => r['@message'])).toEqual(
      Array.from({ length: 37 }, (_, i) => `event-${36 - i}`),
    );
    expect(outcome?.truncated).toBe(false);
    expect(verbose.some((m) => m.includes('hit the cap of 8; splitting'))).toBe(true);
    // The windows actually run cover the range exactly once at the leaves.
    const calls = fake.mock.commandCalls(StartQueryCommand).map((c) => c.args[0].input);
    expect(calls[0]).toMatchObject({ startTime: T0 / 1000, endTime: T0 / 1000 + 36, limit: 8 });
    // Bytes of every query count, the discarded capped ones too.
    const totalBytes = fake.queries.reduce((sum, q) => sum + Math.min(8, events(q)) * 100, 0);
    expect(outcome?.statistics.bytesScanned).toBe(totalBytes);
    expect(source.totals().queries[0]?.windowsRun).toBe(calls.length);
  });

  it('ascending queries merge oldest first', async () => {
    const { source } = setup(undefined, () => ({}));
    const [outcome] = await source.runAll([
      {
        name: 'asc',
        queryString: 'fields @message | sort @timestamp asc',
        limit: 5,
        range: { startMs: T0, endMs: T0 + 36_999 },
      },
    ]);
    // The fake returns newest first within a window; the merge orders windows oldest first.
    const messages = outcome?.rows.map((r) => r['@message']) ?? [];
    expect(new Set(messages).size).toBe(37);
    expect(messages.indexOf('event-0')).toBeLessThan(messages.indexOf('event-36'));
  });

  it('more rows in one second than the cap: truncated and said so', async () => {
    const verbose: string[] = [];
    const burst = Array.from({ length: 6 }, (_, i) => ({ timestamp: T0 + 100 + i, message: `burst-${i}` }));
    const { source } = setup(burst);
    const [outcome] = await source.runAll(
      [
        {
          name: 'burst',
          queryString: 'fields @message',
          limit: 4,
          range: { startMs: T0, endMs: T0 + 2_000 },
        },
      ],
      {
        onVerbose: (m) => verbose.push(m),
      },
    );
    expect(outcome?.truncated).toBe(true);
    expect(verbose.some((m) => m.includes('cannot be split further'))).toBe(true);
  });

  it('an aggregate that hits the cap is not split but marked truncated', async () => {
    const verbose: string[] = [];
    const { fake, source } = setup(undefined, () => ({
      rows: (_s, _e, limit) =>
        Array.from({ length: limit }, (_, i) => [
          { field: 'user', value: `u${i}` },
          { field: 'count', value: '1' },
        ]),
    }));
    const [outcome] = await source.runAll(
      [
        {
          name: 'agg',
          queryString: 'stats count(*) as count by user',
          limit: 3,
          range: { startMs: T0, endMs: T0 + 36_999 },
        },
      ],
      {
        onVerbose: (m) => verbose.push(m),
      },
    );
    expect(outcome?.truncated).toBe(true);
    expect(outcome?.rows).toHaveLength(3);
    expect(fake.queries).toHaveLength(1);
    expect(verbose.some((m) => m.startsWith('agg: the aggregate returned 3 rows, the cap'))).toBe(true);
  });
});

function events(q: { startTime: number; endTime: number }): number {
  // eventsEverySecond(T0, 37): one event in each second T0/1000 .. T0/1000 + 36.
  const first = T0 / 1000;
  const lo = Math.max(q.startTime, first);
  const hi = Math.min(q.endTime, first + 36);
  return Math.max(0, hi - lo + 1);
}

describe('a split half that fails', () => {
  it('waits for the other half (no query outlives the run) and reports the failure', async () => {
    const { fake, source } = setup();
    const { GetQueryResultsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    let failedOnce = false;
    fake.mock.on(GetQueryResultsCommand).callsFake((input: { queryId: string }) => {
      const q = fake.queries.find((x) => x.queryId === input.queryId);
      if (q === undefined) throw new Error('unknown');
      // The first half (q-2) fails at once; the second (q-3) takes a few polls.
      if (q.queryId === 'q-2' && !failedOnce) {
        failedOnce = true;
        return { status: 'Failed', results: [], statistics: {} };
      }
      q.polls += 1;
      if (q.queryId === 'q-3' && q.polls < 4) return { status: 'Running', results: [], statistics: {} };
      q.status = 'Complete';
      const n = q.queryId === 'q-1' ? 8 : 3;
      return {
        status: 'Complete',
        results: Array.from({ length: n }, (_, i) => [{ field: '@message', value: `m${i}` }]),
        statistics: {},
      };
    });
    const error = await source
      .runAll([
        {
          name: 'split-fail',
          queryString: 'fields @message',
          limit: 8,
          range: { startMs: T0, endMs: T0 + 36_999 },
        },
      ])
      .catch((e: unknown) => e);
    expect((error as Error).message).toContain('ended with status Failed');
    expect(fake.queries.find((q) => q.queryId === 'q-3')?.status).toBe('Complete');
  });
});
