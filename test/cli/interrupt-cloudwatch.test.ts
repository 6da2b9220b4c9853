/**
 * Ctrl-C for real: spawn the CLI against the fake AWS server, wait until the server has seen the query
 * start, send SIGINT (or SIGTERM), and check the exit code and, on the server, that every started
 * query was stopped.
 */
import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { cliEntryPoint, ensureBuilt, projectRoot } from '../support/build.js';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';
import { fakeCluster, WINDOW_ARGS } from './queries-run-cluster-fixture.js';

let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe.each(['SIGINT', 'SIGTERM'] as const)('%s during queries run --cluster', (signal) => {
  it('stops every started query and exits 130', async () => {
    await ensureBuilt();
    server = await createFakeAwsServer(fakeCluster({ faults: { query: { runningPolls: 1_000_000 } } }));
    const s = server;
    const child = spawn(
      process.execPath,
      [
        cliEntryPoint,
        'queries',
        'run',
        'top-writers-by-user',
        '--cluster',
        'prod',
        '--format',
        'json',
        ...WINDOW_ARGS,
      ],
      {
        cwd: projectRoot,
        env: { ...process.env, ...dummyAwsEnv(s.url) },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      // Started and polled at least once: the query is really running on the server.
      await waitFor(
        () => s.state.queries.size > 0 && s.state.requestsFor('GetQueryResults').length > 0,
        30_000,
      );
      child.kill(signal);
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 20_000)),
      ]);
      expect(code).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(s.state.queries.size).toBeGreaterThan(0);
    expect(s.state.stoppedQueries.sort()).toEqual([...s.state.queries.keys()].sort());
    expect(s.state.runningQueries()).toEqual([]);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/stopping running queries/);
  });
});
