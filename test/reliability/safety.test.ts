/**
 * Secrets and safety, end to end against the fake AWS server:
 * - a full `analyze --cluster --debug` run (and a failing one, stack trace printed) never shows the
 *   dummy credentials, session token or signature material;
 * - read-only by default: every read command, `logging enable --dry-run`, and `logging enable` without
 *   a terminal and without --yes send no mutating call, and leave the cluster and log group as they were.
 *
 * Reused, not repeated here: `logging status --debug` and a failing `logging enable --debug`
 * (test/cli/debug-secrets.test.ts), the static proof that only `logging enable` calls the write APIs and
 * that the IAM policy covers every call (test/aws/iam-policy.test.ts), the terminal confirmation
 * (test/cli/logging-enable-confirm.test.ts).
 */
import { afterEach, describe, expect, test } from 'vitest';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';
import {
  DUMMY_ACCESS_KEY_ID,
  DUMMY_SECRET_ACCESS_KEY,
  DUMMY_SESSION_TOKEN,
} from '../support/fake-aws/dummy-env.js';
import { runCli } from '../support/run-cli.js';
import {
  ACTORS_MATCH,
  analyzeClusterArgs,
  clusterWith,
  END_MS,
  GROUP,
  leftRunning,
  smallIncident,
} from './reliability-kit.js';

const incident = smallIncident(47);
const FORBIDDEN = [
  DUMMY_SECRET_ACCESS_KEY,
  DUMMY_SESSION_TOKEN,
  DUMMY_ACCESS_KEY_ID,
  'Authorization',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'Credential=',
  'AWS4-HMAC-SHA256',
  'Signature=',
];

function expectNoSecrets(text: string): void {
  for (const secret of FORBIDDEN) expect(text.toLowerCase(), secret).not.toContain(secret.toLowerCase());
}

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('analyze --cluster --debug prints no secret', () => {
  test('a full run, with a retried throttle: debug lines for every call, no credential anywhere', async () => {
    server = await createFakeAwsServer(
      clusterWith(incident, {
        faults: { rules: [{ operation: 'GetQueryResults', kind: 'throttle', times: 2 }] },
      }),
    );
    const result = await runCli(['--debug', ...analyzeClusterArgs('--format', 'json')], {
      env: dummyAwsEnv(server.url),
      timeoutMs: 120_000,
    });
    expect(result.exitCode, result.stderr.slice(-2000)).toBe(0);
    // The debug output is really there and covers the calls of the run...
    for (const action of [
      'eks:DescribeCluster',
      'eks:ListUpdates',
      'logs:DescribeLogGroups',
      'logs:DescribeLogStreams',
      'logs:StartQuery',
      'logs:GetQueryResults',
    ]) {
      expect(result.stderr).toContain(`aws: ${action} attempt 1 -> `);
    }
    expect(result.stderr).toMatch(/ThrottlingException/);
    // ...the requests were signed with the dummy credentials and carried the session token...
    expect(server.state.requests.length).toBeGreaterThan(10);
    expect(server.state.requests.every((r) => r.signed && r.hadSessionToken)).toBe(true);
    // ...and none of it is printed.
    expectNoSecrets(result.stdout + result.stderr);
    expect(leftRunning(server)).toEqual([]);
  });

  test('a run that fails mid-way with --debug (stack printed) shows no secret either', async () => {
    server = await createFakeAwsServer(
      clusterWith(incident, {
        faults: {
          queryOverrides: [{ match: ACTORS_MATCH, runningPolls: 2 }],
          rules: [{ operation: 'GetQueryResults', kind: 'expired-token', fromCall: 4 }],
        },
      }),
    );
    const result = await runCli(['--debug', ...analyzeClusterArgs('--format', 'json')], {
      env: dummyAwsEnv(server.url),
      timeoutMs: 120_000,
    });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('ExpiredTokenException');
    expectNoSecrets(result.stdout + result.stderr);
    expect(leftRunning(server)).toEqual([]);
  });
});

