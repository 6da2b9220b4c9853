/**
 * `analyze --cluster` under AWS faults, end to end: the built CLI, the real SDK clients, the fake AWS
 * server injecting throttling, concurrency refusals, 5xx, connection resets, stuck queries, bad final
 * statuses, expired credentials and signals. After every run the server must have no query running.
 *
 * Reused, not repeated here: a query ending Failed and SIGINT with --output
 * (test/cli/analyze-faults.test.ts); the same faults for `queries run --cluster`
 * (test/cli/queries-run-cluster.test.ts, test/cli/interrupt-cloudwatch.test.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';
import {
  ACTORS_MATCH,
  analyzeClusterArgs,
  clusterWith,
  leftRunning,
  smallIncident,
  spawnCli,
  waitFor,
} from './reliability-kit.js';

const incident = smallIncident(41);
const { truth } = incident;
const dir = mkdtempSync(path.join(tmpdir(), 'eei-rel-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(extra: Partial<FakeAwsServerOptions>): Promise<FakeAwsServer> {
  server = await createFakeAwsServer(clusterWith(incident, extra));
  return server;
}

function expectTruth(report: IncidentReport): void {
  expect(report.firstFailure).toEqual(truth.firstFailure);
  expect(report.failures.count).toBe(truth.failureCount);
  expect(report.topWriters[0]?.user).toBe(truth.topWriter.user);
}

describe('analyze --cluster: transient faults are retried and the result is right', () => {
  test('50% throttling and concurrency refusals for a while: complete and correct, retries narrated in --verbose', async () => {
    const s = await start({
      seed: 11,
      faults: {
        // The first refusals of each kind are certain (the seeded draws depend on how concurrent calls
        // interleave), then half of the calls are refused for a while.
        rules: [
          { operation: 'StartQuery', kind: 'limit-exceeded', times: 2 },
          { operation: 'StartQuery', kind: 'limit-exceeded', probability: 0.5, durationMs: 15_000 },
          { operation: 'GetQueryResults', kind: 'throttle', times: 2 },
          { operation: 'GetQueryResults', kind: 'throttle', probability: 0.5, durationMs: 15_000 },
        ],
      },
    });
    const result = await runCli([...analyzeClusterArgs('--format', 'json', '--verbose')], {
      env: dummyAwsEnv(s.url),
      timeoutMs: 150_000,
    });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.complete).toBe(true);
    expectTruth(report);
    const faults = s.state.requests
      .filter((r) => r.fault !== undefined)
      .map((r) => `${r.operation}:${r.fault}`);
    expect(faults).toContain('StartQuery:limit-exceeded');
    expect(faults).toContain('GetQueryResults:throttle');
    expect(result.stderr).toMatch(/StartQuery refused \(LimitExceededException/);
    expect(result.stderr).toMatch(/GetQueryResults failed \(ThrottlingException/);
    expect(leftRunning(s)).toEqual([]);
  }, 160_000);

  test('5xx and connection resets on GetQueryResults: retried, complete and correct', async () => {
    const s = await start({
      faults: {
        rules: [
          { operation: 'GetQueryResults', kind: 'reset', times: 3 },
          { operation: 'GetQueryResults', kind: 'unavailable', times: 2 },
          { operation: 'GetQueryResults', kind: 'internal', times: 2 },
        ],
      },
    });
    const result = await runCli(analyzeClusterArgs('--format', 'json'), {
      env: dummyAwsEnv(s.url),
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.complete).toBe(true);
    expectTruth(report);
    const seen = s.state.requestsFor('GetQueryResults').map((r) => r.fault);
    expect(seen).toContain('reset');
    expect(seen).toContain('unavailable');
    expect(seen).toContain('internal');
    expect(leftRunning(s)).toEqual([]);
  });
});

describe('analyze --cluster: a query that cannot finish', () => {
  test('Running past --query-timeout: stopped on the server, named, the other results kept (exit 4)', async () => {
    const s = await start({ faults: { queryOverrides: [{ match: ACTORS_MATCH, runningPolls: 1_000_000 }] } });
    const out = path.join(dir, 'timeout.json');
    const result = await runCli(
      analyzeClusterArgs('--format', 'json', '--query-timeout', '2s', '--output', out),
      {
        env: dummyAwsEnv(s.url),
        timeoutMs: 120_000,
      },
    );
    expect(result.exitCode, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/^error: .*incident-actors.*--query-timeout/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    const stuck = [...s.state.queries.values()].filter((q) => q.queryString.includes(ACTORS_MATCH));
    expect(stuck.length).toBeGreaterThan(0);
    for (const q of stuck) expect(s.state.stoppedQueries).toContain(q.queryId);
    const report = JSON.parse(readFileSync(out, 'utf8')) as IncidentReport;
    expect(report.complete).toBe(false);
    expect(report.warnings.join('\n')).toMatch(/incident-actors/);
    // The other queries' findings survive.
    expect(report.firstFailure).toEqual(truth.firstFailure);
    expect(report.failures.count).toBe(truth.failureCount);
    expect(leftRunning(s)).toEqual([]);
  });

  test('--query-timeout when StopQuery itself fails: the error says the query may still run, and how to stop it', async () => {
    const s = await start({
      faults: { query: { runningPolls: 1_000_000 }, rules: [{ operation: 'StopQuery', kind: 'internal' }] },
    });
    const result = await runCli(analyzeClusterArgs('--format', 'json', '--query-timeout', '2s'), {
      env: dummyAwsEnv(s.url),
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr).toBe(4);
    expect(result.stderr).not.toMatch(/it was stopped/);
    const [stuck] = leftRunning(s).map((q) => q.split(':')[0]);
    expect(stuck).toBeDefined();
    expect(result.stderr).toMatch(
      new RegExp(`^error: .*StopQuery failed, so query ${stuck} may still be running\\.$`, 'm'),
    );
    expect(result.stderr).toContain(`hint: stop it with \`aws logs stop-query --query-id ${stuck}\``);
    expect(s.state.requestsFor('StopQuery').length).toBeGreaterThan(0);
  });

  // Failed is covered in test/cli/analyze-faults.test.ts; the other final statuses here.
  test.each(['Timeout', 'Cancelled', 'Unknown'] as const)(
    'a query that ends %s: one error line naming it, exit 4',
    async (finalStatus) => {
      const s = await start({
        faults: { queryOverrides: [{ match: ACTORS_MATCH, finalStatus, runningPolls: 1 }] },
      });
      const result = await runCli(analyzeClusterArgs('--format', 'json'), {
        env: dummyAwsEnv(s.url),
        timeoutMs: 120_000,
      });
      expect(result.exitCode, result.stderr).toBe(4);
      const errorLines = result.stderr.split('\n').filter((l) => l.startsWith('error:'));
      expect(errorLines).toHaveLength(1);
      expect(errorLines[0]).toMatch(new RegExp(`incident-actors.*${finalStatus}`));
      expect(result.stderr).not.toMatch(/\n\s+at /);
      // The partial report still reaches stdout, marked incomplete.
      const report = JSON.parse(result.stdout) as IncidentReport;
      expect(report.complete).toBe(false);
      expect(report.firstFailure).toEqual(truth.firstFailure);
      expect(leftRunning(s)).toEqual([]);
    },
  );

  test('expired credentials mid-run: a clear message with the sso hint, the started queries stopped (exit 4)', async () => {
    const s = await start({
      faults: {
        query: { runningPolls: 3 },
        rules: [{ operation: 'GetQueryResults', kind: 'expired-token', fromCall: 3 }],
      },
    });
    const result = await runCli(analyzeClusterArgs('--format', 'json'), {
      env: dummyAwsEnv(s.url),
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/^error: .*ExpiredTokenException/m);
    expect(result.stderr).toMatch(/^hint: .*aws sso login/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(s.state.queries.size).toBeGreaterThan(0);
    expect(s.state.requestsFor('StopQuery').length).toBeGreaterThan(0);
    expect(leftRunning(s)).toEqual([]);
  });
});

describe('analyze --cluster: interrupted', () => {
  // SIGINT with --output is covered in test/cli/analyze-faults.test.ts; SIGTERM must behave the same.
  test('SIGTERM during the detail round: every query stopped, partial report in --output, exit 130', async () => {
    const s = await start({ faults: { queryOverrides: [{ match: ACTORS_MATCH, runningPolls: 1_000_000 }] } });
    const out = path.join(dir, 'sigterm.json');
    const cli = await spawnCli(analyzeClusterArgs('--format', 'json', '--output', out), s);
    try {
      await waitFor(
        () => [...s.state.queries.values()].some((q) => q.queryString.includes(ACTORS_MATCH) && q.polls > 0),
        60_000,
        'the actors query',
      );
      // The first-failure probe runs beside the stuck actors query (and may wait for a pool slot):
      // interrupt only once the server has answered it Complete, plus a moment for the CLI to read
      // the answer, so the partial report is expected to hold it.
      await waitFor(
        () =>
          [...s.state.queries.values()].some(
            (q) =>
              q.queryString.includes('database space exceeded') &&
              q.queryString.includes('sort @timestamp asc') &&
              q.status === 'Complete',
          ),
        60_000,
        'the first-failure probe',
      );
      await new Promise((resolve) => setTimeout(resolve, 500));
      cli.child.kill('SIGTERM');
      expect(await cli.exit(30_000), cli.stderr()).toBe(130);
    } finally {
      cli.kill();
    }
    expect(cli.stdout()).toBe('');
    expect(leftRunning(s)).toEqual([]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as IncidentReport;
    expect(report.complete).toBe(false);
    expect(report.firstFailure).toEqual(truth.firstFailure);
  });

  test('SIGINT with a good report already at --output: never a half file, no temporary file left', async () => {
    const s = await start({ faults: { queryOverrides: [{ match: ACTORS_MATCH, runningPolls: 1_000_000 }] } });
    const sub = mkdtempSync(path.join(dir, 'atomic-'));
    const out = path.join(sub, 'report.json');
    const good = `${JSON.stringify({ schemaVersion: 1, complete: true, marker: 'previous good report' })}\n`;
    writeFileSync(out, good);
    const cli = await spawnCli(analyzeClusterArgs('--format', 'json', '--output', out), s);
    try {
      await waitFor(
        () => [...s.state.queries.values()].some((q) => q.queryString.includes(ACTORS_MATCH) && q.polls > 0),
        60_000,
        'the actors query',
      );
      cli.child.kill('SIGINT');
      expect(await cli.exit(30_000), cli.stderr()).toBe(130);
    } finally {
      cli.kill();
    }
    expect(readdirSync(sub)).toEqual(['report.json']);
    const text = readFileSync(out, 'utf8');
    // Either the old file, whole, or a complete document of the new partial report: nothing in between.
    if (text !== good) {
      const report = JSON.parse(text) as IncidentReport;
      expect(report.complete).toBe(false);
      expect(report.schemaVersion).toBe(1);
    }
    expect(leftRunning(s)).toEqual([]);
  });

  test.each([
    ['logging status', ['logging', 'status', '--cluster', 'prod'], 'DescribeLogStreams'],
    ['analyze (readiness)', analyzeClusterArgs('--format', 'json'), 'DescribeLogGroups'],
  ])(
    'Ctrl-C while %s waits on a slow AWS answer: exit 130 at once, not success later',
    async (_what, args, operation) => {
      const s = await start({ faults: { rules: [{ operation, kind: 'delay', delayMs: 30_000 }] } });
      const cli = await spawnCli(args, s);
      try {
        await waitFor(
          () => s.state.requests.some((r) => r.operation === operation) || cli.stderr().length > 0,
          30_000,
          operation,
        );
        await new Promise((r) => setTimeout(r, 300));
        const sentAt = Date.now();
        cli.child.kill('SIGINT');
        expect(await cli.exit(10_000), cli.stderr()).toBe(130);
        expect(Date.now() - sentAt).toBeLessThan(10_000);
      } finally {
        cli.kill();
      }
      expect(cli.stdout()).toBe('');
      expect(s.state.requestsFor('StartQuery')).toEqual([]);
    },
  );
});
