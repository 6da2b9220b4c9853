/** Unit tests for each finding on small synthetic query outcomes. */
import { describe, expect, test } from 'vitest';
import { binLiteral, chooseBinMs, withBin } from '../../src/analysis/bins.js';
import { isStillFailing, summarizeFailures, timeoutRate } from '../../src/analysis/failures.js';
import { failureLocated, firstFailureFrom } from '../../src/analysis/first-failure.js';
import type { FailureSummary, Readiness } from '../../src/analysis/incident-report.js';
import { incidentWindows } from '../../src/analysis/incident-windows.js';
import { objectGrowthFrom } from '../../src/analysis/object-growth.js';
import { parseResultTime } from '../../src/analysis/row-values.js';
import { summarizeStrain } from '../../src/analysis/strain.js';
import { buildTimeline } from '../../src/analysis/timeline.js';
import { buildVerdict } from '../../src/analysis/verdict.js';
import { buildSeries, type IncidentSeries } from '../../src/analysis/write-volume.js';
import { actorRowsFrom, analyzeWriters, rowsInWindow, type ActorRow } from '../../src/analysis/writers.js';
import type { QueryOutcome } from '../../src/sources/source.js';

const MIN5 = 300_000;
const T0 = Date.parse('2024-06-14T00:00:00Z');
const fmt = (ms: number): string => new Date(ms).toISOString().replace('T', ' ').replace('Z', '');

function outcome(
  name: string,
  rows: Record<string, string>[],
  range?: { startMs: number; endMs: number },
): QueryOutcome {
  return {
    request: { name, queryString: '', ...(range === undefined ? {} : { range }) },
    fields: Object.keys(rows[0] ?? {}),
    rows,
    statistics: { recordsScanned: 0, recordsMatched: 0, bytesScanned: 0 },
    truncated: false,
  };
}

const seriesRow = (
  i: number,
  writes: number,
  extra: Record<string, number> = {},
): Record<string, string> => ({
  'bin(5m)': fmt(T0 + i * MIN5),
  writes: String(writes),
  okWrites: String(extra.okWrites ?? writes),
  failures: String(extra.failures ?? 0),
  timeouts: String(extra.timeouts ?? 0),
  serverErrors: String(extra.serverErrors ?? 0),
  throttled: String(extra.throttled ?? 0),
});

function series(values: { writes: number; okWrites?: number; failures?: number }[]): IncidentSeries {
  return buildSeries(
    [
      outcome(
        'incident-series',
        values.map((v, i) => seriesRow(i, v.writes, v)),
      ),
    ],
    MIN5,
  );
}

describe('result values', () => {
  test('CloudWatch timestamps are UTC; ISO and epoch ms are accepted', () => {
    expect(parseResultTime('2024-06-14 04:29:02.480')).toBe(Date.parse('2024-06-14T04:29:02.480Z'));
    expect(parseResultTime('2024-06-14T04:29:02.480Z')).toBe(Date.parse('2024-06-14T04:29:02.480Z'));
    expect(parseResultTime('1718339342480')).toBe(1718339342480);
    expect(parseResultTime('not a time')).toBeNaN();
  });
});

describe('bins', () => {
  test('5m by default, coarser only past 8000 bins, and the bin literal', () => {
    expect(chooseBinMs(undefined)).toBe(MIN5);
    expect(chooseBinMs(7 * 86_400_000)).toBe(MIN5);
    expect(chooseBinMs(60 * 86_400_000)).toBe(15 * 60_000);
    expect(chooseBinMs(60 * 86_400_000, 60_000)).toBe(60_000);
    expect([binLiteral(MIN5), binLiteral(3_600_000), binLiteral(86_400_000), binLiteral(90_000)]).toEqual([
      '5m',
      '1h',
      '1d',
      '90s',
    ]);
    expect(withBin('stats count(*) by bin(5m)', 3_600_000)).toBe('stats count(*) by bin(1h)');
  });
});

