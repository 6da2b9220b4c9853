/**
 * Impossible times and dead ends, through the built CLI: a window that starts after it ends, dates
 * that do not parse, a window reaching past the log group's retention (exit 2 with the reason, before
 * any query starts), and clusters that cannot be investigated (unknown cluster, no log group, audit
 * logging off: exit 4 or 1 with the fix).
 *
 * Reused, not repeated here: the same dead ends for `queries run --cluster`
 * (test/cli/queries-run-cluster.test.ts) and `--start` after `--end` for `queries run` on files
 * (test/cli/queries-cli.test.ts).
 */
import { afterEach, describe, expect, test } from 'vitest';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';
import { clusterWith, END_MS, GROUP, leftRunning, smallIncident } from './reliability-kit.js';

const SAMPLE = 'examples/sample-incident.jsonl.gz';
const incident = smallIncident(45);
const DAY = 86_400_000;

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function onServer(options: FakeAwsServerOptions, args: string[]) {
  server = await createFakeAwsServer(options);
  const result = await runCli(args, { env: dummyAwsEnv(server.url), timeoutMs: 120_000 });
  return { ...result, server };
}

function expectUsage(
  result: { exitCode: number | null; stderr: string; stdout: string },
  reason: RegExp,
): void {
  expect(result.exitCode, result.stderr).toBe(2);
  expect(result.stderr).toMatch(/^error: /m);
  expect(result.stderr).toMatch(reason);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stdout).toBe('');
}

describe('impossible times: exit 2 with the reason', () => {
  test('analyze --log-file: --start after --end', async () => {
    const result = await runCli([
      'analyze',
      '--log-file',
      SAMPLE,
      '--start',
      '2024-06-14T06:00:00Z',
      '--end',
      '2024-06-14T05:00:00Z',
    ]);
    expectUsage(result, /starts after it ends \(2024-06-14T06:00:00\.000Z > 2024-06-14T05:00:00\.000Z\)/);
    expect(result.stderr).toMatch(/^hint: /m);
  });

  test.each([
    ['--start', 'last tuesday'],
    ['--start', '2024-13-45T99:00:00Z'],
    ['--end', 'yesterday'],
    ['--since', 'a while'],
    ['--lookback', '-3d'],
  ])('analyze --log-file %s %j: names the flag and the accepted forms', async (flag, value) => {
    const result = await runCli(['analyze', '--log-file', SAMPLE, flag, value]);
    expectUsage(result, new RegExp(`${flag}.*(not a time|not a duration)`));
  });

  test('--since together with --start is refused', async () => {
    const result = await runCli([
      'analyze',
      '--log-file',
      SAMPLE,
      '--since',
      '2h',
      '--start',
      '2024-06-14T05:00:00Z',
    ]);
    expectUsage(result, /--since and --start/);
  });

  test('analyze --cluster with --start after --end: refused before any AWS call', async () => {
    const { server: s, ...result } = await onServer(clusterWith(incident), [
      'analyze',
      '--cluster',
      'prod',
      '--start',
      new Date(END_MS).toISOString(),
      '--end',
      new Date(END_MS - 3_600_000).toISOString(),
    ]);
    expectUsage(result, /starts after it ends/);
    expect(s.state.requests).toEqual([]);
  });
});

describe('a window longer than the log group retention: exit 2 before any query', () => {
  const withRetention = (days: number): FakeAwsServerOptions =>
    clusterWith(incident, { logGroups: [{ name: GROUP, records: incident.records, retentionInDays: days }] });

  test('analyze --cluster --start 30 days back on a 7-day group', async () => {
    const { server: s, ...result } = await onServer(withRetention(7), [
      'analyze',
      '--cluster',
      'prod',
      '--start',
      new Date(END_MS - 30 * DAY).toISOString(),
      '--end',
      new Date(END_MS).toISOString(),
    ]);
    expectUsage(result, /keeps events for 7 days \(retention\)/);
    expect(result.stderr).toMatch(/^hint: Start at or after .*--since 7d/m);
    expect(s.state.requestsFor('StartQuery')).toEqual([]);
  });

  test('queries run --cluster --since 10d on a 7-day group', async () => {
    const { server: s, ...result } = await onServer(withRetention(7), [
      'queries',
      'run',
      'top-writers-by-user',
      '--cluster',
      'prod',
      '--since',
      '10d',
    ]);
    expectUsage(result, /keeps events for 7 days \(retention\)/);
    expect(s.state.requestsFor('StartQuery')).toEqual([]);
  });

  test('control: a window inside the retention runs (exit 0)', async () => {
    const { server: s, ...result } = await onServer(withRetention(7), [
      'analyze',
      '--cluster',
      'prod',
      '--since',
      '1d',
      '--end',
      new Date(END_MS).toISOString(),
      '--format',
      'json',
    ]);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(s.state.requestsFor('StartQuery').length).toBeGreaterThan(0);
    expect(leftRunning(s)).toEqual([]);
  });
});

