/**
 * The CloudWatch query plan against issue 5's targets, on a 7-day generated dataset whose incident
 * sits in its last 30 hours: at most 4 query rounds on the critical path (for 7- and 30-day
 * lookbacks), bytes scanned at most 1.5x the minimum and at most a quarter of the naive plan, and
 * the same findings as the local one-pass plan.
 *
 * Minimum: one pass over the audit bytes of the window the analysis needs, from an hour before the
 * true flood onset (the least baseline growth is measured against) to the end of the window.
 * Naive: each of the 11 stored incident queries the issue lists, over the whole lookback.
 */
import { describe, expect, test } from 'vitest';
import { analyzeIncident, IncompleteAnalysisError } from '../../src/analysis/incident.js';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { createFakeCloudWatchSource } from './fake-cloudwatch-source.js';
import { analysisQueryTexts, generate } from './analysis-support.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NAIVE_QUERIES = 11;
const queries = analysisQueryTexts();

const startMs = Date.parse('2024-06-01T00:00:00Z');
const durationMs = 7 * DAY;
const endMs = startMs + durationMs - 1;
const incident = generate({
  seed: 21,
  start: new Date(startMs).toISOString(),
  durationMs,
  eventsPerMinute: 4,
  shape: 'operator-flood',
  outcome: 'ongoing',
  floodStartFraction: 1 - 30 / (7 * 24),
});

async function analyse(
  lookbackMs: number,
  events = incident.events,
): Promise<{ report: IncidentReport; source: ReturnType<typeof createFakeCloudWatchSource> }> {
  const source = createFakeCloudWatchSource(events);
  const report = await analyzeIncident({
    source,
    queries,
    lookbackMs,
    now: endMs,
    window: { startMs: endMs - lookbackMs, endMs },
  });
  return { report, source };
}

describe('CloudWatch plan: incident in the last 30 h of 7 days', () => {
  test('the dataset is what the test claims', () => {
    expect(Date.parse(incident.truth.floodOnset ?? '')).toBeGreaterThan(endMs - 31 * HOUR);
    expect(incident.truth.firstFailure).not.toBeNull();
  });

  test.each([
    ['7d', 7 * DAY],
    ['30d', 30 * DAY],
  ])(
    'lookback %s: at most 4 rounds, bytes within 1.5x the minimum and a quarter of the naive plan',
    async (_, lookbackMs) => {
      const { report, source } = await analyse(lookbackMs);
      expect(source.rounds).toBeLessThanOrEqual(4);
      expect(report.plan?.rounds).toBe(source.rounds);
      const onsetMs = Date.parse(incident.truth.floodOnset ?? '');
      const minimum = source.bytesIn({ startMs: onsetMs - HOUR, endMs });
      const naive = NAIVE_QUERIES * source.bytesIn({ startMs: endMs - lookbackMs, endMs });
      const scanned = report.cost.bytesScanned;
      expect(scanned).toBe(source.bytesScanned);
      expect(scanned / minimum, `scanned ${scanned} vs minimum ${minimum}`).toBeLessThanOrEqual(1.5);
      expect(scanned / naive).toBeLessThanOrEqual(0.25);
      // Every query is in the report with its bytes.
      expect(report.queries).toHaveLength(source.requests.length);
      expect(report.queries.reduce((s, q) => s + q.bytesScanned, 0)).toBe(scanned);
    },
  );

  test('finds what the local plan finds: first failure, count, top writer, onset', async () => {
    const { report } = await analyse(7 * DAY);
    const truth = incident.truth;
    expect(report.firstFailure).toEqual(truth.firstFailure);
    expect(report.failures.count).toBe(truth.failureCount);
    expect(report.failures.last).toBe(truth.lastFailure);
    expect(report.failures.stillFailing).toBe(true);
    expect(report.topWriters[0]?.user).toBe(truth.topWriter.user);
    expect(
      Math.abs(Date.parse(report.floodOnset?.timestamp ?? '') - Date.parse(truth.floodOnset ?? '')),
    ).toBeLessThanOrEqual(report.series.binMs);
    expect(report.strain.timeouts).toBe(truth.timeoutCount);
    // Timeline evidence carries the console link of the query it came from.
    const first = report.timeline.find((e) => e.kind === 'first-failure');
    expect(first?.evidence?.query).toBe('incident-first-failure');
    expect(first?.evidence?.consoleUrl).toContain('console.aws.amazon.com');
  });
});

