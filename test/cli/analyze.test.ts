/**
 * `analyze` end to end: the built CLI as a child process, on the embedded sample incident (local) and
 * on two clusters served by the fake AWS server (real SDK clients, dummy credentials).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test } from 'vitest';
import { generateIncident, type GeneratedEvent } from '../../bench/incident/generate.js';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import type { LogRecord } from '../../src/insights/record.js';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';
import { runCli } from '../support/run-cli.js';
import { projectRoot } from '../support/build.js';

const SAMPLE = 'examples/sample-incident.jsonl.gz';
const truth = JSON.parse(
  readFileSync(path.join(projectRoot, 'examples/sample-incident.truth.json'), 'utf8'),
) as {
  firstFailure: IncidentReport['firstFailure'];
  failureCount: number;
  topWriter: { user: string };
};
const dir = mkdtempSync(path.join(tmpdir(), 'eei-analyze-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('analyze --log-file (local)', () => {
  test('the sample incident as JSON: exit 0, the ground truth, nothing on stderr', async () => {
    const result = await runCli(['analyze', '--log-file', SAMPLE, '--format', 'json']);
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.schemaVersion).toBe(1);
    expect(report.complete).toBe(true);
    expect(report.firstFailure).toEqual(truth.firstFailure);
    expect(report.failures.count).toBe(truth.failureCount);
    expect(report.topWriters[0]?.user).toBe(truth.topWriter.user);
    expect(report.remediation?.knownCulprit?.name).toBe('Kyverno reports');
    expect(report.tool.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  test('--output writes the file atomically and prints nothing; --metrics-file adds the database size', async () => {
    const metrics = path.join(dir, 'metrics.txt');
    writeFileSync(
      metrics,
      [
        '# TYPE apiserver_storage_size_bytes gauge',
        'apiserver_storage_size_bytes{storage_cluster_id="etcd-0"} 8.1e+09',
        'apiserver_storage_objects{resource="ephemeralreports.reports.kyverno.io"} 912345',
        'apiserver_storage_objects{resource="pods"} 1200',
      ].join('\n'),
    );
    const out = path.join(dir, 'report.md');
    const result = await runCli([
      'analyze',
      '--log-file',
      SAMPLE,
      '--metrics-file',
      metrics,
      '--format',
      'markdown',
      '--output',
      out,
    ]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('');
    const markdown = readFileSync(out, 'utf8');
    expect(markdown).toContain('ephemeralreports');
    const json = await runCli([
      'analyze',
      '--log-file',
      SAMPLE,
      '--metrics-file',
      metrics,
      '--format',
      'json',
    ]);
    const report = JSON.parse(json.stdout) as IncidentReport;
    expect(report.databaseSize?.metricName).toBe('apiserver_storage_size_bytes');
    expect(report.databaseSize?.endpoints[0]).toMatchObject({ endpoint: 'etcd-0', bytes: 8.1e9 });
    expect(report.databaseSize?.objectCounts[0]).toEqual({
      resource: 'ephemeralreports.reports.kyverno.io',
      count: 912345,
    });
  });

  test('usage errors exit 2: no source, both sources, a bad --lookback', async () => {
    const none = await runCli(['analyze']);
    expect(none.exitCode).toBe(2);
    expect(none.stderr).toMatch(/--cluster NAME .* or --log-file PATH/);
    const both = await runCli(['analyze', '--cluster', 'prod', '--log-file', SAMPLE]);
    expect(both.exitCode).toBe(2);
    const lookback = await runCli(['analyze', '--log-file', SAMPLE, '--lookback', 'soon']);
    expect(lookback.exitCode).toBe(2);
    expect(lookback.stderr).toMatch(/--lookback/);
  });

  test('a missing log file is exit 4 naming it, with no report on stdout', async () => {
    const result = await runCli(['analyze', '--log-file', path.join(dir, 'nope.log'), '--format', 'json']);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('nope.log');
    expect(result.stdout).toBe('');
  });

  test('a missing metrics file is exit 4 naming it', async () => {
    const result = await runCli([
      'analyze',
      '--log-file',
      SAMPLE,
      '--metrics-file',
      path.join(dir, 'absent-metrics.txt'),
    ]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain('absent-metrics.txt');
  });
});

function records(events: GeneratedEvent[]): LogRecord[] {
  return events.map((e) => ({ timestamp: e.timestampMs, logStream: e.logStream, log: '', message: e.line }));
}

const HOUR = 3_600_000;

/** An ongoing incident of `hours` ending at `endMs`: its events and its ground truth. */
function incident(seed: number, shape: 'operator-flood' | 'user-flood', endMs: number, hours: number) {
  const events: GeneratedEvent[] = [];
  const t = generateIncident(
    {
      seed,
      start: new Date(endMs - hours * HOUR).toISOString(),
      durationMs: hours * HOUR,
      eventsPerMinute: 10,
      shape,
      outcome: 'ongoing',
    },
    (e) => events.push(e),
  );
  return { events, truth: t };
}

