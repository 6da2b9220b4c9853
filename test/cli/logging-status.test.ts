import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt } from '../support/build.js';
import type { LogRecord } from '../../src/insights/record.js';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';

const GROUP = '/aws/eks/prod/cluster';
const AUDIT = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';
const AUDIT_2 = 'kube-apiserver-audit-fedcba9876543210fedcba9876543210';
const API = 'kube-apiserver-0123456789abcdef0123456789abcdef';
const MINUTE = 60_000;
const DAY = 86_400_000;

function event(stream: string, timestamp: number): LogRecord {
  return {
    timestamp,
    message: JSON.stringify({
      kind: 'Event',
      verb: 'get',
      stageTimestamp: new Date(timestamp).toISOString(),
    }),
    logStream: stream,
    log: '',
  };
}

const ALL_ON = [
  { types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: true },
];

let server: FakeAwsServer | undefined;
// Build first, so event ages computed from Date.now() below are not skewed by a build in the middle of a run.
beforeAll(() => ensureBuilt(), 300_000);
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function status(
  options: FakeAwsServerOptions,
  args: string[] = [],
): Promise<Awaited<ReturnType<typeof runCli>>> {
  server = await createFakeAwsServer(options);
  return runCli(['logging', 'status', '--cluster', 'prod', ...args], { env: dummyAwsEnv(server.url) });
}