describe('CloudWatch plan: other incidents in the last 30 h', () => {
  const generateLate = (
    seed: number,
    shape: 'operator-flood' | 'user-flood',
    outcome: 'ongoing' | 'recovered',
  ) =>
    generate({
      seed,
      start: new Date(startMs).toISOString(),
      durationMs,
      eventsPerMinute: 4,
      shape,
      outcome,
      floodStartFraction: 1 - 30 / (7 * 24),
    });

  test('a user flood, ongoing: within 1.5x the minimum, 4 rounds, the same findings', async () => {
    const late = generateLate(23, 'user-flood', 'ongoing');
    const { report, source } = await analyse(7 * DAY, late.events);
    const minimum = source.bytesIn({ startMs: Date.parse(late.truth.floodOnset ?? '') - HOUR, endMs });
    expect(source.rounds).toBeLessThanOrEqual(4);
    expect(report.cost.bytesScanned / minimum).toBeLessThanOrEqual(1.5);
    expect(report.firstFailure).toEqual(late.truth.firstFailure);
    expect(report.topWriters[0]?.user).toBe(late.truth.topWriter.user);
  });

  test('a recovered incident: the lead-up weighs more (known: about 1.7x the minimum), still far under the naive plan', async () => {
    const late = generateLate(25, 'user-flood', 'recovered');
    const { report, source } = await analyse(7 * DAY, late.events);
    const minimum = source.bytesIn({ startMs: Date.parse(late.truth.floodOnset ?? '') - HOUR, endMs });
    const naive = NAIVE_QUERIES * source.bytesIn({ startMs: endMs - 7 * DAY, endMs });
    expect(source.rounds).toBeLessThanOrEqual(4);
    expect(report.cost.bytesScanned / minimum).toBeLessThanOrEqual(1.8);
    expect(report.cost.bytesScanned / naive).toBeLessThanOrEqual(0.25);
    expect(report.failures.last).toBe(late.truth.lastFailure);
    expect(report.failures.stillFailing).toBe(false);
  });
});

describe('CloudWatch plan: a flood that begins where the first search window starts', () => {
  test('the onset is not taken from a baseline that was already the flood: the plan looks further back', async () => {
    const days = 2;
    const end = startMs + days * DAY - 1;
    const late = generate({
      seed: 34,
      start: new Date(startMs).toISOString(),
      durationMs: days * DAY,
      eventsPerMinute: 20,
      shape: 'operator-flood',
      outcome: 'ongoing',
      floodStartFraction: 1 - 6 / (days * 24),
    });
    const source = createFakeCloudWatchSource(late.events);
    const report = await analyzeIncident({
      source,
      queries,
      now: end,
      window: { startMs: end - 7 * DAY, endMs: end },
    });
    expect(source.rounds).toBeLessThanOrEqual(4);
    expect(report.firstFailure).toEqual(late.truth.firstFailure);
    const onsetMs = Date.parse(late.truth.floodOnset ?? '');
    expect(Math.abs(Date.parse(report.floodOnset?.timestamp ?? '') - onsetMs)).toBeLessThanOrEqual(
      report.series.binMs,
    );
  });
});

describe('CloudWatch plan: rounds stay bounded whatever the lookback', () => {
  const quiet = generate({
    seed: 22,
    start: new Date(startMs).toISOString(),
    durationMs,
    eventsPerMinute: 2,
    shape: 'user-flood',
    outcome: 'none',
  });

  test.each([
    ['7d', 7 * DAY],
    ['30d', 30 * DAY],
  ])(
    'no failure at all, lookback %s: the whole lookback is searched in at most 4 rounds',
    async (_, lookbackMs) => {
      const { report, source } = await analyse(lookbackMs, quiet.events);
      expect(source.rounds).toBeLessThanOrEqual(4);
      expect(report.firstFailure).toBeNull();
      const windows = source.requests.filter((r) => r.name === 'incident-series').map((r) => r.range!);
      // The series windows tile the lookback without overlap.
      const sorted = [...windows].sort((a, b) => a.startMs - b.startMs);
      // From the start of the lookback (rounded down to its bin) to the end.
      const first = sorted[0]?.startMs ?? Number.NaN;
      expect(first).toBeLessThanOrEqual(endMs - lookbackMs);
      expect(first).toBeGreaterThan(endMs - lookbackMs - report.series.binMs);
      expect(sorted[sorted.length - 1]?.endMs).toBe(endMs);
      for (let i = 1; i < sorted.length; i++)
        expect(sorted[i]?.startMs).toBe((sorted[i - 1]?.endMs ?? 0) + 1);
    },
  );

  test('failing since before the lookback: searched to the start, at most 4 rounds, and it says so', async () => {
    const { report, source } = await analyse(10 * HOUR);
    expect(source.rounds).toBeLessThanOrEqual(4);
    expect(report.firstFailure).not.toBeNull();
    expect(report.warnings.join('\n')).toMatch(/already failing at the start of the window/);
  });
});

describe('CloudWatch plan: a failed query keeps the rest', () => {
  test('the report is written with complete:false and names the query', async () => {
    const source = createFakeCloudWatchSource(incident.events, { failOn: 'incident-actors' });
    const error = await analyzeIncident({
      source,
      queries,
      now: endMs,
      window: { startMs: endMs - 7 * DAY, endMs },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(IncompleteAnalysisError);
    const report = (error as IncompleteAnalysisError).report;
    expect(report.complete).toBe(false);
    expect(report.warnings.join('\n')).toMatch(/incident-actors/);
    expect(report.firstFailure).toEqual(incident.truth.firstFailure);
    expect(report.failures.count).toBe(incident.truth.failureCount);
  });
});
