import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { projectRoot, runCli } from '../support/run-cli.js';

const FIXTURE = path.join(projectRoot, 'test/fixtures/audit/incident-small.jsonl');
const KYVERNO = 'system:serviceaccount:kyverno:kyverno-admission-controller';
const SAMPLES =
  process.env['REAL_AUDIT_SAMPLES'] ?? path.resolve(projectRoot, '../shared/real-audit-samples');
const samplesPresent = existsSync(SAMPLES);

describe('queries list / show', () => {
  test('list prints every stored query with its parameters', async () => {
    const { stdout, stderr, exitCode } = await runCli(['queries', 'list']);
    expect(exitCode).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^NAME\s+PARAMS\s+DESCRIPTION/);
    expect(stdout).toMatch(/top-writers-by-user\s+namespace\?, resource\?\s+Write requests/);
  });

  test('list --format json is machine-readable', async () => {
    const { stdout, exitCode } = await runCli(['queries', 'list', '--format', 'json']);
    expect(exitCode).toBe(0);
    const list = JSON.parse(stdout) as {
      name: string;
      params: { name: string; optional: boolean }[];
      needs: string[];
    }[];
    expect(list.find((q) => q.name === 'net-object-growth')).toMatchObject({
      needs: ['audit'],
      params: [
        { name: 'namespace', optional: true },
        { name: 'user', optional: true },
      ],
    });
  });

  test('show prints the file with its header; an unknown name is exit 2 with close names', async () => {
    const shown = await runCli(['queries', 'show', 'first-nospace-failure']);
    expect(shown.exitCode).toBe(0);
    expect(shown.stdout).toBe(
      readFileSync(path.join(projectRoot, 'queries/first-nospace-failure.insights'), 'utf8'),
    );
    const unknown = await runCli(['queries', 'show', 'first-nospace-failures']);
    expect(unknown.exitCode).toBe(2);
    expect(unknown.stderr).toContain('error: There is no stored query named "first-nospace-failures".');
    expect(unknown.stderr).toContain('hint: Did you mean "first-nospace-failure"?');
  });
});

