/**
 * The CloudWatch half of the benchmark on a tiny 7-day dataset (seconds, not minutes): the same
 * measurement `npm run bench` makes, checked for consistent accounting (bytes the fake server billed
 * == the report's cost == the sum over the report's queries; minimum <= scanned <= naive; rounds
 * equal to the verbose round lines, and no more for a 30-day lookback than for 7 days). No timing assertions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { MIN_BASELINE_MS } from '../../src/analysis/incident-windows.js';
import type { LogRecord } from '../../src/insights/record.js';
import {
  minimumWindow,
  naivePlanBytes,
  overlappingSeconds,
  sequentialWaves,
  serverBytes,
  windowBytes,
} from '../../bench/cloudwatch/accounting.js';
import { benchIncident, generateRecords, shiftToNow, shiftTruth } from '../../bench/cloudwatch/dataset.js';
import { BENCH_LOG, measureCloudWatchRun, type CloudWatchRun } from '../../bench/cloudwatch/measure-run.js';
import { describeRun } from '../../bench/cloudwatch-bench.js';
import type { GroundTruth } from '../../bench/incident/generate.js';
import { FakeLogGroup } from '../support/fake-aws/log-groups.js';
import { cliEntryPoint, ensureBuilt, projectRoot } from '../support/build.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('accounting', () => {
  const record = (timestamp: number, logStream: string, message: string): LogRecord => ({
    timestamp,
    logStream,
    message,
    log: '',
  });
  const group = new FakeLogGroup(
    {
      name: '/aws/eks/x/cluster',
      records: [
        record(1000, 'kube-apiserver-audit-aaaa', 'aaaa'),
        record(2000, 'kube-apiserver-bbbb', 'bb'),
        record(3000, 'kube-apiserver-audit-cccc', 'cccccc'),
        record(4000, 'kube-apiserver-audit-aaaa', 'é'),
      ],
    },
    '123456789012',
  );

  test('window bytes: every stream vs audit streams only, inclusive ends, UTF-8 bytes', () => {
    const bytes = windowBytes(group);
    expect(bytes.all({ startMs: 0, endMs: 10_000 })).toBe(4 + 2 + 6 + 2);
    expect(bytes.audit({ startMs: 0, endMs: 10_000 })).toBe(4 + 6 + 2);
    expect(bytes.audit({ startMs: 1000, endMs: 3000 })).toBe(10);
    expect(bytes.all({ startMs: 1001, endMs: 2999 })).toBe(2);
    expect(naivePlanBytes(bytes, { startMs: 0, endMs: 10_000 }, 6)).toBe(6 * 14);
  });

  test('minimum window: one baseline hour before the bin of the onset, clipped to the window', () => {
    const window = { startMs: 0, endMs: 100 * HOUR };
    const onset = new Date(50 * HOUR + 7 * MINUTE).toISOString();
    expect(minimumWindow(onset, 5 * MINUTE, window)).toEqual({
      startMs: 50 * HOUR + 5 * MINUTE - MIN_BASELINE_MS,
      endMs: 100 * HOUR,
    });
    expect(minimumWindow(new Date(10 * MINUTE).toISOString(), 5 * MINUTE, window).startMs).toBe(0);
    expect(minimumWindow(null, 5 * MINUTE, window)).toEqual(window);
  });

  test('sequential waves: chains of queries started after the previous one could complete', () => {
    const q = (createdAt: number) => ({ createdAt, bytesScanned: 10, status: 'Complete' });
    expect(sequentialWaves([q(0), q(2100), q(4200), q(6300), q(6310), q(6320), q(8500)], 2000)).toBe(5);
    expect(sequentialWaves([q(0), q(10), q(20)], 2000)).toBe(1);
    expect(sequentialWaves([], 2000)).toBe(0);
    expect(serverBytes([q(0), q(1)])).toBe(20);
  });

  test('overlapping seconds: same-text queries sharing an inclusive second, scope line ignored', () => {
    const scoped = (streams: string, body: string) => `filterIndex @logStream in [${streams}]\n| ${body}`;
    const tiled = [
      { queryString: scoped('"a"', 'stats count(*)'), startTime: 100, endTime: 199 },
      { queryString: scoped('"a", "b"', 'stats count(*)'), startTime: 200, endTime: 299 },
    ];
    expect(overlappingSeconds(tiled)).toBe(0);
    // An end ceiled from 199.999 s to 200 s reads second 200 twice.
    expect(overlappingSeconds([{ ...tiled[0]!, endTime: 200 }, tiled[1]!])).toBe(1);
    // Different queries over the same window are not overlap.
    expect(
      overlappingSeconds([tiled[0]!, { queryString: 'fields @message', startTime: 100, endTime: 199 }]),
    ).toBe(0);
  });

  test('the shift ends the data a minute or more before now, on a 10-minute step', () => {
    const now = Date.parse('2026-01-01T12:34:56.789Z');
    const end = Date.parse('2024-06-08T00:00:00Z');
    const shift = shiftToNow(end, now);
    expect(shift % (10 * MINUTE)).toBe(0);
    expect(end + shift).toBeLessThanOrEqual(now - MINUTE);
    expect(end + shift).toBeGreaterThan(now - 11 * MINUTE);
  });
});

describe('the measurement on a tiny 7-day dataset', () => {
  let records: LogRecord[];
  let truth: GroundTruth;
  let dir: string;
  const runs = new Map<number, CloudWatchRun>();

  beforeAll(async () => {
    await ensureBuilt();
    dir = mkdtempSync(path.join(os.tmpdir(), 'cw-bench-'));
    const incident = benchIncident(0.3, 11);
    const shift = shiftToNow(Date.parse(incident.start) + incident.durationMs, Date.now());
    const generated = generateRecords(incident, BENCH_LOG, shift);
    records = generated.records;
    truth = shiftTruth(generated.truth, shift);
    for (const lookbackDays of [7, 30]) {
      runs.set(
        lookbackDays,
        await measureCloudWatchRun({
          records,
          truth,
          cliEntry: cliEntryPoint,
          projectRoot,
          lookbackDays,
          delayMs: 200,
          outputFile: path.join(dir, `report-${lookbackDays}d.json`),
          libraryQueryCount: 17,
        }),
      );
    }
  }, 180_000);

  afterAll(() => {
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  test('the dataset is what the benchmark claims: api lines, the incident in the last 30 hours', () => {
    expect(truth.apiLines).toBeGreaterThan(0);
    expect(records.some((r) => r.logStream.startsWith('kube-apiserver-audit-'))).toBe(true);
    expect(records.some((r) => !r.logStream.startsWith('kube-apiserver-audit-'))).toBe(true);
    const end = Date.parse(truth.window.end);
    expect(Date.parse(truth.floodOnset ?? '')).toBeGreaterThan(end - 31 * HOUR);
    expect(Date.parse(truth.floodOnset ?? '')).toBeLessThan(end - 29 * HOUR);
    expect(truth.firstFailure).not.toBeNull();
  });

  test.each([7, 30])('lookback %id: the accounting is consistent', (lookbackDays) => {
    const run = runs.get(lookbackDays);
    expect(run, 'measured').toBeDefined();
    if (run === undefined) return;
    expect(run.errors).toEqual([]);
    expect(run.queriesRun).toBeGreaterThan(0);
    // What the server billed is what the report says it cost, query by query.
    expect(run.reportBytesScanned).toBe(run.serverBytesScanned);
    expect(run.reportQueriesBytes).toBe(run.serverBytesScanned);
    expect(run.costUsd).toBeCloseTo((run.serverBytesScanned / 1e9) * 0.005, 12);
    // The minimum is a lower bound; the naive plan an upper one.
    expect(run.minimum?.bytes).toBeGreaterThan(0);
    expect(run.minimum?.bytes ?? Infinity).toBeLessThanOrEqual(run.serverBytesScanned);
    expect(run.serverBytesScanned).toBeLessThanOrEqual(run.lookbackAuditBytes ?? 0);
    expect(run.lookbackAuditBytes ?? Infinity).toBeLessThan((run.naivePlanBytes ?? 0) / run.naiveQueryCount);
    expect(run.naiveLibraryBytes).toBe(((run.naivePlanBytes ?? 0) / run.naiveQueryCount) * 17);
    // Rounds: the report's count is the verbose log's, and no round ran fewer than one query.
    expect(run.rounds).toBe(run.roundLines.length);
    expect(run.rounds).toBeGreaterThan(0);
    expect(run.queriesRun).toBeGreaterThanOrEqual(run.rounds ?? Infinity);
    expect(run.findings?.firstFailure).toBe(true);
    expect(run.findings?.failureCount).toBe(true);
    expect(describeRun(run)).toContain(`${lookbackDays}d lookback`);
  });

  test('the rounds do not grow with the lookback', () => {
    const [week, month] = [runs.get(7), runs.get(30)];
    expect(week?.rounds ?? Infinity, week?.roundLines.join('\n')).toBeLessThanOrEqual(4);
    expect(month?.rounds ?? Infinity, month?.roundLines.join('\n')).toBeLessThanOrEqual(week?.rounds ?? 0);
  });
});
