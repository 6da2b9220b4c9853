import { CloudWatchLogsClient, StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { mockClient } from 'aws-sdk-client-mock';
import { describe, expect, it } from 'vitest';
import {
  classifyAwsError,
  parseStatistics,
  rowsFromResults,
  startInsightsQuery,
  stopInsightsQuery,
  toQuerySeconds,
} from '../../src/aws/insights-queries.js';

const client = new CloudWatchLogsClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
});

describe('toQuerySeconds', () => {
  it('floors both ends: an inclusive end second covers its last millisecond', () => {
    expect(toQuerySeconds({ startMs: 1_999, endMs: 5_001 })).toEqual({ startTime: 1, endTime: 5 });
    expect(toQuerySeconds({ startMs: 1_000, endMs: 5_999 })).toEqual({ startTime: 1, endTime: 5 });
    expect(toQuerySeconds({ startMs: 2_000, endMs: 5_000 })).toEqual({ startTime: 2, endTime: 5 });
    expect(toQuerySeconds({ startMs: 0, endMs: 0 })).toEqual({ startTime: 0, endTime: 0 });
  });

  it('tiles adjacent ms windows into adjacent second windows that share no second', () => {
    const first = toQuerySeconds({ startMs: 0, endMs: 299_999 });
    const second = toQuerySeconds({ startMs: 300_000, endMs: 599_999 });
    expect(second.startTime).toBe(first.endTime + 1);
  });
});

describe('startInsightsQuery / stopInsightsQuery', () => {
  it('sends the window in seconds with the log group and limit', async () => {
    const mock = mockClient(client);
    mock.on(StartQueryCommand).resolves({ queryId: 'abc' });
    await expect(
      startInsightsQuery(client, {
        logGroupName: '/aws/eks/x/cluster',
        queryString: 'fields a',
        window: { startTime: 1, endTime: 2 },
        limit: 5,
      }),
    ).resolves.toBe('abc');
    expect(mock.commandCalls(StartQueryCommand)[0]?.args[0].input).toEqual({
      logGroupName: '/aws/eks/x/cluster',
      queryString: 'fields a',
      startTime: 1,
      endTime: 2,
      limit: 5,
    });
    mock.restore();
  });

  it('treats a StopQuery error (query already ended) as done, not as a failure', async () => {
    const mock = mockClient(client);
    mock
      .on(StopQueryCommand)
      .rejects(Object.assign(new Error('Query is not running'), { name: 'InvalidParameterException' }));
    await expect(stopInsightsQuery(client, 'q')).resolves.toBe(false);
    mock.on(StopQueryCommand).resolves({ success: true });
    await expect(stopInsightsQuery(client, 'q')).resolves.toBe(true);
    mock.restore();
  });
});

describe('rowsFromResults / parseStatistics', () => {
  it('turns {field, value} rows into records with first-appearance column order', () => {
    expect(
      rowsFromResults([
        [
          { field: 'b', value: '1' },
          { field: 'a', value: 'x' },
        ],
        [
          { field: 'a', value: 'y' },
          { field: 'c', value: '' },
        ],
      ]),
    ).toEqual({
      fields: ['b', 'a', 'c'],
      rows: [
        { b: '1', a: 'x' },
        { a: 'y', c: '' },
      ],
    });
    expect(rowsFromResults(undefined)).toEqual({ fields: [], rows: [] });
  });

  it('parses statistics and keeps estimatedBytesSkipped absent unless given', () => {
    expect(parseStatistics({ recordsMatched: 3, recordsScanned: 3, bytesScanned: 141 })).toEqual({
      recordsMatched: 3,
      recordsScanned: 3,
      bytesScanned: 141,
    });
    expect(parseStatistics({ bytesScanned: 1, estimatedBytesSkipped: 9 }).estimatedBytesSkipped).toBe(9);
    expect(parseStatistics(undefined)).toEqual({ recordsMatched: 0, recordsScanned: 0, bytesScanned: 0 });
  });
});

describe('classifyAwsError', () => {
  const e = (name: string, extra: Record<string, unknown> = {}): Error =>
    Object.assign(new Error('m'), { name, ...extra });
  it.each([
    [e('LimitExceededException'), 'throttled'],
    [e('ThrottlingException'), 'throttled'],
    [e('Whatever', { $metadata: { httpStatusCode: 429 } }), 'throttled'],
    [e('ServiceUnavailableException'), 'transient'],
    [e('InternalFailure', { $metadata: { httpStatusCode: 500 } }), 'transient'],
    [e('Error', { code: 'ECONNRESET' }), 'transient'],
    [e('TimeoutError'), 'transient'],
    [e('MalformedQueryException'), 'malformed'],
    [e('ExpiredTokenException'), 'credentials'],
    [e('UnrecognizedClientException'), 'credentials'],
    [e('AccessDeniedException', { $metadata: { httpStatusCode: 400 } }), 'fatal'],
    [e('ResourceNotFoundException'), 'fatal'],
    ['not an error', 'fatal'],
  ] as const)('%s -> %s', (error, kind) => {
    expect(classifyAwsError(error)).toBe(kind);
  });
});

describe('stopInsightsQuery retries', () => {
  it('retries throttling and 5xx on StopQuery, since an unstopped query keeps billing', async () => {
    const mock = mockClient(client);
    mock
      .on(StopQueryCommand)
      .rejectsOnce(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' }))
      .rejectsOnce(Object.assign(new Error('down'), { name: 'ServiceUnavailableException' }))
      .resolves({ success: true });
    await expect(stopInsightsQuery(client, 'q')).resolves.toBe(true);
    expect(mock.commandCalls(StopQueryCommand)).toHaveLength(3);
    mock.restore();
  });
});