describe('series and failures', () => {
  test('outcomes of several windows are merged and gaps filled with zeros', () => {
    const a = outcome('incident-series', [seriesRow(0, 10), seriesRow(1, 12)]);
    const b = outcome('incident-series', [seriesRow(4, 7, { failures: 2, okWrites: 5 })]);
    const s = buildSeries([b, a], MIN5);
    expect(s.bins.map((x) => x.writes)).toEqual([10, 12, 0, 0, 7]);
    expect(s.bins[4]?.failures).toBe(2);
    const ranged = buildSeries([a], MIN5, { startMs: T0 - 2 * MIN5, endMs: T0 + 3 * MIN5 - 1 });
    expect(ranged.bins.map((x) => x.writes)).toEqual([0, 0, 10, 12, 0]);
  });

  test('the boundary second two adjacent windows both scan is counted once', () => {
    // The older window asked for [T0, T0+2 bins - 1 ms] but answered a row of the next bin too,
    // which the newer window [T0+2 bins, ...] owns and reports in full.
    const older = outcome(
      'incident-series',
      [seriesRow(0, 10), seriesRow(1, 12), seriesRow(2, 1, { failures: 1 })],
      {
        startMs: T0,
        endMs: T0 + 2 * MIN5 - 1,
      },
    );
    const newer = outcome('incident-series', [seriesRow(2, 9, { failures: 3 })], {
      startMs: T0 + 2 * MIN5,
      endMs: T0 + 3 * MIN5 - 1,
    });
    const s = buildSeries([newer, older], MIN5);
    expect(s.bins.map((x) => x.writes)).toEqual([10, 12, 9]);
    expect(s.bins[2]?.failures).toBe(3);
  });

  test('still failing: the last bin with writes has failures and no successful write', () => {
    expect(
      isStillFailing(series([{ writes: 10 }, { writes: 8, okWrites: 0, failures: 8 }, { writes: 0 }])),
    ).toBe(true);
    expect(
      isStillFailing(
        series([
          { writes: 8, okWrites: 0, failures: 8 },
          { writes: 9, okWrites: 9 },
        ]),
      ),
    ).toBe(false);
    expect(isStillFailing(series([{ writes: 8, okWrites: 3, failures: 5 }]))).toBe(false);
    const summary = summarizeFailures(
      series([{ writes: 10 }, { writes: 8, okWrites: 0, failures: 8 }]),
      T0 + MIN5 + 1234,
    );
    expect(summary).toEqual({ count: 8, last: new Date(T0 + MIN5 + 1234).toISOString(), stillFailing: true });
    expect(summarizeFailures(series([{ writes: 3 }]), null)).toEqual({
      count: 0,
      last: null,
      stillFailing: false,
    });
  });

  test('the gallop stops only when a clean bin precedes the earliest failure', () => {
    expect(failureLocated(series([{ writes: 5 }, { writes: 5, failures: 1 }]))).toBe(true);
    expect(
      failureLocated(
        series([
          { writes: 5, failures: 1 },
          { writes: 5, failures: 1 },
        ]),
      ),
    ).toBe(false);
    expect(failureLocated(series([{ writes: 5 }]))).toBe(false);
  });

  test('the first-failure probe row becomes the report field', () => {
    const row = {
      '@timestamp': '2024-06-14 04:29:02.480',
      user: 'u',
      userAgent: 'ua',
      verb: 'create',
      resource: 'ephemeralreports',
      apiGroup: 'reports.kyverno.io',
      namespace: 'ns',
      requestURI: '/apis/x',
    };
    expect(firstFailureFrom(outcome('incident-first-failure', [row]))).toEqual({
      ...row,
      '@timestamp': undefined,
      timestamp: '2024-06-14T04:29:02.480Z',
    });
    expect(firstFailureFrom(outcome('incident-first-failure', []))).toBeNull();
  });
});

describe('lead-up and baseline windows', () => {
  test('onset to the end of the first failure bin; baseline as long as the lead-up, at least an hour', () => {
    const values = [
      ...Array.from({ length: 30 }, () => ({ writes: 100 })),
      ...Array.from({ length: 10 }, () => ({ writes: 300 })),
      { writes: 300, failures: 5 },
    ];
    const w = incidentWindows(series(values), T0 + 41 * MIN5 - 1);
    expect(w.onset?.index).toBe(30);
    expect(w.leadUp).toEqual({ startMs: T0 + 30 * MIN5, endMs: T0 + 41 * MIN5 - 1 });
    expect(w.baseline).toEqual({ startMs: T0 + 30 * MIN5 - 3_600_000, endMs: T0 + 30 * MIN5 - 1 });
  });

  test('no failure: the lead-up runs from the onset to the end of the window', () => {
    const values = [
      ...Array.from({ length: 20 }, () => ({ writes: 50 })),
      ...Array.from({ length: 10 }, () => ({ writes: 200 })),
    ];
    const end = T0 + 30 * MIN5 - 1;
    const w = incidentWindows(series(values), end);
    expect(w.firstFailureIndex).toBe(-1);
    expect(w.leadUp).toEqual({ startMs: T0 + 20 * MIN5, endMs: end });
  });
});

const actor = (over: Partial<ActorRow>): ActorRow => ({
  binStartMs: null,
  user: 'u',
  userAgent: 'ua',
  resource: 'configmaps',
  apiGroup: '',
  apiVersion: 'v1',
  namespace: 'default',
  subresource: '',
  writes: 0,
  creates: 0,
  deletes: 0,
  serverErrors: 0,
  throttled: 0,
  ...over,
});