describe('queries run on local files', () => {
  test('table (default): readable, hostile log content neutralised', async () => {
    const { stdout, stderr, exitCode } = await runCli([
      'queries',
      'run',
      'top-writers-by-user-agent',
      '--log-file',
      FIXTURE,
    ]);
    expect(exitCode).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^userAgent\s+writes\n/);
    expect(stdout).toMatch(/kyverno\/v1\.11\.0\s+8\n/);
    expect(stdout).toContain('evil =cmd|calc');
    expect(stdout).not.toContain('\u001b');
    expect(stdout).toContain('6 rows; 18 of 23 records matched');
  });

  test('json: rows of strings as CloudWatch returns them, and statistics', async () => {
    const { stdout, exitCode } = await runCli([
      'queries',
      'run',
      'first-nospace-failure',
      '--log-file',
      FIXTURE,
      '--format',
      'json',
    ]);
    expect(exitCode).toBe(0);
    const result = JSON.parse(stdout) as {
      rows: Record<string, string>[];
      statistics: Record<string, number>;
    };
    expect(result.rows).toEqual([
      expect.objectContaining({
        '@timestamp': '2024-06-14 03:20:00.500',
        'user.username': KYVERNO,
        'objectRef.namespace': 'team-b',
        'responseStatus.code': '500',
      }),
    ]);
    expect(result.statistics).toMatchObject({ recordsScanned: 23, recordsMatched: 3 });
    expect(result).not.toHaveProperty('skipped');
  });

  test('csv with parameters (--namespace and --param are the same thing)', async () => {
    const a = await runCli([
      'queries',
      'run',
      'top-writers-by-user',
      '--log-file',
      FIXTURE,
      '--format',
      'csv',
      '--namespace',
      'team-b',
    ]);
    const b = await runCli([
      'queries',
      'run',
      'top-writers-by-user',
      '--log-file',
      FIXTURE,
      '--format',
      'csv',
      '--param',
      'namespace=team-b',
    ]);
    expect(a.exitCode).toBe(0);
    expect(a.stdout).toBe(`user.username,writes\r\n${KYVERNO},3\r\n`);
    expect(b.stdout).toBe(a.stdout);
  });

  test('--output writes the file atomically and prints nothing on stdout', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eei-cli-'));
    const out = path.join(dir, 'growth.json');
    const { stdout, stderr, exitCode } = await runCli([
      'queries',
      'run',
      'net-object-growth',
      '--log-file',
      FIXTURE,
      '--format',
      'json',
      '--output',
      out,
    ]);
    expect(exitCode).toBe(0);
    expect(stdout).toBe('');
    expect(stderr).toContain(`wrote 3 rows to ${out}`);
    expect((JSON.parse(readFileSync(out, 'utf8')) as { rows: unknown[] }).rows).toHaveLength(3);
    expect(readdirSync(dir)).toEqual(['growth.json']);
  });

  test('--start/--end restrict the window (inclusive); an impossible window is exit 2', async () => {
    const { stdout, exitCode } = await runCli([
      'queries',
      'run',
      'write-volume-over-time',
      '--log-file',
      FIXTURE,
      '--format',
      'json',
      '--start',
      '2024-06-14T03:20:00.500Z',
      '--end',
      '2024-06-14T03:21:00Z',
    ]);
    expect(exitCode).toBe(0);
    expect((JSON.parse(stdout) as { rows: unknown[] }).rows).toEqual([
      { 'bin(5m)': '2024-06-14 03:20:00.000', writes: '2' },
    ]);
    const swapped = await runCli([
      'queries',
      'run',
      'write-volume-over-time',
      '--log-file',
      FIXTURE,
      '--start',
      '2024-06-14T04:00:00Z',
      '--end',
      '2024-06-14T03:00:00Z',
    ]);
    expect(swapped.exitCode).toBe(2);
    expect(swapped.stderr).toContain('The window starts after it ends');
  });

  test('stdin (-), gzipped', async () => {
    const { stdout, exitCode } = await runCli(
      ['queries', 'run', 'etcd-timeouts-over-time', '--log-file', '-', '--format', 'csv'],
      { input: gzipSync(readFileSync(FIXTURE)) },
    );
    expect(exitCode).toBe(0);
    expect(stdout).toBe('bin(5m),timeouts\r\n2024-06-14 03:10:00.000,2\r\n');
  });

  test('malformed lines are reported on stderr with file:line, the run succeeds', async () => {
    const input = `${readFileSync(FIXTURE, 'utf8')}{"truncated": \nnot json\n`;
    const { stdout, stderr, exitCode } = await runCli(
      ['queries', 'run', 'top-writers-by-namespace', '--log-file', '-', '--format', 'json'],
      { input },
    );
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(/^skipped 2 malformed lines; first: -:24: invalid JSON/m);
    expect((JSON.parse(stdout) as { skipped: { count: number } }).skipped.count).toBe(2);
  });

  test('--query-string: a bad query is exit 3 with a caret', async () => {
    const { stderr, exitCode } = await runCli([
      'queries',
      'run',
      '--query-string',
      'filter verb = | stats count(*)',
      '--log-file',
      FIXTURE,
    ]);
    expect(exitCode).toBe(3);
    expect(stderr).toMatch(/error\[Q\d{4}\]/);
    expect(stderr).toContain('^');
    const good = await runCli([
      'queries',
      'run',
      '--query-string',
      'filter verb = "patch" | stats count(*) as n',
      '--log-file',
      FIXTURE,
      '--format',
      'csv',
    ]);
    expect(good.stdout).toBe('n\r\n3\r\n');
  });

  test.each([
    [['queries', 'run', '--log-file', FIXTURE], /Say which query to run/],
    [
      ['queries', 'run', 'top-writers-by-user', '--query-string', 'fields @message', '--log-file', FIXTURE],
      /not both/,
    ],
    [['queries', 'run', 'top-writers-by-user'], /--cluster NAME or --log-file PATH/],
    [
      ['queries', 'run', 'top-writers-by-user', '--log-file', FIXTURE, '--cluster', 'prod'],
      /either --cluster or --log-file/,
    ],
    [
      ['queries', 'run', 'top-writers-by-user', '--log-file', FIXTURE, '--param', 'verb=create'],
      /takes no parameter "verb"/,
    ],
    [
      ['queries', 'run', 'top-writers-by-user', '--log-file', FIXTURE, '--param', 'namespace'],
      /expected KEY=VALUE/,
    ],
    [
      ['queries', 'run', '--query-string', 'fields @message', '--log-file', FIXTURE, '--user', 'bob'],
      /do not apply to --query-string/,
    ],
    [
      ['queries', 'run', 'top-writers-by-user', '--log-file', FIXTURE, '--format', 'xml'],
      /Allowed values: table, json, csv/,
    ],
  ])('usage error (exit 2): %j', async (args, message) => {
    const { stderr, exitCode } = await runCli(args);
    expect(exitCode).toBe(2);
    expect(stderr).toMatch(message);
  });

  test('a missing file is exit 4 naming it; a file with no readable event too', async () => {
    const missing = await runCli([
      'queries',
      'run',
      'top-writers-by-user',
      '--log-file',
      '/nonexistent/audit.log',
    ]);
    expect(missing.exitCode).toBe(4);
    expect(missing.stderr).toContain('/nonexistent/audit.log');
    expect(missing.stderr).toContain('hint:');
    const garbage = await runCli(['queries', 'run', 'top-writers-by-user', '--log-file', '-'], {
      input: Buffer.from([0x7b, 0xff, 10, 0, 1, 10]),
    });
    expect(garbage.exitCode).toBe(4);
    expect(garbage.stderr).toContain('No event could be read from -');
  });
});

