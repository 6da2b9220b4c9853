/**
 * Shared pieces of the reliability suite: a small generated incident served by the fake AWS server,
 * a CLI child process that can be signalled mid-run, and a poll helper. Small data and short
 * timeouts keep the suite fast.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateIncident, type GeneratedEvent, type GroundTruth } from '../../bench/incident/generate.js';
import type { LogRecord } from '../../src/insights/record.js';
import { cliEntryPoint, ensureBuilt, projectRoot } from '../support/build.js';
import { dummyAwsEnv, type FakeAwsServer, type FakeAwsServerOptions } from '../support/fake-aws/index.js';

const HOUR = 3_600_000;
/** The end of every cluster run: a whole second a few minutes ago, so "now" is never inside the data. */
export const END_MS = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
export const GROUP = '/aws/eks/prod/cluster';

export interface SmallIncident {
  events: GeneratedEvent[];
  truth: GroundTruth;
  records: LogRecord[];
}

/** A 3-hour incident at 10 events a minute (about 1,800 events), ending at END_MS, still failing. */
export function smallIncident(seed = 41): SmallIncident {
  const events: GeneratedEvent[] = [];
  const truth = generateIncident(
    {
      seed,
      start: new Date(END_MS - 3 * HOUR).toISOString(),
      durationMs: 3 * HOUR,
      eventsPerMinute: 10,
      shape: 'operator-flood',
      outcome: 'ongoing',
    },
    (e) => events.push(e),
  );
  const records = events.map((e) => ({
    timestamp: e.timestampMs,
    logStream: e.logStream,
    log: '',
    message: e.line,
  }));
  return { events, truth, records };
}

/** Fake server options: cluster `prod` with audit logging on and the incident in its log group. */
export function clusterWith(
  incident: SmallIncident,
  extra: Partial<FakeAwsServerOptions> = {},
): FakeAwsServerOptions {
  return {
    clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }],
    logGroups: [{ name: GROUP, records: incident.records }],
    ...extra,
  };
}

/** `analyze --cluster prod` over the last day ending at END_MS. */
export function analyzeClusterArgs(...extra: string[]): string[] {
  return [
    'analyze',
    '--cluster',
    'prod',
    '--lookback',
    '1d',
    '--end',
    new Date(END_MS).toISOString(),
    ...extra,
  ];
}

/** Text only the stored `incident-actors` query holds (the detail round), for query overrides. */
export const ACTORS_MATCH = 'sum(created)';

export interface RunningCli {
  child: ChildProcessWithoutNullStreams;
  stdout(): string;
  stderr(): string;
  /** Resolves with the exit code (null when killed), or 'hung' after `timeoutMs`. */
  exit(timeoutMs: number): Promise<number | null | 'hung'>;
  /** SIGKILL if still running (for finally blocks). */
  kill(): void;
}

/** Spawns the built CLI against the fake server, without waiting for it. */
export async function spawnCli(
  args: string[],
  server: FakeAwsServer | undefined,
  env: Record<string, string> = {},
  options: { keepStdinOpen?: boolean } = {},
): Promise<RunningCli> {
  await ensureBuilt();
  const child = spawn(process.execPath, [cliEntryPoint, ...args], {
    cwd: projectRoot,
    env: { ...process.env, ...(server === undefined ? {} : dummyAwsEnv(server.url)), NO_COLOR: '1', ...env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  if (options.keepStdinOpen !== true) child.stdin.end();
  child.stdin.on('error', () => undefined);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const closed = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exit: (timeoutMs) =>
      Promise.race([closed, new Promise<'hung'>((r) => setTimeout(() => r('hung'), timeoutMs))]),
    kill: () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Polls `condition` every 25 ms until it holds, or throws after `timeoutMs`. */
export async function waitFor(
  condition: () => boolean,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Every query the fake server saw that is still running; [] is the invariant after every run. */
export function leftRunning(server: FakeAwsServer): string[] {
  return server.state.runningQueries().map((q) => `${q.queryId}: ${q.queryString.slice(0, 60)}`);
}
