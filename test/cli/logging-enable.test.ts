import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEntryPoint, ensureBuilt } from '../support/build.js';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';

const GROUP = '/aws/eks/prod/cluster';
const OFF = [{ types: ['api', 'audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false }];
const API_ON = [
  { types: ['api'], enabled: true },
  { types: ['audit', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
];

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function enable(
  options: FakeAwsServerOptions,
  args: string[],
): Promise<Awaited<ReturnType<typeof runCli>>> {
  server ??= await createFakeAwsServer({ faults: { updatePolls: 1 }, ...options });
  return runCli(['logging', 'enable', '--cluster', 'prod', ...args], { env: dummyAwsEnv(server.url) });
}

function clusterLogging(): unknown {
  return server?.clusters.get('prod')?.logging;
}

describe('logging enable (CLI against the fake AWS server)', () => {
  it('enables audit keeping the types already on, waits for the update, and says what it costs', async () => {
    const result = await enable({ clusters: [{ name: 'prod', logging: API_ON }] }, ['--yes']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('enabling audit (keeping api on)');
    expect(result.stderr).toContain('Logs exist only from now on');
    expect(result.stderr).toContain('Audit logs cost money');
    const update = [...(server?.state.updates.values() ?? [])][0];
    expect(result.stdout).toBe(`Enabled audit logging on cluster prod (update ${update?.id}, Successful).\n`);
    expect(JSON.parse(update?.params[0]?.value ?? '{}')).toEqual({
      clusterLogging: [{ types: ['api', 'audit'], enabled: true }],
    });
    expect(clusterLogging()).toEqual([
      { types: ['api', 'audit'], enabled: true },
      { types: ['authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ]);
    // It polled DescribeUpdate until the update ended.
    expect(server?.state.requestsFor('DescribeUpdate').length).toBe(2);
  });

  it('already enabled is success: "No changes needed", no update made', async () => {
    const result = await enable(
      { clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }] },
      ['--yes'],
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('No changes needed: audit already enabled on cluster prod.\n');
    expect(server?.state.requestsFor('UpdateClusterConfig')).toHaveLength(0);
  });

  it('--dry-run prints the exact request and changes nothing', async () => {
    const result = await enable(
      { clusters: [{ name: 'prod', logging: API_ON }], logGroups: [{ name: GROUP }] },
      ['--dry-run', '--types', 'audit,Scheduler', '--retention-days', '30'],
    );
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        'Dry run: would call eks:UpdateClusterConfig with:',
        JSON.stringify(
          {
            name: 'prod',
            logging: { clusterLogging: [{ types: ['api', 'audit', 'scheduler'], enabled: true }] },
          },
          null,
          2,
        ),
        'Dry run: would call logs:PutRetentionPolicy with:',
        JSON.stringify({ logGroupName: GROUP, retentionInDays: 30 }, null, 2),
        'Nothing was changed.',
        '',
      ].join('\n'),
    );
    expect(server?.state.requests.map((r) => r.operation)).toEqual(['DescribeCluster']);
    expect(clusterLogging()).toEqual(API_ON);
  });

  it('refuses to change anything without a terminal or --yes (exit 2)', async () => {
    const result = await enable({ clusters: [{ name: 'prod', logging: OFF }] }, []);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /error: This changes the cluster and needs confirmation, but there is no terminal to ask on\.\nhint: pass --yes/,
    );
    expect(server?.state.requestsFor('UpdateClusterConfig')).toHaveLength(0);
  });

  it('--no-wait prints the update id at once', async () => {
    const result = await enable({ clusters: [{ name: 'prod', logging: OFF }] }, ['--yes', '--no-wait']);
    expect(result.exitCode).toBe(0);
    const update = [...(server?.state.updates.values() ?? [])][0];
    expect(result.stdout).toBe(`${update?.id}\n`);
    expect(update?.status).toBe('InProgress');
    expect(server?.state.requestsFor('DescribeUpdate')).toHaveLength(0);
  });

  it('another update in progress: a clear message naming it (exit 4), nothing changed', async () => {
    const result = await enable(
      {
        clusters: [
          {
            name: 'prod',
            logging: OFF,
            updates: [{ id: 'other-update-1', type: 'VersionUpdate', status: 'InProgress' }],
          },
        ],
      },
      ['--yes'],
    );
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(
      'error: Cluster prod already has an update in progress (other-update-1); EKS runs one update at a time.',
    );
    expect(result.stderr).toContain('hint: wait for it and retry, or pass --wait-for-other');
    expect(clusterLogging()).toEqual(OFF);
  });

  it('--wait-for-other waits for the other update, then enables', async () => {
    const result = await enable(
      {
        clusters: [
          {
            name: 'prod',
            logging: OFF,
            updates: [
              { id: 'other-update-1', type: 'VersionUpdate', status: 'InProgress', pollsUntilDone: 1 },
            ],
          },
        ],
      },
      ['--yes', '--wait-for-other'],
    );
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toContain('has update other-update-1 in progress; waiting for it');
    expect(result.stderr).toContain('Update other-update-1 ended: Successful. Retrying.');
    expect(result.stdout).toMatch(/^Enabled audit logging on cluster prod/);
    expect(server?.state.requestsFor('UpdateClusterConfig')).toHaveLength(2);
    expect(clusterLogging()).toEqual([
      { types: ['audit'], enabled: true },
      { types: ['api', 'authenticator', 'controllerManager', 'scheduler'], enabled: false },
    ]);
  });

  it('a Failed update is exit 4 with the update errors', async () => {
    const result = await enable(
      { clusters: [{ name: 'prod', logging: OFF }], faults: { updatePolls: 1, updateFinalStatus: 'Failed' } },
      ['--yes'],
    );
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(
      /error: Logging update [0-9a-f-]+ of cluster prod ended Failed: SubnetNotFound: The subnet ID does not exist/,
    );
  });

  it('--retention-days sets the retention on the log group EKS created', async () => {
    const result = await enable({ clusters: [{ name: 'prod', logging: OFF }] }, [
      '--yes',
      '--retention-days',
      '30',
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain(`Set the retention of ${GROUP} to 30 days.`);
    expect(server?.logGroups.get(GROUP)?.retentionInDays).toBe(30);
  });

  it('--retention-days on an already enabled cluster still sets the retention', async () => {
    const result = await enable(
      {
        clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }],
        logGroups: [{ name: GROUP }],
      },
      ['--yes', '--retention-days', '7'],
    );
    expect(result.exitCode).toBe(0);
    expect(server?.logGroups.get(GROUP)?.retentionInDays).toBe(7);
  });

  it('rejects a retention CloudWatch does not accept and an unknown log type (exit 2, before any AWS call)', async () => {
    const bad = await enable({ clusters: [{ name: 'prod', logging: OFF }] }, [
      '--yes',
      '--retention-days',
      '10',
    ]);
    expect(bad.exitCode).toBe(2);
    expect(bad.stderr).toContain(
      'error: --retention-days 10 is not a retention CloudWatch Logs accepts.\nhint: use one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653',
    );
    const badType = await enable({}, ['--yes', '--types', 'audit,etcd']);
    expect(badType.exitCode).toBe(2);
    expect(badType.stderr).toContain('error: --types: "etcd" is not a control-plane log type.');
    expect(server?.state.requests).toHaveLength(0);
  });

  it('an unknown cluster is exit 4 with the hint', async () => {
    const result = await enable({ clusters: [] }, ['--yes', '--region', 'us-east-1']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('error: No EKS cluster named prod in us-east-1.');
  });

  it('Ctrl-C while waiting for the update stops waiting and exits 130', async () => {
    server = await createFakeAwsServer({
      clusters: [{ name: 'prod', logging: OFF }],
      faults: { updatePolls: 1000 },
    });
    await ensureBuilt();
    const child = spawn(
      process.execPath,
      [cliEntryPoint, '--verbose', 'logging', 'enable', '--cluster', 'prod', '--yes'],
      {
        env: { ...process.env, ...dummyAwsEnv(server.url) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    const sawProgress = new Promise<void>((resolve) => {
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString('utf8');
        if (/Update [0-9a-f-]+: InProgress/.test(stderr)) resolve();
      });
    });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await sawProgress;
    child.kill('SIGINT');
    expect(await exited).toBe(130);
    expect(stderr).toContain('Ctrl-C');
    expect(stderr).toMatch(/error: Interrupted by SIGINT/);
  });
});
