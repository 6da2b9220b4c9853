import { StartQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { createCloudWatchSource } from '../../src/sources/cloudwatch-source.js';
import { queryShape, splitCommands, stripLeadingComments } from '../../src/sources/cloudwatch/query-shape.js';
import {
  quoteInsightsString,
  scopeQueryToAuditStreams,
  streamsForWindow,
} from '../../src/sources/cloudwatch/stream-scope.js';
import { createFakeClock, createFakeInsights, eventsEverySecond } from './cloudwatch-test-kit.js';

const A = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';
const B = 'kube-apiserver-audit-fedcba9876543210fedcba9876543210';

describe('query shape', () => {
  it('splits on | outside strings, regexes, backticks and comments', () => {
    expect(
      splitCommands('filter @message like /a|b/ | filter x = "c|d" | fields `e|f` # g|h\n| stats count(*)'),
    ).toEqual(['filter @message like /a|b/', 'filter x = "c|d"', 'fields `e|f`', 'stats count(*)']);
    expect(splitCommands('fields a / b | limit 3')).toEqual(['fields a / b', 'limit 3']);
  });

  it('finds stats, limit, sort and filterIndex', () => {
    const shape = queryShape(
      '# name: x\nfields a | filter b like "stats" | sort @timestamp asc, n desc | limit 20',
    );
    expect(shape).toMatchObject({ aggregate: false, limit: 20, hasFilterIndex: false });
    expect(shape.sort).toEqual([
      { field: '@timestamp', descending: false },
      { field: 'n', descending: true },
    ]);
    expect(queryShape('stats count(*) by bin(5m)').aggregate).toBe(true);
    expect(queryShape('filterIndex @logStream = "x" | fields a').hasFilterIndex).toBe(true);
    expect(stripLeadingComments('# a\n\n  # b\nfields a\n# c')).toBe('fields a\n# c');
  });
});

describe('audit stream scope', () => {
  it('STANDARD groups get filterIndex over the audit streams, sorted and quoted', () => {
    const scoped = scopeQueryToAuditStreams(
      '# header\nfields @message',
      'STANDARD',
      [{ name: B }, { name: A }],
      undefined,
    );
    expect(scoped.scope).toBe('filterIndex');
    expect(scoped.queryString).toBe(`filterIndex @logStream in ["${A}", "${B}"]\n| fields @message`);
  });

  it('other classes get a like filter (no index, whole window scanned)', () => {
    for (const cls of ['INFREQUENT_ACCESS', 'DELIVERY', undefined]) {
      const scoped = scopeQueryToAuditStreams('fields @message', cls, [{ name: A }], undefined);
      expect(scoped).toEqual({
        queryString: 'filter @logStream like /kube-apiserver-audit/\n| fields @message',
        scope: 'filter',
        streams: [],
      });
    }
  });

  it('quotes hostile stream names so they cannot change the query', () => {
    expect(quoteInsightsString('a"] | stats count(*) #\\')).toBe('"a\\"] | stats count(*) #\\\\"');
    const scoped = scopeQueryToAuditStreams(
      'fields a',
      'STANDARD',
      [{ name: 'kube-apiserver-audit-x"] | limit 1 #' }],
      undefined,
    );
    expect(splitCommands(scoped.queryString)).toHaveLength(2);
    const withNewline = scopeQueryToAuditStreams(
      'fields a',
      'STANDARD',
      [{ name: 'kube-apiserver-audit-x\n| limit 1' }],
      undefined,
    );
    expect(withNewline.scope).toBe('filter');
  });

  it('keeps only streams that can hold events in the window, allowing for lastEventTimestamp lag', () => {
    const h = 3_600_000;
    const streams = [
      { name: 'old', firstEventTimestamp: 0, lastEventTimestamp: 10 * h },
      { name: 'lagging', firstEventTimestamp: 0, lastEventTimestamp: 99 * h },
      { name: 'current', firstEventTimestamp: 90 * h, lastEventTimestamp: 120 * h },
      { name: 'future', firstEventTimestamp: 200 * h, lastEventTimestamp: 210 * h },
    ];
    expect(streamsForWindow(streams, { startMs: 100 * h, endMs: 150 * h }).map((s) => s.name)).toEqual([
      'lagging',
      'current',
    ]);
  });

  it('falls back to the like filter when the stream list would pass 10,000 characters', () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ name: `${A}-${i}` }));
    expect(scopeQueryToAuditStreams('fields a', 'STANDARD', many, undefined).scope).toBe('filter');
  });

  it('a query with its own filterIndex is sent as is', () => {
    const query = 'filterIndex @logStream = "x" | fields a';
    expect(scopeQueryToAuditStreams(query, 'STANDARD', [{ name: A }], undefined)).toEqual({
      queryString: query,
      scope: 'none',
      streams: [],
    });
  });

  it('the source sends the scoped query and reports estimatedBytesSkipped', async () => {
    const fake = createFakeInsights(eventsEverySecond(Date.parse('2024-06-14T10:00:00Z'), 3));
    fake.mock.on(StartQueryCommand).resolves({ queryId: 'q-1' });
    fake.queries.push({
      queryId: 'q-1',
      queryString: '',
      startTime: 0,
      endTime: 2e9,
      limit: undefined,
      polls: 0,
      status: 'Running',
      stopped: false,
    });
    const { GetQueryResultsCommand } = await import('@aws-sdk/client-cloudwatch-logs');
    fake.mock.on(GetQueryResultsCommand).resolves({
      status: 'Complete',
      results: [],
      statistics: { recordsScanned: 3, recordsMatched: 0, bytesScanned: 300, estimatedBytesSkipped: 9000 },
    });
    const source = createCloudWatchSource({
      client: fake.client,
      region: 'us-east-1',
      logGroupName: '/aws/eks/prod/cluster',
      logGroupClass: 'STANDARD',
      auditStreams: [{ name: A }],
      clock: createFakeClock(),
    });
    const [outcome] = await source.runAll([
      { name: 'x', queryString: 'fields @message', range: { startMs: 0, endMs: 1000 } },
    ]);
    expect(fake.mock.commandCalls(StartQueryCommand)[0]?.args[0].input.queryString).toBe(
      `filterIndex @logStream in ["${A}"]\n| fields @message`,
    );
    expect(outcome?.statistics.estimatedBytesSkipped).toBe(9000);
    expect(source.totals().queries[0]?.scope).toBe('filterIndex');
    expect(source.auditStreams).toEqual([A]);
  });
});