describe('bad input files', () => {
  test('a truncated gzip and binary garbage in a directory: what could be read is answered, the rest reported', async () => {
    const { writeFileSync, mkdirSync } = await import('node:fs');
    const dir = mkdtempSync(path.join(tmpdir(), 'eei-bad-'));
    mkdirSync(path.join(dir, 'logs'));
    const whole = gzipSync(readFileSync(FIXTURE));
    writeFileSync(path.join(dir, 'logs', 'a-cut.log.gz'), whole.subarray(0, whole.length - 200));
    writeFileSync(
      path.join(dir, 'logs', 'b-garbage.bin'),
      Buffer.from([0x7b, 0x00, 0xff, 0xfe, 0x0a, 0x7b, 0x22, 0x0a]),
    );
    const { stdout, stderr, exitCode } = await runCli([
      'queries',
      'run',
      'top-writers-by-user',
      '--log-file',
      path.join(dir, 'logs'),
      '--format',
      'json',
    ]);
    expect(exitCode).toBe(0);
    expect(stderr).toContain(
      `warning: ${path.join(dir, 'logs', 'b-garbage.bin')}: no event could be read (2 malformed lines); ignored`,
    );
    expect(stderr).toMatch(
      new RegExp(
        `skipped 3 malformed lines; first: ${path.join(dir, 'logs', 'a-cut.log.gz').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+: gzip stream ends early`,
      ),
    );
    const result = JSON.parse(stdout) as { rows: unknown[]; statistics: { recordsScanned: number } };
    expect(result.statistics.recordsScanned).toBeGreaterThan(10);
    expect(result.statistics.recordsScanned).toBeLessThan(23);
  });

  test.skipIf(!samplesPresent)(
    `the real samples directory runs, fal_01_003.json is reported, not fatal${samplesPresent ? '' : ` (skipped: ${SAMPLES} not found; set REAL_AUDIT_SAMPLES)`}`,
    async () => {
      const samples = SAMPLES;
      const { stderr, exitCode } = await runCli([
        'queries',
        'run',
        'write-volume-over-time',
        '--log-file',
        samples,
        '--format',
        'csv',
      ]);
      expect(exitCode).toBe(0);
      expect(stderr).toContain('fal_01_003.json: no event could be read (1 malformed line); ignored');
      const alone = await runCli([
        'queries',
        'run',
        'write-volume-over-time',
        '--log-file',
        path.join(samples, 'falco-k8s_audit/fal_01_003.json'),
      ]);
      expect(alone.exitCode).toBe(4);
      expect(alone.stderr).toContain('error: No event could be read from');
    },
  );
});

describe('interruption', () => {
  test('Ctrl-C while reading an idle stdin pipe stops the run: exit 130, no result printed', async () => {
    const { spawn } = await import('node:child_process');
    const { cliEntryPoint, ensureBuilt } = await import('../support/run-cli.js');
    await ensureBuilt();
    const child = spawn(
      process.execPath,
      [cliEntryPoint, 'queries', 'run', 'top-writers-by-user', '--log-file', '-', '--format', 'json'],
      {
        env: { ...process.env, NO_COLOR: '1' },
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    // Some data, then the pipe stays open and idle, as with `tail -f audit.log | eks-etcd-insights ...`.
    child.stdin.write(readFileSync(FIXTURE));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    child.kill('SIGINT');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
    clearTimeout(timer);
    expect(code).toBe(130);
    expect(stdout).toBe('');
    expect(stderr).toContain('Interrupted by SIGINT');
  });
});
