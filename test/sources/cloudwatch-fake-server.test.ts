/**
 * The CloudWatch source with the real SDK against the project's fake AWS server (in process): scope,
 * statistics, refusals and faults, timeouts, interrupts, and the dead ends with their fixes.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../src/insights/record.js';
import { openCloudWatchSource } from '../../src/cli/open-cloudwatch-source.js';
import type { CommandIo } from '../../src/cli/io.js';
import { QueryRunFailedError, QueryRunInterruptedError } from '../../src/sources/cloudwatch/run-errors.js';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';

const GROUP = '/aws/eks/prod/cluster';
const AUDIT = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';
const API = 'kube-apiserver-0123456789abcdef0123456789abcdef';
const NOW = Date.now();
const START = NOW - 3_600_000;
const ALL_ON = [{ types: ['api', 'audit'], enabled: true }];

function audit(i: number, verb: string, user: string): LogRecord {
  const timestamp = START + i * 1000;
  const message = JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    stage: 'ResponseComplete',
    verb,
    user: { username: user },
    objectRef: { resource: 'configmaps', namespace: 'default' },
    responseStatus: { code: 200 },
    stageTimestamp: new Date(timestamp).toISOString(),
  });
  return { timestamp, message, logStream: AUDIT, log: '' };
}

function apiLine(i: number): LogRecord {
  return {
    timestamp: START + i * 1000 + 500,
    message: `I0614 apiserver line ${i} ${'x'.repeat(200)}`,
    logStream: API,
    log: '',
  };
}

const RECORDS: LogRecord[] = [
  ...Array.from({ length: 60 }, (_, i) =>
    audit(i, i % 3 === 0 ? 'create' : 'get', i % 2 === 0 ? 'alice' : 'bob'),
  ),
  ...Array.from({ length: 60 }, (_, i) => apiLine(i)),
];
const RANGE = { startMs: START, endMs: START + 59_999 };
const BY_USER = 'filter verb = "create" | stats count(*) as writes by user.username | sort writes desc';

function captureIo(): CommandIo & { out: string[]; err: string[]; logs: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  const logs: string[] = [];
  return {
    out,
    err,
    logs,
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    stdoutIsTTY: false,
    stderrIsTTY: false,
    color: false,
    verbose: true,
    debug: false,
    env: process.env,
    signal: new AbortController().signal,
    confirm: async () => false,
    log: (m) => void logs.push(m),
  };
}

let server: FakeAwsServer | undefined;
const savedEnv = { ...process.env };

async function start(options: FakeAwsServerOptions = {}): Promise<FakeAwsServer> {
  server = await createFakeAwsServer({
    clusters: [{ name: 'prod', logging: ALL_ON }],
    logGroups: [{ name: GROUP, records: RECORDS }],
    ...options,
  });
  Object.assign(process.env, dummyAwsEnv(server.url));
  return server;
}

beforeAll(() => {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';
});
afterEach(async () => {
  await server?.close();
  server = undefined;
});
afterAll(() => {
  process.env = savedEnv;
});

describe('CloudWatch source against the fake server', () => {
  it('runs a query restricted to the audit streams with filterIndex and reports the skipped bytes', async () => {
    const s = await start();
    const io = captureIo();
    const source = await openCloudWatchSource({ cluster: 'prod' }, io);
    expect(source.logGroupName).toBe(GROUP);
    expect(source.auditStreams).toEqual([AUDIT]);
    expect(source.logGroupClass).toBe('STANDARD');
    const [outcome] = await source.runAll([{ name: 'writes-by-user', queryString: BY_USER, range: RANGE }]);
    expect(outcome?.rows).toEqual([
      { 'user.username': 'alice', writes: '10' },
      { 'user.username': 'bob', writes: '10' },
    ]);
    const sent = [...s.state.queries.values()][0];
    expect(sent?.indexedStreams).toEqual([AUDIT]);
    expect(outcome?.statistics.estimatedBytesSkipped).toBeGreaterThan(0);
    expect(outcome?.statistics.bytesScanned).toBeGreaterThan(0);
    expect(outcome?.consoleUrl).toContain(`queryId~'${sent?.queryId}`);
    expect(source.totals().bytesScanned).toBe(outcome?.statistics.bytesScanned);
    expect(io.logs.some((l) => l.includes('scanned'))).toBe(true);
  });

  it('INFREQUENT_ACCESS groups are filtered by stream pattern instead', async () => {
    const s = await start({
      logGroups: [{ name: GROUP, records: RECORDS, logGroupClass: 'INFREQUENT_ACCESS' }],
    });
    const source = await openCloudWatchSource({ cluster: 'prod' }, captureIo());
    const [outcome] = await source.runAll([
      { name: 'count', queryString: 'stats count(*) as n', range: RANGE },
    ]);
    expect(outcome?.rows).toEqual([{ n: '60' }]);
    expect(
      [...s.state.queries.values()][0]?.queryString.startsWith(
        'filter @logStream like /kube-apiserver-audit/\n| ',
      ),
    ).toBe(true);
  });

  it('completes with the right result through 50% throttling and concurrency refusals, retries narrated', async () => {
    await start({
      seed: 7,
      faults: {
        rules: [
          { operation: 'StartQuery', kind: 'limit-exceeded', probability: 0.5 },
          { operation: 'GetQueryResults', kind: 'throttle', probability: 0.5 },
        ],
      },
    });
    const io = captureIo();
    const source = await openCloudWatchSource({ cluster: 'prod', maxConcurrent: 3 }, io);
    const requests = Array.from({ length: 4 }, (_, i) => ({
      name: `q${i}`,
      queryString: `${BY_USER} # ${i}`,
      range: RANGE,
    }));
    const outcomes = await source.runAll(requests);
    for (const outcome of outcomes)
      expect(outcome.rows).toEqual([
        { 'user.username': 'alice', writes: '10' },
        { 'user.username': 'bob', writes: '10' },
      ]);
    expect(io.logs.some((l) => /StartQuery refused \(LimitExceededException/.test(l))).toBe(true);
    expect(io.logs.some((l) => /GetQueryResults failed \(ThrottlingException/.test(l))).toBe(true);
    expect(server?.state.runningQueries()).toEqual([]);
  });

  it('retries 5xx and connection resets on GetQueryResults', async () => {
    await start({
      faults: {
        rules: [
          { operation: 'GetQueryResults', kind: 'reset', times: 1 },
          { operation: 'GetQueryResults', kind: 'unavailable', times: 2 },
          { operation: 'GetQueryResults', kind: 'internal', times: 3 },
        ],
      },
    });
    const io = captureIo();
    const source = await openCloudWatchSource({ cluster: 'prod' }, io);
    const [outcome] = await source.runAll([{ name: 'flaky', queryString: BY_USER, range: RANGE }]);
    expect(outcome?.rows).toHaveLength(2);
    expect(
      io.logs.filter((l) => l.startsWith('flaky: GetQueryResults failed')).length,
    ).toBeGreaterThanOrEqual(3);
  });

  it('a query Running past --query-timeout is stopped on the server and named; the other result is kept', async () => {
    const s = await start({
      faults: { queryOverrides: [{ match: 'slow-marker', runningPolls: 1_000_000 }] },
    });
    const source = await openCloudWatchSource({ cluster: 'prod', queryTimeout: 1500 }, captureIo());
    const error = await source
      .runAll([
        { name: 'slow', queryString: `${BY_USER} # slow-marker`, range: RANGE },
        { name: 'fast', queryString: BY_USER, range: RANGE },
      ])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRunFailedError);
    expect((error as Error).message).toMatch(
      /^Query "slow" was still Running after \d+ s \(--query-timeout 2 s\); it was stopped\.$/,
    );
    expect((error as QueryRunFailedError).partial[1]?.rows).toHaveLength(2);
    expect(s.state.stoppedQueries).toHaveLength(1);
    expect(s.state.runningQueries()).toEqual([]);
  });

  it.each(['Failed', 'Timeout', 'Cancelled', 'Unknown'] as const)(
    'a query that ends %s is exit 4 naming it',
    async (finalStatus) => {
      await start({ faults: { query: { finalStatus, runningPolls: 1 } } });
      const error = await (
        await openCloudWatchSource({ cluster: 'prod' }, captureIo())
      )
        .runAll([{ name: 'doomed', queryString: BY_USER, range: RANGE }])
        .catch((e: unknown) => e);
      expect((error as QueryRunFailedError).exitCode).toBe(4);
      expect((error as Error).message).toMatch(
        new RegExp(`^Query "doomed" ended with status ${finalStatus} on CloudWatch`),
      );
    },
  );

  it('abort stops every started query on the server and rejects with exit 130', async () => {
    const s = await start({ faults: { query: { runningPolls: 1_000_000 } } });
    const controller = new AbortController();
    const source = await openCloudWatchSource({ cluster: 'prod', maxConcurrent: 2 }, captureIo());
    const seen = new Set<string>();
    const error = await source
      .runAll(
        Array.from({ length: 3 }, (_, i) => ({
          name: `q${i}`,
          queryString: `${BY_USER} # ${i}`,
          range: RANGE,
        })),
        {
          signal: controller.signal,
          onProgress: (p) => {
            seen.add(p.name);
            if (seen.size === 2) controller.abort(new Error('SIGINT'));
          },
        },
      )
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryRunInterruptedError);
    expect((error as QueryRunInterruptedError).exitCode).toBe(130);
    expect(s.state.queries.size).toBe(2);
    expect(s.state.stoppedQueries.sort()).toEqual([...s.state.queries.keys()].sort());
    expect(s.state.runningQueries()).toEqual([]);
  });

  it('expired credentials mid-run: a clear message and hint, started queries stopped (best effort)', async () => {
    const s = await start({
      faults: {
        query: { runningPolls: 3 },
        rules: [{ operation: 'GetQueryResults', kind: 'expired-token', fromCall: 2 }],
      },
    });
    const error = await (
      await openCloudWatchSource({ cluster: 'prod' }, captureIo())
    )
      .runAll([{ name: 'q', queryString: BY_USER, range: RANGE }])
      .catch((e: unknown) => e);
    expect((error as QueryRunFailedError).exitCode).toBe(4);
    expect((error as Error).message).toContain('expired or invalid');
    expect((error as QueryRunFailedError).hint).toMatch(
      /aws sso login.*queries already started were stopped/,
    );
    expect(s.state.requestsFor('StopQuery')).toHaveLength(1);
  });
});

describe('dead ends, each with its fix', () => {
  it('missing log group on a known cluster: exit 1, run logging enable', async () => {
    await start({ clusters: [{ name: 'prod', logging: [] }], logGroups: [] });
    const error = await openCloudWatchSource({ cluster: 'prod' }, captureIo()).catch((e: unknown) => e);
    expect((error as { exitCode: number }).exitCode).toBe(1);
    expect((error as Error).message).toContain('/aws/eks/prod/cluster');
    expect((error as { hint: string }).hint).toContain('eks-etcd-insights logging enable --cluster prod');
  });

  it('unknown cluster: exit 4 naming it', async () => {
    await start({ clusters: [], logGroups: [] });
    const error = await openCloudWatchSource({ cluster: 'nope' }, captureIo()).catch((e: unknown) => e);
    expect((error as { exitCode: number }).exitCode).toBe(4);
    expect((error as Error).message).toContain('nope');
  });

  it('audit logging off (only api streams): exit 1 with the enable command', async () => {
    await start({
      clusters: [{ name: 'prod', logging: [{ types: ['api'], enabled: true }] }],
      logGroups: [{ name: GROUP, records: RECORDS.filter((r) => r.logStream === API) }],
    });
    const error = await openCloudWatchSource({ cluster: 'prod' }, captureIo()).catch((e: unknown) => e);
    expect((error as { exitCode: number }).exitCode).toBe(1);
    expect((error as Error).message).toMatch(/^Audit logging is off for cluster prod/);
    expect((error as { hint: string }).hint).toContain('logging enable --cluster prod');
  });
});
