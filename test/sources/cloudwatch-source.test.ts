import { GetQueryResultsCommand, StartQueryCommand, StopQueryCommand } from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import { toQuerySeconds } from '../../src/aws/insights-queries.js';
import { createCloudWatchSource, type CloudWatchSourceOptions } from '../../src/sources/cloudwatch-source.js';
import {
  CloudWatchQueryError,
  QueryRunFailedError,
  QueryRunInterruptedError,
  ScanBudgetExceededError,
} from '../../src/sources/cloudwatch/run-errors.js';
import { UsageError } from '../../src/errors.js';
import {
  awsError,
  createFakeClock,
  createFakeInsights,
  eventsEverySecond,
  type QueryPlan,
} from './cloudwatch-test-kit.js';

const T0 = Date.parse('2024-06-14T10:00:00Z');
const RANGE = { startMs: T0, endMs: T0 + 3_600_000 };

function setup(
  plan: (q: string) => QueryPlan = () => ({}),
  extra: Partial<CloudWatchSourceOptions> = {},
  events = eventsEverySecond(T0, 5),
) {
  const fake = createFakeInsights(events, plan);
  const clock = createFakeClock();
  const source = createCloudWatchSource({
    client: fake.client,
    region: 'us-east-1',
    logGroupName: '/aws/eks/prod/cluster',
    logGroupClass: 'STANDARD',
    auditStreams: [{ name: 'kube-apiserver-audit-0123456789abcdef0123456789abcdef' }],
    clock,
    ...extra,
  });
  return { fake, clock, source };
}

describe('StartQuery window', () => {
  it('sends epoch seconds, flooring both ends (the end second is inclusive, so the last ms is kept)', async () => {
    const { fake, source } = setup();
    await source.runAll([
      { name: 'q', queryString: 'fields @message', range: { startMs: 1_000_999, endMs: 2_000_001 } },
    ]);
    const input = fake.mock.commandCalls(StartQueryCommand)[0]?.args[0].input;
    expect(input?.startTime).toBe(1000);
    expect(input?.endTime).toBe(2000);
    expect(toQuerySeconds({ startMs: 5000, endMs: 6999 })).toEqual({ startTime: 5, endTime: 6 });
  });
});

