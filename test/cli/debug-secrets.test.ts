import { afterEach, describe, expect, it } from 'vitest';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';
import {
  DUMMY_ACCESS_KEY_ID,
  DUMMY_SECRET_ACCESS_KEY,
  DUMMY_SESSION_TOKEN,
} from '../support/fake-aws/dummy-env.js';
import { runCli } from '../support/run-cli.js';

const GROUP = '/aws/eks/prod/cluster';
const AUDIT = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

/** Everything that must never reach the terminal, even with --debug. */
const FORBIDDEN = [
  DUMMY_SECRET_ACCESS_KEY,
  DUMMY_SESSION_TOKEN,
  DUMMY_ACCESS_KEY_ID,
  'Authorization',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
  'Credential=',
  'AWS4-HMAC-SHA256',
];

function expectNoSecrets(text: string): void {
  for (const secret of FORBIDDEN) expect(text.toLowerCase()).not.toContain(secret.toLowerCase());
}

describe('--debug never prints credentials', () => {
  it('a full logging status run with --debug logs every request but no secret', async () => {
    server = await createFakeAwsServer({
      clusters: [
        {
          name: 'prod',
          logging: [{ types: ['audit'], enabled: true }],
          updates: [{ status: 'Successful', params: [] }],
        },
      ],
      logGroups: [
        {
          name: GROUP,
          records: [{ timestamp: Date.now() - 60_000, message: '{}', logStream: AUDIT, log: '' }],
        },
      ],
      faults: { rules: [{ operation: 'DescribeLogGroups', kind: 'throttle', times: 1 }] },
    });
    const result = await runCli(['--debug', 'logging', 'status', '--cluster', 'prod'], {
      env: dummyAwsEnv(server.url),
    });
    expect(result.exitCode).toBe(0);
    // The debug lines are there (so the test looks at real debug output)...
    for (const action of [
      'eks:DescribeCluster',
      'eks:ListUpdates',
      'eks:DescribeUpdate',
      'logs:DescribeLogGroups',
      'logs:DescribeLogStreams',
    ]) {
      expect(result.stderr).toContain(`aws: ${action} attempt 1 -> `);
    }
    expect(result.stderr).toMatch(/aws: logs:DescribeLogGroups attempt 1 -> 400 ThrottlingException/);
    expect(result.stderr).toMatch(/aws: logs:DescribeLogGroups attempt 2 -> 200/);
    // ...and the requests really were signed with the dummy credentials...
    expect(server.state.requests.every((r) => r.signed && r.hadSessionToken)).toBe(true);
    // ...yet none of them shows up.
    expectNoSecrets(result.stdout + result.stderr);
  });

  it('a failing run with --debug (stack trace printed) shows no secret either', async () => {
    server = await createFakeAwsServer({
      clusters: [],
      faults: { rules: [{ kind: 'expired-token', fromCall: 1 }] },
    });
    const result = await runCli(['--debug', 'logging', 'enable', '--cluster', 'prod', '--yes'], {
      env: dummyAwsEnv(server.url),
    });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('ExpiredTokenException');
    expect(result.stderr).toMatch(/\n\s+at /); // --debug prints the stack
    expectNoSecrets(result.stdout + result.stderr);
  });
});
