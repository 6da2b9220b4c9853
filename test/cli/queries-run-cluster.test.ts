/**
 * `queries run NAME --cluster prod` end to end: the built CLI as a child process, real SDK clients,
 * the fake AWS server through AWS_ENDPOINT_URL with dummy credentials, faults injected on the server.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';
import {
  EXPECTED_TOP_WRITERS,
  fakeCluster,
  GROUP,
  RECORDS,
  WINDOW_ARGS,
} from './queries-run-cluster-fixture.js';

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function run(options: FakeAwsServerOptions, args: string[]) {
  server = await createFakeAwsServer(options);
  const result = await runCli(['queries', 'run', ...args, '--cluster', 'prod', ...WINDOW_ARGS], {
    env: dummyAwsEnv(server.url),
    timeoutMs: 120_000,
  });
  return { ...result, server };
}

function jsonRows(stdout: string): Record<string, string>[] {
  return (JSON.parse(stdout) as { rows: Record<string, string>[] }).rows;
}

describe('queries run --cluster (CLI against the fake AWS server)', () => {
  it('runs the stored query on CloudWatch, restricted to the audit streams, JSON on stdout only', async () => {
    const {
      stdout,
      stderr,
      exitCode,
      server: s,
    } = await run(fakeCluster(), ['top-writers-by-user', '--format', 'json']);
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
    expect(jsonRows(stdout)).toEqual(EXPECTED_TOP_WRITERS);
    const queries = [...s.state.queries.values()];
    expect(queries).toHaveLength(1);
    expect(queries[0]?.indexedStreams).toEqual(['kube-apiserver-audit-0123456789abcdef0123456789abcdef']);
    expect(queries[0]?.logGroupNames).toEqual([GROUP]);
    expect(s.state.runningQueries()).toEqual([]);
  });

  it('--links prints the console link on stderr, stdout stays JSON', async () => {
    const { stdout, stderr, exitCode } = await run(fakeCluster(), [
      'top-writers-by-user',
      '--format',
      'json',
      '--links',
    ]);
    expect(exitCode).toBe(0);
    expect(jsonRows(stdout)).toEqual(EXPECTED_TOP_WRITERS);
    expect(stderr).toMatch(
      /^link: top-writers-by-user: https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:logs-insights\$3FqueryDetail\$3D~\(end~'/m,
    );
  });

  it('completes through 50% throttling and concurrency refusals, with the retries visible in --verbose', async () => {
    const {
      stdout,
      stderr,
      exitCode,
      server: s,
    } = await run(
      fakeCluster({
        seed: 8,
        faults: {
          rules: [
            // Half of the calls refused for a while: concurrency refusals on StartQuery, throttling on polls.
            { operation: 'StartQuery', kind: 'limit-exceeded', probability: 0.5, durationMs: 30_000 },
            { operation: 'GetQueryResults', kind: 'throttle', probability: 0.5, durationMs: 30_000 },
          ],
        },
      }),
      ['top-writers-by-user', '--format', 'json', '--verbose'],
    );
    expect(exitCode).toBe(0);
    expect(jsonRows(stdout)).toEqual(EXPECTED_TOP_WRITERS);
    const faults = s.state.requests
      .filter((r) => r.fault !== undefined)
      .map((r) => `${r.operation}:${r.fault}`);
    expect(faults.length).toBeGreaterThan(0);
    expect(stderr).toMatch(/retry|retrying/);
    // Seeded: with seed 8 both kinds of refusal happen, and each is narrated.
    expect(faults).toContain('StartQuery:limit-exceeded');
    expect(faults).toContain('GetQueryResults:throttle');
    expect(stderr).toMatch(/StartQuery refused \(LimitExceededException/);
    expect(stderr).toMatch(/GetQueryResults failed \(ThrottlingException/);
    expect(s.state.runningQueries()).toEqual([]);
  }, 120_000);

  it('retries 5xx and connection resets on GetQueryResults', async () => {
    const { stdout, exitCode } = await run(
      fakeCluster({
        faults: {
          rules: [
            { operation: 'GetQueryResults', kind: 'reset', times: 2 },
            { operation: 'GetQueryResults', kind: 'unavailable', times: 1 },
            { operation: 'GetQueryResults', kind: 'internal', times: 1 },
          ],
        },
      }),
      ['top-writers-by-user', '--format', 'json'],
    );
    expect(exitCode).toBe(0);
    expect(jsonRows(stdout)).toEqual(EXPECTED_TOP_WRITERS);
  });

  it('a query Running past --query-timeout is stopped, named, exit 4, nothing left running', async () => {
    const {
      stdout,
      stderr,
      exitCode,
      server: s,
    } = await run(fakeCluster({ faults: { query: { runningPolls: 1_000_000 } } }), [
      'top-writers-by-user',
      '--format',
      'json',
      '--query-timeout',
      '2s',
    ]);
    expect(exitCode).toBe(4);
    expect(stdout).toBe('');
    expect(stderr).toMatch(
      /^error: Query "top-writers-by-user" was still Running after \d+ s \(--query-timeout 2 s\); it was stopped\.$/m,
    );
    expect(s.state.stoppedQueries).toHaveLength(1);
    expect(s.state.runningQueries()).toEqual([]);
  });

  it.each(['Failed', 'Timeout', 'Cancelled', 'Unknown'] as const)(
    'a query that ends %s: one error line naming it, exit 4',
    async (finalStatus) => {
      const {
        stderr,
        exitCode,
        server: s,
      } = await run(fakeCluster({ faults: { query: { finalStatus, runningPolls: 1 } } }), [
        'top-writers-by-user',
        '--format',
        'json',
      ]);
      expect(exitCode).toBe(4);
      const errorLines = stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toMatch(
        new RegExp(
          `^error: Query "top-writers-by-user" ended with status ${finalStatus} on CloudWatch \\(query id [0-9a-f-]+\\)\\.$`,
        ),
      );
      expect(stderr).toMatch(/^hint: /m);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(s.state.runningQueries()).toEqual([]);
    },
  );

  it('--max-scan-gb refuses a run whose estimate is over budget (exit 2, nothing started)', async () => {
    const {
      stderr,
      exitCode,
      server: s,
    } = await run(
      fakeCluster({
        logGroups: [
          { name: GROUP, records: RECORDS, storedBytes: 500e9, creationTime: Date.now() - 10 * 86_400_000 },
        ],
      }),
      ['top-writers-by-user', '--max-scan-gb', '0.5'],
    );
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(/^error: .*would scan about .* over the --max-scan-gb budget of 500\.0 MB\.$/m);
    expect(stderr).toMatch(/^hint: Narrow the window/m);
    expect(s.state.requestsFor('StartQuery')).toHaveLength(0);
  });

  it('expired credentials mid-run: a clear message and hint, the started query stopped', async () => {
    const {
      stderr,
      exitCode,
      server: s,
    } = await run(
      fakeCluster({
        faults: {
          query: { runningPolls: 3 },
          rules: [{ operation: 'GetQueryResults', kind: 'expired-token', fromCall: 2 }],
        },
      }),
      ['top-writers-by-user'],
    );
    expect(exitCode).toBe(4);
    expect(stderr).toMatch(
      /^error: Query "top-writers-by-user" \(GetQueryResults\): AWS rejected the credentials \(ExpiredTokenException\)/m,
    );
    expect(stderr).toMatch(/^hint: .*aws sso login/m);
    expect(s.state.requestsFor('StopQuery')).toHaveLength(1);
  });

  it("MalformedQueryException: exit 3 with CloudWatch's message and a caret at its position", async () => {
    server = await createFakeAwsServer(fakeCluster());
    const { stderr, exitCode } = await runCli(
      [
        'queries',
        'run',
        '--query-string',
        'fields @message | sort by by',
        '--cluster',
        'prod',
        ...WINDOW_ARGS,
      ],
      {
        env: dummyAwsEnv(server.url),
      },
    );
    expect(exitCode).toBe(3);
    expect(stderr).toMatch(/^error: CloudWatch rejected query "query-string": .+$/m);
    expect(stderr).toMatch(/^\s+--> query:2:\d+$/m);
    expect(stderr).toMatch(/^\s+\| \| fields @message \| sort by by$/m);
    expect(stderr).toMatch(/^\s+\| \s*\^+$/m);
  });

  it('missing log group: exit 1 with the logging enable command', async () => {
    const { stderr, exitCode } = await run({ clusters: [{ name: 'prod', logging: [] }] }, [
      'top-writers-by-user',
    ]);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^error: Cluster prod has no log group \/aws\/eks\/prod\/cluster/m);
    expect(stderr).toMatch(/^hint: run `eks-etcd-insights logging enable --cluster prod`/m);
  });

  it('unknown cluster: exit 4 naming it, no stack trace', async () => {
    const { stderr, exitCode } = await run({}, ['top-writers-by-user']);
    expect(exitCode).toBe(4);
    expect(stderr).toMatch(/^error: .*prod/m);
    expect(stderr).not.toMatch(/\n\s+at /);
  });

  it('audit logging off: exit 1 with the fix', async () => {
    const { stderr, exitCode } = await run(
      fakeCluster({
        clusters: [{ name: 'prod', logging: [{ types: ['api'], enabled: true }] }],
        logGroups: [{ name: GROUP, records: RECORDS.filter((r) => !r.logStream.includes('audit')) }],
      }),
      ['top-writers-by-user'],
    );
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/^error: Audit logging is off for cluster prod/m);
    expect(stderr).toMatch(/^hint: run `eks-etcd-insights logging enable --cluster prod`/m);
  });
});