describe('logging status (CLI against the fake AWS server)', () => {
  it('exit 0 when audit logs are enabled and arriving, with the reach-back from the oldest stream event', async () => {
    const now = Date.now();
    const result = await status({
      clusters: [{ name: 'prod', logging: ALL_ON }],
      logGroups: [
        {
          name: GROUP,
          retentionInDays: 30,
          records: [
            event(AUDIT, now - 12 * DAY),
            event(AUDIT_2, now - 2 * MINUTE),
            event(API, now - 20 * DAY),
          ],
        },
      ],
    });
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(
      /^OK: Audit logging is enabled on cluster prod and events are arriving \(newest 2 min ago\)\.$/,
    );
    expect(result.stdout).toMatch(
      /Log types\s+api on, audit on, authenticator on, controllerManager on, scheduler on/,
    );
    expect(result.stdout).toMatch(
      /Log group\s+\/aws\/eks\/prod\/cluster: retention 30 days, .* stored, STANDARD class/,
    );
    expect(result.stdout).toMatch(/Audit streams\s+2 stream\(s\)/);
    // The api stream's 20-day-old event is not audit data: the reach-back is 12 days.
    expect(result.stdout).toMatch(
      new RegExp(
        `Oldest event\\s+${new Date(now - 12 * DAY).toISOString().slice(0, 16)}.*reach back 12 days`,
      ),
    );
    expect(server?.state.requests.map((r) => r.operation)).toContain('DescribeLogStreams');
  });

  it('reads several logging entries: audit only counts when an enabled:true entry holds it', async () => {
    const now = Date.now();
    const result = await status(
      {
        clusters: [
          {
            name: 'prod',
            logging: [
              { types: ['api', 'scheduler'], enabled: true },
              { types: ['audit', 'authenticator', 'controllerManager'], enabled: false },
            ],
          },
        ],
        logGroups: [{ name: GROUP, records: [event(API, now - MINUTE)] }],
      },
      ['--region', 'us-east-1'],
    );
    expect(result.exitCode).toBe(1);
    expect(result.stdout.split('\n')[0]).toBe(
      'NOT READY: Audit logging is disabled on cluster prod: there is nothing to investigate in CloudWatch.',
    );
    expect(result.stdout).toMatch(
      /api on, audit off, authenticator off, controllerManager off, scheduler on/,
    );
    expect(result.stdout).toContain('  eks-etcd-insights logging enable --cluster prod --region us-east-1\n');
    expect(result.stdout).toContain(
      `aws eks update-cluster-config --name prod --region us-east-1 --logging '{"clusterLogging":[{"types":["api","scheduler","audit"],"enabled":true}]}'`,
    );
    expect(result.stdout).toMatch(/never expires/);
    expect(result.stderr).toMatch(
      /^error: audit logs of cluster prod are not ready: disabled\.\nhint: run `eks-etcd-insights logging enable --cluster prod --region us-east-1`\n$/,
    );
  });

  it('exit 1 when logging is on but the log group does not exist, and in JSON too', async () => {
    const result = await status({ clusters: [{ name: 'prod', logging: ALL_ON }] }, ['--format', 'json']);
    expect(result.exitCode).toBe(1);
    const json = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(json).toMatchObject({
      schemaVersion: 1,
      cluster: 'prod',
      region: 'us-east-1',
      ok: false,
      verdict: 'no-log-group',
      logTypes: { audit: true, api: true },
      logGroup: { name: GROUP, exists: false, retentionInDays: null },
      auditStreams: null,
      auditLastEnabled: null,
    });
  });

  it('exit 1 when the newest audit event is old (not arriving), with JSON times in ISO 8601', async () => {
    const now = Date.now();
    const result = await status(
      {
        clusters: [{ name: 'prod', logging: ALL_ON }],
        logGroups: [{ name: GROUP, records: [event(AUDIT, now - 3 * DAY), event(AUDIT, now - 2 * DAY)] }],
      },
      ['--format', 'json'],
    );
    expect(result.exitCode).toBe(1);
    const json = JSON.parse(result.stdout) as {
      verdict: string;
      auditStreams: { count: number; newestEvent: string; oldestEvent: string; names: string[] };
    };
    expect(json.verdict).toBe('stale');
    expect(json.auditStreams).toMatchObject({
      count: 1,
      names: [AUDIT],
      newestEvent: new Date(now - 2 * DAY).toISOString(),
      oldestEvent: new Date(now - 3 * DAY).toISOString(),
    });
  });

  it('reports when audit logging was last enabled, from the update history', async () => {
    const now = Date.now();
    const enabledAt = now - 5 * DAY;
    const params = (types: string[], enabled: boolean) => [
      { type: 'ClusterLogging', value: JSON.stringify({ clusterLogging: [{ types, enabled }] }) },
    ];
    const result = await status(
      {
        clusters: [
          {
            name: 'prod',
            logging: ALL_ON,
            updates: [
              {
                id: 'older-enable',
                status: 'Successful',
                createdAt: now - 40 * DAY,
                params: params(['audit'], true),
              },
              { id: 'version-bump', type: 'VersionUpdate', status: 'Successful', createdAt: now - 20 * DAY },
              {
                id: 'failed-enable',
                status: 'Failed',
                createdAt: now - 6 * DAY,
                params: params(['audit'], true),
              },
              {
                id: 'newest-enable',
                status: 'Successful',
                createdAt: enabledAt,
                params: params(['api', 'audit'], true),
              },
            ],
          },
        ],
        logGroups: [{ name: GROUP, records: [event(AUDIT, now - MINUTE)] }],
      },
      ['--format', 'json'],
    );
    expect(result.exitCode).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({
      ok: true,
      auditLastEnabled: { updateId: 'newest-enable', at: new Date(enabledAt).toISOString() },
    });
  });

  it('an unknown cluster is one line and a hint, exit 4, no stack trace', async () => {
    const result = await status({ clusters: [] }, ['--region', 'us-east-1']);
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'error: No EKS cluster named prod in us-east-1.\nhint: list the clusters with `aws eks list-clusters --region us-east-1`, or pass --region / --profile\n',
    );
  });

  it('expired credentials get the sso login hint naming the profile (exit 4)', async () => {
    server = await createFakeAwsServer({
      clusters: [{ name: 'prod' }],
      faults: { rules: [{ kind: 'expired-token' }] },
    });
    const env = { ...dummyAwsEnv(server.url), AWS_PROFILE: undefined };
    const result = await runCli(['logging', 'status', '--cluster', 'prod'], { env });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /^error: AWS rejected the credentials \(ExpiredTokenException\): they are expired or invalid\.\nhint: run `aws sso login --profile <profile>`/,
    );
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a missing permission names the IAM action', async () => {
    server = await createFakeAwsServer({
      clusters: [{ name: 'prod', logging: ALL_ON }],
      faults: { rules: [{ operation: 'DescribeLogStreams', kind: 'access-denied' }] },
    });
    server.putLogGroup({ name: GROUP, records: [event(AUDIT, Date.now())] });
    const result = await runCli(['logging', 'status', '--cluster', 'prod'], { env: dummyAwsEnv(server.url) });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /^error: Access denied: this call needs logs:DescribeLogStreams\.\nhint: .*iam-policy/,
    );
  });

  it('retries throttled calls (default SDK retry) and still answers', async () => {
    const now = Date.now();
    server = await createFakeAwsServer({
      clusters: [{ name: 'prod', logging: ALL_ON }],
      logGroups: [{ name: GROUP, records: [event(AUDIT, now - MINUTE)] }],
      faults: {
        rules: [
          { operation: 'DescribeCluster', kind: 'throttle', times: 1 },
          { operation: 'DescribeLogStreams', kind: 'unavailable', times: 1 },
        ],
      },
    });
    const result = await runCli(['--verbose', 'logging', 'status', '--cluster', 'prod'], {
      env: dummyAwsEnv(server.url),
    });
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toMatch(/retrying eks:DescribeCluster \(attempt 2\)/);
    expect(result.stderr).toMatch(/retrying logs:DescribeLogStreams \(attempt 2\)/);
    expect(server.state.requestsFor('DescribeCluster')).toHaveLength(2);
  });
});