describe('clusters that cannot be investigated: the fix, never a stack trace', () => {
  const args = ['analyze', '--cluster', 'prod', '--lookback', '1d', '--end', new Date(END_MS).toISOString()];

  test('unknown cluster: exit 4 naming it', async () => {
    const { server: s, ...result } = await onServer({}, args);
    expect(result.exitCode, result.stderr).toBe(4);
    expect(result.stderr).toMatch(/^error: .*prod/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(s.state.requestsFor('StartQuery')).toEqual([]);
  });

  test('no log group (logging never enabled): exit 1 with the logging enable command', async () => {
    const { server: s, ...result } = await onServer({ clusters: [{ name: 'prod', logging: [] }] }, args);
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^error: Cluster prod has no log group \/aws\/eks\/prod\/cluster/m);
    expect(result.stderr).toMatch(/^hint: run `eks-etcd-insights logging enable --cluster prod`/m);
    expect(s.state.requestsFor('StartQuery')).toEqual([]);
  });

  test('two clusters, one unknown: the other report is written, each error printed once, exit 4', async () => {
    const { server: s, ...result } = await onServer(clusterWith(incident), [
      'analyze',
      '--cluster',
      'nope',
      '--cluster',
      'prod',
      '--lookback',
      '1d',
      '--end',
      new Date(END_MS).toISOString(),
      '--format',
      'json',
    ]);
    expect(result.exitCode, result.stderr).toBe(4);
    const report = JSON.parse(result.stdout) as { cluster: string; complete: boolean };
    expect(report).toMatchObject({ cluster: 'prod', complete: true });
    expect(result.stderr.match(/No EKS cluster named nope/g)).toHaveLength(1);
    expect(result.stderr).toMatch(/^error: nope: No EKS cluster named nope/m);
    expect(result.stderr).toMatch(
      /^error: 1 of 2 clusters could not be analysed \(nope\); the reports of the others were written\.$/m,
    );
    expect(leftRunning(s)).toEqual([]);
  });

  test('audit logging off (only api streams): exit 1 with the fix', async () => {
    const { server: s, ...result } = await onServer(
      {
        clusters: [{ name: 'prod', logging: [{ types: ['api'], enabled: true }] }],
        logGroups: [
          {
            name: GROUP,
            records: [
              {
                timestamp: END_MS - 60_000,
                logStream: 'kube-apiserver-0123456789abcdef0123456789abcdef',
                log: '',
                message: 'I1123 api line',
              },
            ],
          },
        ],
      },
      args,
    );
    expect(result.exitCode, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^error: Audit logging is off for cluster prod/m);
    expect(result.stderr).toMatch(/^hint: run `eks-etcd-insights logging enable --cluster prod`/m);
    expect(s.state.requestsFor('StartQuery')).toEqual([]);
  });
});

describe('an --output that cannot be written is refused before anything is scanned', () => {
  test.each([
    ['a missing directory', '/nonexistent-dir-for-eei/report.json', /the directory does not exist/],
    ['a directory', '/tmp', /it is a directory/],
  ])('%s: exit 2, no query started', async (_what, output, reason) => {
    const { server: s, ...result } = await onServer(clusterWith(incident), [
      'analyze',
      '--cluster',
      'prod',
      '--lookback',
      '1d',
      '--end',
      new Date(END_MS).toISOString(),
      '--output',
      output,
    ]);
    expectUsage(result, reason);
    expect(s.state.requestsFor('StartQuery')).toEqual([]);
  });
});