describe('writers, growth and strain', () => {
  test('actor rows read the query columns, binned or not', () => {
    const rows = actorRowsFrom(
      outcome('incident-actors-by-bin', [
        {
          'bin(5m)': fmt(T0),
          'user.username': 'kyverno',
          userAgent: 'k/1',
          'objectRef.resource': 'ephemeralreports',
          'objectRef.apiGroup': 'reports.kyverno.io',
          writes: '9',
          creates: '8',
        },
      ]),
    );
    expect(rows[0]).toMatchObject({
      binStartMs: T0,
      user: 'kyverno',
      resource: 'ephemeralreports',
      apiGroup: 'reports.kyverno.io',
      writes: 9,
      creates: 8,
      namespace: '',
    });
    expect(rowsInWindow(rows, T0 + MIN5, T0 + 2 * MIN5)).toEqual([]);
  });

  test('a writer is a user: one operator in many namespaces outranks a busier single combination', () => {
    const leadUp = [
      ...Array.from({ length: 10 }, (_, i) =>
        actor({
          user: 'kyverno',
          userAgent: 'kyverno/1.12.3',
          resource: 'ephemeralreports',
          apiGroup: 'reports.kyverno.io',
          namespace: `ns-${i}`,
          writes: 30,
        }),
      ),
      actor({
        user: 'kubelet',
        resource: 'leases',
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-node-lease',
        writes: 100,
      }),
    ];
    const baseline = [
      actor({
        user: 'kubelet',
        resource: 'leases',
        apiGroup: 'coordination.k8s.io',
        namespace: 'kube-node-lease',
        writes: 100,
      }),
      actor({ user: 'kyverno', writes: 3 }),
    ];
    const result = analyzeWriters(leadUp, baseline, 3_600_000, 3_600_000);
    expect(result.totalWrites).toBe(400);
    expect(result.topWriters[0]).toMatchObject({
      user: 'kyverno',
      userAgent: 'kyverno/1.12.3',
      resource: 'ephemeralreports',
      apiGroup: 'reports.kyverno.io',
      writes: 300,
      share: 0.75,
      growth: 100,
    });
    expect(result.topWriters[1]).toMatchObject({ user: 'kubelet', writes: 100, share: 0.25, growth: 1 });
    const byNamespace = result.rankings.find((r) => r.dimension === 'namespace');
    expect(byNamespace?.entries[0]).toMatchObject({ key: 'kube-node-lease', writes: 100 });
    const byResource = result.rankings.find((r) => r.dimension === 'resource');
    expect(byResource?.entries[0]).toMatchObject({
      key: 'ephemeralreports',
      apiGroup: 'reports.kyverno.io',
      writes: 300,
      growth: null,
    });
  });

  test('object growth: creates minus deletes, subresources left out, largest first', () => {
    const growth = objectGrowthFrom([
      actor({ resource: 'configmaps', creates: 50, deletes: 5 }),
      actor({ resource: 'configmaps', creates: 10 }),
      actor({ resource: 'pods', subresource: 'binding', creates: 99 }),
      actor({ resource: 'secrets', creates: 1, deletes: 4 }),
    ]);
    expect(growth.map((g) => [g.resource, g.net])).toEqual([
      ['configmaps', 55],
      ['secrets', -3],
    ]);
  });

  test('strain: timeouts from the series, 5xx and 429 by user agent', () => {
    const s = buildSeries(
      [
        outcome('incident-series', [
          seriesRow(0, 5, { timeouts: 2, serverErrors: 3, throttled: 1 }),
          seriesRow(1, 5, { timeouts: 1 }),
        ]),
      ],
      MIN5,
    );
    const strain = summarizeStrain(
      s,
      [
        actor({ userAgent: 'a', serverErrors: 2 }),
        actor({ userAgent: 'b', throttled: 5 }),
        actor({ userAgent: 'a', serverErrors: 1 }),
      ],
      T0 + 42,
    );
    expect(timeoutRate(s).map((p) => p.value)).toEqual([2, 1]);
    expect(strain).toEqual({
      timeouts: 3,
      firstTimeout: new Date(T0 + 42).toISOString(),
      serverErrors: 3,
      throttled: 1,
      byUserAgent: [
        { userAgent: 'b', serverErrors: 0, throttled: 5 },
        { userAgent: 'a', serverErrors: 3, throttled: 0 },
      ],
    });
  });
});

