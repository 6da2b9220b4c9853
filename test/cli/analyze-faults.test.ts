/**
 * `analyze --cluster` when things go wrong, end to end against the fake AWS server: a query that ends
 * Failed keeps the rest (report written with complete:false, exit 4), and Ctrl-C writes what was
 * found so far to --output (complete:false, exit 130) with every started query stopped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { generateIncident, type GeneratedEvent } from '../../bench/incident/generate.js';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { cliEntryPoint, ensureBuilt, projectRoot } from '../support/build.js';
import {
  createFakeAwsServer,
  dummyAwsEnv,
  type FakeAwsServer,
  type FakeAwsServerOptions,
} from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';

const HOUR = 3_600_000;
const END_MS = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
const events: GeneratedEvent[] = [];
const truth = generateIncident(
  {
    seed: 41,
    start: new Date(END_MS - 3 * HOUR).toISOString(),
    durationMs: 3 * HOUR,
    eventsPerMinute: 10,
    shape: 'operator-flood',
    outcome: 'ongoing',
  },
  (e) => events.push(e),
);
/** Text only the actors queries contain. */
const ACTORS_MATCH = 'sum(created)';
const ARGS = [
  'analyze',
  '--cluster',
  'prod',
  '--lookback',
  '1d',
  '--end',
  new Date(END_MS).toISOString(),
  '--format',
  'json',
];

const dir = mkdtempSync(path.join(tmpdir(), 'eei-analyze-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let server: FakeAwsServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function cluster(faults: FakeAwsServerOptions['faults']): FakeAwsServerOptions {
  return {
    clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }],
    logGroups: [
      {
        name: '/aws/eks/prod/cluster',
        records: events.map((e) => ({
          timestamp: e.timestampMs,
          logStream: e.logStream,
          log: '',
          message: e.line,
        })),
      },
    ],
    ...(faults === undefined ? {} : { faults }),
  };
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('analyze --cluster with faults', () => {
  test('a query that ends Failed: the report keeps the rest, complete:false, names the query; exit 4', async () => {
    server = await createFakeAwsServer(
      cluster({ queryOverrides: [{ match: ACTORS_MATCH, finalStatus: 'Failed' }] }),
    );
    const out = path.join(dir, 'failed.json');
    const result = await runCli([...ARGS, '--output', out], {
      env: dummyAwsEnv(server.url),
      timeoutMs: 120_000,
    });
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(/incident-actors/);
    const report = JSON.parse(readFileSync(out, 'utf8')) as IncidentReport;
    expect(report.complete).toBe(false);
    expect(report.warnings.join('\n')).toMatch(/incident-actors/);
    expect(report.firstFailure).toEqual(truth.firstFailure);
    expect(report.failures.count).toBe(truth.failureCount);
    expect(server.state.runningQueries()).toEqual([]);
  });

  test('Ctrl-C during the detail round: partial report in --output, exit 130, every query stopped', async () => {
    await ensureBuilt();
    server = await createFakeAwsServer(
      cluster({ queryOverrides: [{ match: ACTORS_MATCH, runningPolls: 1_000_000 }] }),
    );
    const s = server;
    const out = path.join(dir, 'interrupted.json');
    const child = spawn(process.execPath, [cliEntryPoint, ...ARGS, '--output', out], {
      cwd: projectRoot,
      env: { ...process.env, ...dummyAwsEnv(s.url), NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    try {
      await waitFor(
        () => [...s.state.queries.values()].some((q) => q.queryString.includes(ACTORS_MATCH) && q.polls > 0),
        60_000,
      );
      child.kill('SIGINT');
      const code = await Promise.race([
        exited,
        new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000)),
      ]);
      expect(code, stderr).toBe(130);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    expect(stdout).toBe('');
    expect(s.state.runningQueries()).toEqual([]);
    const report = JSON.parse(readFileSync(out, 'utf8')) as IncidentReport;
    expect(report.complete).toBe(false);
    expect(report.failures.count).toBe(truth.failureCount);
    expect(report.warnings.join('\n')).toMatch(/stopped early/);
  });
});