describe('polling and pages', () => {
  it('polls until Complete, ignores partial rows while Running, and returns rows in field order', async () => {
    const progress: string[] = [];
    const { fake, source, clock } = setup(() => ({ runningPolls: 3 }));
    const [outcome] = await source.runAll(
      [{ name: 'recent', queryString: 'fields @timestamp, @message', range: RANGE }],
      {
        onProgress: (p) => progress.push(p.status),
      },
    );
    expect(fake.mock.commandCalls(GetQueryResultsCommand)).toHaveLength(4);
    expect(progress).toEqual(['Running', 'Running', 'Running', 'Complete']);
    expect(outcome?.fields).toEqual(['@timestamp', '@message']);
    expect(outcome?.rows).toHaveLength(5);
    expect(outcome?.rows[0]).toEqual({ '@timestamp': '2024-06-14 10:00:04.250', '@message': 'event-4' });
    expect(outcome?.statistics).toEqual({ recordsScanned: 10, recordsMatched: 5, bytesScanned: 500 });
    // Backoff grows from 250 ms and jitter keeps it between half and the full step.
    expect(clock.sleeps[0]).toBeGreaterThanOrEqual(125);
    expect(clock.sleeps[0]).toBeLessThanOrEqual(250);
    expect(clock.sleeps[3]).toBeGreaterThan(clock.sleeps[0] ?? 0);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(2000);
  });

  it('follows nextToken across pages', async () => {
    const { fake, source } = setup(() => ({ pageSize: 2 }), {}, eventsEverySecond(T0, 7));
    const [outcome] = await source.runAll([{ name: 'paged', queryString: 'fields @message', range: RANGE }]);
    expect(outcome?.rows.map((r) => r['@message'])).toEqual([
      'event-6',
      'event-5',
      'event-4',
      'event-3',
      'event-2',
      'event-1',
      'event-0',
    ]);
    const tokens = fake.mock.commandCalls(GetQueryResultsCommand).map((c) => c.args[0].input.nextToken);
    expect(tokens).toEqual([undefined, 'tok-2', 'tok-4', 'tok-6']);
  });

  it('keeps @ptr only when the query asks for it, and sets a console link', async () => {
    const { source } = setup();
    const [plain, withPtr] = await source.runAll([
      { name: 'a', queryString: 'fields @message', range: RANGE },
      { name: 'b', queryString: 'fields @message, @ptr', range: RANGE },
    ]);
    expect(plain?.fields).not.toContain('@ptr');
    expect(plain?.rows[0]).not.toHaveProperty('@ptr');
    expect(withPtr?.fields).toContain('@ptr');
    expect(plain?.consoleUrl).toMatch(
      /^https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(/,
    );
    expect(plain?.consoleUrl).toContain("queryId~'q-1");
    expect(plain?.consoleUrl).toContain("source~(~'*2faws*2feks*2fprod*2fcluster)");
  });

  it('retries 5xx and connection resets on GetQueryResults', async () => {
    const verbose: string[] = [];
    const { fake, source } = setup();
    let calls = 0;
    fake.mock.on(GetQueryResultsCommand).callsFake(() => {
      calls += 1;
      if (calls === 1)
        throw Object.assign(awsError('ServiceUnavailableException', 'try later'), {
          $metadata: { httpStatusCode: 503 },
        });
      if (calls === 2) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
      if (calls === 3)
        throw Object.assign(awsError('InternalFailure', 'oops'), {
          $fault: 'server',
          $metadata: { httpStatusCode: 500 },
        });
      return {
        status: 'Complete',
        results: [[{ field: 'n', value: '1' }]],
        statistics: { bytesScanned: 10 },
      };
    });
    const [outcome] = await source.runAll([{ name: 'flaky', queryString: 'fields n', range: RANGE }], {
      onVerbose: (m) => verbose.push(m),
    });
    expect(outcome?.rows).toEqual([{ n: '1' }]);
    expect(verbose.filter((m) => m.includes('GetQueryResults failed'))).toHaveLength(3);
  });

  it('gives up on GetQueryResults after too many errors in a row and stops the query', async () => {
    const { fake, source } = setup(() => ({}), { maxPollErrors: 3 });
    fake.mock.on(GetQueryResultsCommand).rejects(
      Object.assign(awsError('ServiceUnavailableException', 'down'), {
        $metadata: { httpStatusCode: 503 },
      }),
    );
    await expect(
      source.runAll([{ name: 'down', queryString: 'fields a', range: RANGE }]),
    ).rejects.toMatchObject({
      exitCode: 4,
      queryName: 'down',
    });
    expect(fake.mock.commandCalls(StopQueryCommand)).toHaveLength(1);
  });
});

describe('the pool', () => {
  it('never runs more than --max-concurrent queries at once and runs them all', async () => {
    const { fake, source } = setup(() => ({ runningPolls: 2 }), { maxConcurrent: 2 });
    let maxRunning = 0;
    fake.mock
      .on(StartQueryCommand)
      .callsFake((input: { queryString: string; startTime: number; endTime: number }) => {
        const running = fake.queries.filter((q) => q.status === 'Running').length + 1;
        maxRunning = Math.max(maxRunning, running);
        const queryId = `q-${fake.queries.length + 1}`;
        fake.queries.push({
          queryId,
          queryString: input.queryString,
          startTime: input.startTime,
          endTime: input.endTime,
          limit: undefined,
          polls: 0,
          status: 'Running',
          stopped: false,
        });
        return { queryId };
      });
    const requests = Array.from({ length: 5 }, (_, i) => ({
      name: `q${i}`,
      queryString: `fields @message # ${i}`,
      range: RANGE,
    }));
    const outcomes = await source.runAll(requests);
    expect(outcomes).toHaveLength(5);
    expect(outcomes.map((o) => o.request.name)).toEqual(['q0', 'q1', 'q2', 'q3', 'q4']);
    expect(maxRunning).toBe(2);
    expect(fake.queries).toHaveLength(5);
  });

  it('backs off and retries LimitExceededException and throttling, narrating the retries', async () => {
    const verbose: string[] = [];
    const { fake, source, clock } = setup();
    fake.mock
      .on(StartQueryCommand)
      .rejectsOnce(
        awsError('LimitExceededException', 'Account maximum query concurrency limit of [30] reached.'),
      )
      .rejectsOnce(awsError('ThrottlingException', 'Rate exceeded'))
      .rejectsOnce(
        awsError('LimitExceededException', 'Account maximum query concurrency limit of [30] reached.'),
      )
      .resolves({ queryId: 'q-1' });
    fake.queries.push({
      queryId: 'q-1',
      queryString: 'fields @message',
      startTime: 0,
      endTime: 2e9,
      limit: undefined,
      polls: 0,
      status: 'Running',
      stopped: false,
    });
    const [outcome] = await source.runAll([{ name: 'busy', queryString: 'fields @message', range: RANGE }], {
      onVerbose: (m) => verbose.push(m),
    });
    expect(outcome?.rows).toHaveLength(5);
    expect(fake.mock.commandCalls(StartQueryCommand)).toHaveLength(4);
    const retries = verbose.filter((m) => m.startsWith('busy: StartQuery refused'));
    expect(retries).toHaveLength(3);
    expect(retries[0]).toContain('concurrency limit of [30]');
    // Exponential: 500, 1000, 2000 ms ceilings with equal jitter (random 0.5 -> 3/4 of the ceiling).
    expect(clock.sleeps.slice(0, 3)).toEqual([375, 750, 1500]);
  });

  it('fails with exit 4 and a hint when refusals never stop', async () => {
    const { fake, source } = setup(() => ({}), { maxStartAttempts: 4 });
    fake.mock
      .on(StartQueryCommand)
      .rejects(
        awsError('LimitExceededException', 'Account maximum query concurrency limit of [30] reached.'),
      );
    const error = await source
      .runAll([{ name: 'busy', queryString: 'fields a', range: RANGE }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRunFailedError);
    expect((error as QueryRunFailedError).exitCode).toBe(4);
    expect((error as Error).message).toContain('"busy"');
    expect((error as QueryRunFailedError).hint).toContain('--max-concurrent');
    expect(fake.mock.commandCalls(StartQueryCommand)).toHaveLength(4);
  });
});

describe('ending badly', () => {
  it.each(['Failed', 'Timeout', 'Cancelled', 'Unknown'] as const)(
    'a query that ends %s is exit 4 naming it; other outcomes are kept',
    async (status) => {
      const { source } = setup((q) => (q.includes('bad') ? { finalStatus: status, runningPolls: 1 } : {}));
      const error = await source
        .runAll([
          { name: 'good', queryString: 'fields @message', range: RANGE },
          { name: 'broken-one', queryString: 'fields bad', range: RANGE },
        ])
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(QueryRunFailedError);
      const failed = error as QueryRunFailedError;
      expect(failed.exitCode).toBe(4);
      expect(failed.message).toBe(
        `Query "broken-one" ended with status ${status} on CloudWatch (query id q-2).`,
      );
      expect(failed.message).not.toContain('\n');
      expect(failed.partial[0]?.rows).toHaveLength(5);
      expect(failed.partial[1]).toBeUndefined();
    },
  );

  it('MalformedQueryException is exit 3 with CloudWatch message and a caret at its position', async () => {
    const { fake, source } = setup(() => ({}), { logGroupClass: 'INFREQUENT_ACCESS' });
    fake.mock.on(StartQueryCommand).callsFake((input: { queryString: string }) => {
      const at = input.queryString.lastIndexOf(')');
      throw awsError('MalformedQueryException', 'Query is malformed', {
        queryCompileError: {
          message: 'unexpected symbol: ")"',
          location: { startCharOffset: at, endCharOffset: at + 1 },
        },
      });
    });
    const error = await source
      .runAll([{ name: 'typo', queryString: 'stats count(*) by )', range: RANGE }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CloudWatchQueryError);
    const malformed = error as CloudWatchQueryError;
    expect(malformed.exitCode).toBe(3);
    expect(malformed.format()).toBe(
      'error: CloudWatch rejected query "typo": unexpected symbol: ")"\n  --> query:2:21\n   | | stats count(*) by )\n   |                     ^',
    );
    expect(fake.mock.commandCalls(StartQueryCommand)).toHaveLength(1);
  });

  it('--query-timeout stops a query still running, names it, and keeps the others', async () => {
    const { fake, source } = setup((q) => (q.includes('slow') ? { neverEnds: true } : {}), {
      queryTimeoutMs: 30_000,
    });
    const error = await source
      .runAll([
        { name: 'slow-query', queryString: 'fields slow', range: RANGE },
        { name: 'fast', queryString: 'fields @message', range: RANGE },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRunFailedError);
    expect((error as Error).message).toMatch(
      /^Query "slow-query" was still Running after \d+ s \(--query-timeout 30 s\); it was stopped\.$/,
    );
    expect((error as QueryRunFailedError).partial[1]?.rows).toHaveLength(5);
    const slow = fake.queries.find((q) => q.queryString.includes('slow'));
    expect(slow?.stopped).toBe(true);
    expect(fake.mock.commandCalls(StopQueryCommand).map((c) => c.args[0].input.queryId)).toEqual([
      slow?.queryId,
    ]);
  });

  it('expired credentials mid-run: stops every started query and explains', async () => {
    const { fake, source } = setup(() => ({ neverEnds: true }));
    let polls = 0;
    fake.mock.on(GetQueryResultsCommand).callsFake(() => {
      polls += 1;
      if (polls >= 3)
        throw awsError('ExpiredTokenException', 'The security token included in the request is expired');
      return { status: 'Running', statistics: { bytesScanned: 1 } };
    });
    const error = await source
      .runAll([
        { name: 'a', queryString: 'fields a', range: RANGE },
        { name: 'b', queryString: 'fields b', range: RANGE },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRunFailedError);
    expect((error as Error).message).toMatch(
      /^Query "(a|b)" \(GetQueryResults\): AWS rejected the credentials \(ExpiredTokenException\): they are expired or invalid\.$/,
    );
    expect((error as QueryRunFailedError).hint).toContain('aws sso login');
    expect(fake.queries.every((q) => q.stopped)).toBe(true);
  });
});

describe('interrupt', () => {
  it('abort stops every running query, keeps completed outcomes, rejects with exit 130', async () => {
    const controller = new AbortController();
    const { fake, source } = setup((q) => (q.includes('long') ? { neverEnds: true } : {}));
    let started = 0;
    const run = source.runAll(
      [
        { name: 'done', queryString: 'fields @message', range: RANGE },
        { name: 'long-1', queryString: 'fields long1', range: RANGE },
        { name: 'long-2', queryString: 'fields long2', range: RANGE },
      ],
      {
        signal: controller.signal,
        onProgress: (p) => {
          if (p.name.startsWith('long')) started += 1;
          if (started >= 6) controller.abort(new Error('SIGINT'));
        },
      },
    );
    const error = await run.catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRunInterruptedError);
    const interrupted = error as QueryRunInterruptedError;
    expect(interrupted.exitCode).toBe(130);
    expect(interrupted.partial[0]?.rows).toHaveLength(5);
    expect(interrupted.partial[1]).toBeUndefined();
    const longOnes = fake.queries.filter((q) => q.queryString.includes('long'));
    expect(longOnes.every((q) => q.stopped)).toBe(true);
    expect(interrupted.stoppedQueryIds.sort()).toEqual(longOnes.map((q) => q.queryId).sort());
  });

  it('a StopQuery error (query already ended) is ignored', async () => {
    const controller = new AbortController();
    const { fake, source } = setup(() => ({ neverEnds: true }));
    fake.mock.on(StopQueryCommand).rejects(awsError('InvalidParameterException', 'Query is not running'));
    const run = source.runAll([{ name: 'x', queryString: 'fields x', range: RANGE }], {
      signal: controller.signal,
      onProgress: () => controller.abort(new Error('SIGINT')),
    });
    await expect(run).rejects.toBeInstanceOf(QueryRunInterruptedError);
    expect(fake.mock.commandCalls(StopQueryCommand)).toHaveLength(1);
  });

  it('an already aborted signal starts nothing', async () => {
    const controller = new AbortController();
    controller.abort(new Error('SIGINT'));
    const { fake, source } = setup();
    await expect(
      source.runAll([{ name: 'x', queryString: 'fields x', range: RANGE }], { signal: controller.signal }),
    ).rejects.toBeInstanceOf(QueryRunInterruptedError);
    expect(fake.mock.commandCalls(StartQueryCommand)).toHaveLength(0);
  });
});

describe('scan budget and cost', () => {
  const DAY = 86_400_000;
  const sized = { storedBytes: 30e9, creationTime: Date.parse('2024-06-14T12:00:00Z') - 30 * DAY };

  it('estimates from stored bytes, age and window', () => {
    const { source } = setup(() => ({}), sized);
    const now = Date.parse('2024-06-14T12:00:00Z');
    expect(source.estimateScanBytes({ startMs: now - DAY, endMs: now })).toBe(1e9);
    expect(source.estimateScanBytes({ startMs: now - 60 * DAY, endMs: now })).toBe(30e9);
    expect(source.estimateScanBytes({ startMs: now - 60 * DAY, endMs: now - 40 * DAY })).toBe(0);
  });

  it('uses retention when the group is older than it', () => {
    const { source } = setup(() => ({}), { storedBytes: 7e9, creationTime: 0, retentionInDays: 7 });
    const now = Date.parse('2024-06-14T12:00:00Z');
    expect(source.estimateScanBytes({ startMs: now - 2 * DAY, endMs: now })).toBe(2e9);
  });

  it('refuses a run whose estimate is over --max-scan-gb, before starting anything', async () => {
    const { fake, source } = setup(() => ({}), { ...sized, maxScanGb: 1.5 });
    const now = Date.parse('2024-06-14T12:00:00Z');
    const error = await source
      .runAll([
        { name: 'a', queryString: 'fields a', range: { startMs: now - DAY, endMs: now } },
        { name: 'b', queryString: 'fields b', range: { startMs: now - DAY, endMs: now } },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as Error).message).toContain('2.00 GB');
    expect((error as Error).message).toContain('1.50 GB');
    expect((error as UsageError).hint).toContain('--since');
    expect(fake.mock.commandCalls(StartQueryCommand)).toHaveLength(0);
  });

  it('stops running queries once their bytes pass the budget', async () => {
    const { fake, source } = setup(() => ({ neverEnds: true, bytes: 1e6 }), { maxScanGb: 0.000002 });
    const error = await source
      .runAll([{ name: 'big', queryString: 'fields x', range: RANGE }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ScanBudgetExceededError);
    expect((error as ScanBudgetExceededError).exitCode).toBe(2);
    expect(fake.queries[0]?.stopped).toBe(true);
  });

  it('totals bytes and the estimated price', async () => {
    const { source } = setup(() => ({ bytes: 2e9 }), { pricePerGb: 0.01 });
    await source.runAll([
      { name: 'a', queryString: 'fields a', range: RANGE },
      { name: 'b', queryString: 'fields b', range: RANGE },
    ]);
    const totals = source.totals();
    expect(totals.bytesScanned).toBe(4e9);
    expect(totals.estimatedUsd).toBeCloseTo(0.04, 10);
    expect(totals.queries.map((q) => [q.name, q.bytesScanned, q.queryIds.length])).toEqual([
      ['a', 2e9, 1],
      ['b', 2e9, 1],
    ]);
    expect(totals.queries[0]?.consoleUrl).toContain("queryId~'q-1");
  });
});