describe('timeline and verdict', () => {
  const readiness: Readiness = {
    auditLoggingEnabled: true,
    enabledSince: '2024-06-13T22:00:00.000Z',
    oldestEvent: null,
    newestEvent: null,
    blindBefore: null,
    notes: [],
  };
  const failures: FailureSummary = { count: 12, last: '2024-06-14T05:00:00.000Z', stillFailing: false };
  const firstFailure = {
    timestamp: '2024-06-14T04:00:00.000Z',
    user: 'kyverno',
    userAgent: 'k',
    verb: 'create',
    resource: 'r',
    apiGroup: 'g',
    namespace: 'n',
    requestURI: '/apis/g/v1/namespaces/n/r',
  };
  const topWriter = {
    user: 'kyverno',
    userAgent: 'k',
    resource: 'r',
    apiGroup: 'g',
    namespace: 'n',
    writes: 90,
    share: 0.9,
    growth: 30,
  };

  test('one ordered UTC list with evidence; last failure when recovered, still failing when not', () => {
    const events = buildTimeline({
      readiness,
      window: { startMs: Date.parse('2024-06-13T20:00:00Z'), endMs: Date.parse('2024-06-14T06:00:00Z') },
      baseline: { startMs: Date.parse('2024-06-14T01:00:00Z'), perBin: 100, binMs: MIN5 },
      floodOnset: {
        timestamp: '2024-06-14T02:00:00.000Z',
        baselinePerBin: 100,
        onsetPerBin: 250,
        binMs: MIN5,
      },
      topWriter,
      topWriterFirstSeenMs: Date.parse('2024-06-14T02:00:00Z'),
      sizeCrossings: [{ fraction: 0.9, timestamp: '2024-06-14T03:30:00.000Z', bytes: 7.3e9 }],
      sizeMetricName: 'apiserver_storage_size_bytes',
      firstFailure,
      firstTimeoutMs: Date.parse('2024-06-14T03:50:00Z'),
      timeouts: 4,
      failures,
      evidence: {
        series: { query: 'incident-series', consoleUrl: 'https://console/series' },
        firstFailure: { query: 'incident-first-failure' },
        lastFailure: { query: 'incident-last-failure' },
        firstTimeout: { query: 'incident-first-timeout' },
        actors: { query: 'incident-actors-by-bin' },
        metrics: { query: 'metrics:apiserver_storage_size_bytes' },
      },
    });
    expect(events.map((e) => e.kind)).toEqual([
      'logging-enabled',
      'baseline',
      'flood-onset',
      'top-writer-first-seen',
      'size-threshold',
      'first-timeout',
      'first-failure',
      'last-failure',
    ]);
    const sorted = [...events].sort((a, b) => a.timestamp.localeCompare(b.timestamp));
    expect(events.map((e) => e.timestamp)).toEqual(sorted.map((e) => e.timestamp));
    expect(events.find((e) => e.kind === 'flood-onset')?.evidence).toEqual({
      query: 'incident-series',
      consoleUrl: 'https://console/series',
    });
    const ongoing = buildTimeline({
      readiness: { ...readiness, enabledSince: null, blindBefore: '2024-06-14T00:30:00.000Z' },
      window: { startMs: Date.parse('2024-06-14T00:00:00Z'), endMs: Date.parse('2024-06-14T06:00:00Z') },
      baseline: null,
      floodOnset: null,
      topWriter: null,
      topWriterFirstSeenMs: null,
      sizeCrossings: [],
      sizeMetricName: null,
      firstFailure,
      firstTimeoutMs: null,
      timeouts: 0,
      failures: { ...failures, stillFailing: true },
      evidence: {
        series: null,
        firstFailure: null,
        lastFailure: null,
        firstTimeout: null,
        actors: null,
        metrics: null,
      },
    });
    expect(ongoing.map((e) => e.kind)).toEqual(['blind-period', 'first-failure', 'still-failing']);
    expect(ongoing.at(-1)?.timestamp).toBe('2024-06-14T06:00:00.000Z');
  });

  test('the verdict is one line naming what and who', () => {
    const line = buildVerdict({
      firstFailure,
      failures,
      floodOnset: null,
      topWriter,
      topGrowth: null,
      complete: true,
    });
    expect(line).not.toContain('\n');
    expect(line).toMatch(
      /ran out of space at 2024-06-14T04:00:00.000Z.*until 2024-06-14T05:00:00.000Z.*kyverno \(k\) wrote 90% of writes, mostly r\.g/,
    );
    expect(
      buildVerdict({
        firstFailure: null,
        failures: { count: 0, last: null, stillFailing: false },
        floodOnset: null,
        topWriter: null,
        topGrowth: null,
        complete: false,
      }),
    ).toBe('No "database space exceeded" failures in the window (incomplete: see warnings).');
  });
});
