import { describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.js';

describe('iam-policy (CLI)', () => {
  it('prints the read-only policy as JSON, and the write permissions only with --write', async () => {
    const readOnly = await runCli(['iam-policy']);
    expect(readOnly.exitCode).toBe(0);
    const policy = JSON.parse(readOnly.stdout) as { Version: string; Statement: { Action: string[] }[] };
    const actions = policy.Statement.flatMap((s) => s.Action);
    expect(policy.Version).toBe('2012-10-17');
    expect(actions).toContain('eks:DescribeCluster');
    expect(actions).toContain('logs:StartQuery');
    expect(actions).not.toContain('eks:UpdateClusterConfig');

    const write = await runCli(['iam-policy', '--write']);
    expect(write.exitCode).toBe(0);
    const writeActions = (
      JSON.parse(write.stdout) as { Statement: { Action: string[] }[] }
    ).Statement.flatMap((s) => s.Action);
    expect(writeActions).toEqual(
      expect.arrayContaining([...actions, 'eks:UpdateClusterConfig', 'logs:PutRetentionPolicy']),
    );
  });
});