const WRITE_OPERATIONS = ['UpdateClusterConfig', 'PutRetentionPolicy', 'DeleteRetentionPolicy'];

describe('read-only by default', () => {
  test('every read command, --dry-run, and enable without a terminal or --yes change nothing', async () => {
    server = await createFakeAwsServer({
      clusters: [
        { name: 'prod', logging: [{ types: ['audit'], enabled: true }] },
        { name: 'dark', logging: [{ types: ['api', 'audit'], enabled: false }] },
      ],
      logGroups: [{ name: GROUP, records: incident.records, retentionInDays: 30 }],
    });
    const env = dummyAwsEnv(server.url);
    const window = [
      '--start',
      new Date(END_MS - 3_600_000).toISOString(),
      '--end',
      new Date(END_MS).toISOString(),
    ];
    const runs: [string[], number[]][] = [
      [['logging', 'status', '--cluster', 'prod'], [0]],
      [['logging', 'status', '--cluster', 'dark', '--format', 'json'], [1]],
      [['queries', 'run', 'top-writers-by-user', '--cluster', 'prod', '--format', 'json', ...window], [0]],
      [analyzeClusterArgs('--format', 'json'), [0]],
      [['iam-policy'], [0]],
      [['iam-policy', '--write'], [0]],
      [
        [
          'logging',
          'enable',
          '--cluster',
          'dark',
          '--types',
          'audit,api',
          '--retention-days',
          '7',
          '--dry-run',
        ],
        [0],
      ],
      // No terminal, no --yes: refused (exit 2) before any change.
      [['logging', 'enable', '--cluster', 'dark'], [2]],
      [['logging', 'enable', '--cluster', 'prod', '--retention-days', '7'], [2]],
    ];
    let policyText = '';
    for (const [args, codes] of runs) {
      const result = await runCli(args, { env, timeoutMs: 120_000 });
      expect(codes, `${args.join(' ')}: ${result.stderr}`).toContain(result.exitCode);
      if (args.join(' ') === 'iam-policy') policyText = result.stdout;
    }
    // Every call these runs made is allowed by the read-only policy the tool prints.
    const policy = JSON.parse(policyText) as { Statement: { Effect: string; Action: string | string[] }[] };
    const allowed = new Set(
      policy.Statement.filter((st) => st.Effect === 'Allow').flatMap((st) =>
        Array.isArray(st.Action) ? st.Action : [st.Action],
      ),
    );
    const prefix: Record<string, string> = { logs: 'logs', eks: 'eks', cloudwatch: 'cloudwatch' };
    for (const request of server.state.requests) {
      expect(allowed, `${request.service}:${request.operation}`).toContain(
        `${prefix[request.service] ?? request.service}:${request.operation}`,
      );
    }
    const operations = new Set(server.state.requests.map((r) => r.operation));
    for (const write of WRITE_OPERATIONS) expect(operations.has(write), write).toBe(false);
    expect(server.state.updates.size).toBe(0);
    expect(server.logGroups.get(GROUP)?.retentionInDays).toBe(30);
    expect(server.logGroups.has('/aws/eks/dark/cluster')).toBe(false);
    // The runs did reach the server: the assertions above are about real traffic.
    expect(operations.has('StartQuery')).toBe(true);
    expect(operations.has('DescribeCluster')).toBe(true);
    expect(leftRunning(server)).toEqual([]);
  });

  test('control: with --yes the same server does see the write (so the check above can fail)', async () => {
    server = await createFakeAwsServer({
      clusters: [{ name: 'dark', logging: [{ types: ['audit'], enabled: false }] }],
      faults: { updatePolls: 0 },
    });
    const result = await runCli(['logging', 'enable', '--cluster', 'dark', '--yes', '--no-wait'], {
      env: dummyAwsEnv(server.url),
    });
    expect(result.exitCode, result.stderr).toBe(0);
    expect(server.state.requestsFor('UpdateClusterConfig')).toHaveLength(1);
  });
});
