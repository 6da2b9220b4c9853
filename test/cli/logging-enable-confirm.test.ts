import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/io.js';
import { loggingEnableCommand } from '../../src/cli/commands/logging-enable.js';
import { CheckFailedError } from '../../src/errors.js';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';

/** A terminal-like CommandIo whose confirm() answers as told and records the question. */
function terminalIo(answer: boolean): CommandIo & { questions: string[]; out: string; err: string } {
  const io = {
    questions: [] as string[],
    out: '',
    err: '',
    stdout: (t: string) => void (io.out += t),
    stderr: (t: string) => void (io.err += t),
    stdoutIsTTY: true,
    stderrIsTTY: true,
    color: false,
    verbose: false,
    debug: false,
    env: process.env,
    signal: new AbortController().signal,
    confirm: (q: string) => {
      io.questions.push(q);
      return Promise.resolve(answer);
    },
    log: () => undefined,
  };
  return io;
}

let server: FakeAwsServer;
const saved = { ...process.env };
beforeAll(async () => {
  server = await createFakeAwsServer({ faults: { updatePolls: 0 } });
  // In-process: the SDK reads the endpoint and dummy credentials from the environment, as in the CLI.
  Object.assign(process.env, dummyAwsEnv(server.url));
});
afterAll(async () => {
  process.env = saved;
  await server.close();
});

describe('logging enable on a terminal', () => {
  it('asks before changing anything; "no" changes nothing and is not success', async () => {
    const { createCluster } = await import('../support/fake-aws/eks-service.js');
    server.clusters.set('prod', createCluster({ name: 'prod' }, { state: server.state }));
    const io = terminalIo(false);
    await expect(loggingEnableCommand({ cluster: 'prod', wait: true }, io)).rejects.toBeInstanceOf(
      CheckFailedError,
    );
    expect(io.questions).toEqual(['Enable audit logging on cluster prod?']);
    expect(server.state.requestsFor('UpdateClusterConfig')).toHaveLength(0);
  });

  it('"yes" enables, mentioning the retention in the question, and draws the progress line in place', async () => {
    const io = terminalIo(true);
    const result = await loggingEnableCommand({ cluster: 'prod', wait: true, retentionDays: 14 }, io);
    expect(io.questions).toEqual(['Enable audit logging on cluster prod and set retention to 14 days?']);
    expect(result.outcome).toBe('enabled');
    // The line is redrawn in place: carriage return, erase-line (ESC [2K), text.
    expect(io.err).toContain('\r\u001b[2KUpdate ');
    expect(io.err).toMatch(/Update [0-9a-f-]+: Successful \(\d+ s\)\n/);
    expect(server.logGroups.get('/aws/eks/prod/cluster')?.retentionInDays).toBe(14);
  });

  it('--no-wait with --retention-days before EKS created the log group explains how to set it later (exit 1)', async () => {
    const { createCluster } = await import('../support/fake-aws/eks-service.js');
    server.clusters.set('fresh', createCluster({ name: 'fresh' }, { state: server.state }));
    const io = terminalIo(true);
    const error = await loggingEnableCommand(
      { cluster: 'fresh', wait: false, yes: true, retentionDays: 30 },
      io,
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CheckFailedError);
    expect((error as CheckFailedError).message).toBe(
      'The log group /aws/eks/fresh/cluster does not exist yet, so its retention was not set.',
    );
    expect((error as CheckFailedError).hint).toContain(
      'aws logs put-retention-policy --log-group-name /aws/eks/fresh/cluster --retention-in-days 30',
    );
    expect(io.questions).toEqual([]);
  });
});