describe('analyze --cluster (fake AWS server)', () => {
  let server: FakeAwsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  test('when the readiness check fails, the source lists the audit streams itself', async () => {
    const endMs = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
    const { events, truth: t } = incident(33, 'operator-flood', endMs, 1);
    server = await createFakeAwsServer({
      clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }],
      logGroups: [{ name: '/aws/eks/prod/cluster', records: records(events) }],
      faults: { rules: [{ operation: 'DescribeCluster', kind: 'access-denied' }] },
    });
    const result = await runCli(
      [
        'analyze',
        '--cluster',
        'prod',
        '--lookback',
        '2h',
        '--end',
        new Date(endMs).toISOString(),
        '--format',
        'json',
      ],
      { env: dummyAwsEnv(server.url), timeoutMs: 120_000 },
    );
    expect(result.exitCode, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.readiness.notes.join(' ')).toMatch(/Could not read the logging status/);
    expect(report.failures.count).toBe(t.failureCount);
    expect(server.state.requestsFor('DescribeLogStreams')).toHaveLength(1);
  });

  test('two clusters give one report each, written next to --output with the cluster name', async () => {
    const endMs = Math.floor((Date.now() - 5 * 60_000) / 1000) * 1000;
    const prod = incident(31, 'operator-flood', endMs, 3);
    const stage = incident(32, 'user-flood', endMs, 3);
    server = await createFakeAwsServer({
      clusters: [
        { name: 'prod', logging: [{ types: ['audit'], enabled: true }] },
        { name: 'stage', logging: [{ types: ['audit'], enabled: true }] },
      ],
      logGroups: [
        { name: '/aws/eks/prod/cluster', records: records(prod.events) },
        { name: '/aws/eks/stage/cluster', records: records(stage.events) },
      ],
      metrics: [
        {
          namespace: 'AWS/EKS',
          name: 'apiserver_storage_size_bytes',
          dimensions: [{ Name: 'ClusterName', Value: 'prod' }],
          points: [
            { timestamp: endMs - 2 * HOUR, value: 5e9 },
            { timestamp: endMs - HOUR, value: 7.8e9 },
            { timestamp: endMs - 10 * 60_000, value: 8.6e9 },
          ],
        },
      ],
    });
    const out = path.join(dir, 'incident.json');
    const result = await runCli(
      [
        'analyze',
        '--cluster',
        'prod',
        '--cluster',
        'stage',
        '--lookback',
        '1d',
        '--end',
        new Date(endMs).toISOString(),
        '--format',
        'json',
        '--output',
        out,
      ],
      { env: dummyAwsEnv(server.url), timeoutMs: 180_000 },
    );
    expect(result.stderr).toBe('');
    expect(result.exitCode).toBe(0);
    for (const [name, expected] of [
      ['prod', prod],
      ['stage', stage],
    ] as const) {
      const report = JSON.parse(
        readFileSync(path.join(dir, `incident.${name}.json`), 'utf8'),
      ) as IncidentReport;
      expect(report.cluster).toBe(name);
      expect(report.source.kind).toBe('cloudwatch');
      expect(report.firstFailure).toEqual(expected.truth.firstFailure);
      expect(report.failures.count).toBe(expected.truth.failureCount);
      expect(report.topWriters[0]?.user).toBe(expected.truth.topWriter.user);
      expect(report.readiness.auditLoggingEnabled).toBe(true);
      expect(report.plan?.rounds).toBeLessThanOrEqual(4);
      expect(report.queries.every((q) => q.consoleUrl?.startsWith('https://') === true)).toBe(true);
      expect(report.cost.bytesScanned).toBeGreaterThan(0);
    }
    const prodReport = JSON.parse(
      readFileSync(path.join(dir, 'incident.prod.json'), 'utf8'),
    ) as IncidentReport;
    expect(prodReport.databaseSize?.source).toBe('cloudwatch');
    // The readiness check lists each cluster's audit streams (one page), and the source takes that list.
    expect(server.state.requestsFor('DescribeLogStreams')).toHaveLength(2);
    expect(prodReport.timeline.filter((e) => e.kind === 'size-threshold').map((e) => e.title)).toEqual([
      'etcd database at 50% of 8 GiB',
      'etcd database at 75% of 8 GiB',
      'etcd database at 90% of 8 GiB',
      'etcd database at 100% of 8 GiB',
    ]);
    expect(server.state.runningQueries()).toEqual([]);

    // Without --output, several JSON reports form one JSON array on stdout.
    const stdout = await runCli(
      [
        'analyze',
        '--cluster',
        'prod',
        '--cluster',
        'stage',
        '--lookback',
        '1d',
        '--end',
        new Date(endMs).toISOString(),
        '--format',
        'json',
      ],
      { env: dummyAwsEnv(server.url), timeoutMs: 180_000 },
    );
    expect(stdout.exitCode).toBe(0);
    const reports = JSON.parse(stdout.stdout) as IncidentReport[];
    expect(reports.map((r) => r.cluster)).toEqual(['prod', 'stage']);
  });
});
