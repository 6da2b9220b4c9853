/**
 * analyze against the generator's ground truth: for several seeds, sizes, shapes and outcomes, the
 * incident is generated in memory, written to a file, read by the real local source, and analysed.
 * The truth is counted from the emitted events (bench/incident/truth.ts), not from the generator's
 * parameters.
 */
import { afterAll, describe, expect, test } from 'vitest';
import type { OutputFormat } from '../../bench/incident/formats.js';
import type { IncidentOptions } from '../../bench/incident/generate.js';
import { analyzeIncident } from '../../src/analysis/incident.js';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { createLocalSource } from '../../src/sources/local-source.js';
import { analysisQueryTexts, generate, writeIncidentFile } from './analysis-support.js';

const HOUR = 3_600_000;
const queries = analysisQueryTexts();
const cleanups: (() => void)[] = [];
afterAll(() => cleanups.forEach((c) => c()));

interface Scenario {
  title: string;
  options: IncidentOptions;
  format: OutputFormat;
}

const start = '2024-06-14T00:00:00Z';
const SCENARIOS: Scenario[] = [
  {
    title: 'operator flood, ongoing, 6 h',
    options: { seed: 1, start, durationMs: 6 * HOUR, shape: 'operator-flood', outcome: 'ongoing' },
    format: 'audit-jsonl',
  },
  {
    title: 'user flood, ongoing, 4 h, denser',
    options: {
      seed: 2,
      start,
      durationMs: 4 * HOUR,
      eventsPerMinute: 60,
      shape: 'user-flood',
      outcome: 'ongoing',
    },
    format: 'audit-jsonl',
  },
  {
    title: 'operator flood, recovered, 8 h',
    options: { seed: 3, start, durationMs: 8 * HOUR, shape: 'operator-flood', outcome: 'recovered' },
    format: 'cw-jsonl',
  },
  {
    title: 'user flood, recovered, all stages (self-managed apiserver)',
    options: {
      seed: 4,
      start,
      durationMs: 6 * HOUR,
      shape: 'user-flood',
      outcome: 'recovered',
      stages: 'all',
    },
    format: 'audit-jsonl',
  },
  {
    title: 'operator flood, no failure',
    options: { seed: 5, start, durationMs: 6 * HOUR, shape: 'operator-flood', outcome: 'none' },
    format: 'audit-jsonl',
  },
  {
    title: 'user flood, no failure, S3 export',
    options: { seed: 6, start, durationMs: 5 * HOUR, shape: 'user-flood', outcome: 'none' },
    format: 's3-export',
  },
  {
    title: 'operator flood, ongoing, 3 h, small and sparse, with the api stream',
    options: {
      seed: 8,
      start,
      durationMs: 3 * HOUR,
      eventsPerMinute: 15,
      shape: 'operator-flood',
      outcome: 'ongoing',
      withApiStream: true,
    },
    format: 'cw-jsonl',
  },
  {
    title: 'operator flood, ongoing, 12 h, late flood',
    options: {
      seed: 9,
      start,
      durationMs: 12 * HOUR,
      eventsPerMinute: 20,
      shape: 'operator-flood',
      outcome: 'ongoing',
      floodStartFraction: 0.7,
    },
    format: 'audit-jsonl',
  },
];

describe.each(SCENARIOS)('ground truth: $title', ({ options, format }) => {
  const { events, truth } = generate(options);
  let report: IncidentReport | undefined;
  const analysed = async (): Promise<IncidentReport> => {
    if (report !== undefined) return report;
    const { file, cleanup } = writeIncidentFile(events, format, options.seed);
    cleanups.push(cleanup);
    report = await analyzeIncident({
      source: createLocalSource({ paths: [file] }),
      queries,
      now: Date.parse('2025-01-01T00:00:00Z'),
    });
    return report;
  };

  test('first failure to the millisecond, with who sent it', async () => {
    const r = await analysed();
    expect(r.firstFailure).toEqual(truth.firstFailure);
  });

  test('failure count, last failure and still-failing', async () => {
    const r = await analysed();
    expect(r.failures.count).toBe(truth.failureCount);
    expect(r.failures.last).toBe(truth.lastFailure);
    expect(r.failures.stillFailing).toBe(truth.stillFailing);
  });

  test('top writer', async () => {
    const r = await analysed();
    const top = r.topWriters[0];
    expect(top?.user).toBe(truth.topWriter.user);
    expect(top?.userAgent).toBe(truth.topWriter.userAgent);
    expect(top?.resource).toBe(truth.topWriter.resource);
    expect(top?.apiGroup).toBe(truth.topWriter.apiGroup);
    if (options.shape === 'user-flood') expect(top?.namespace).toBe(truth.topWriter.namespace);
  });

  test('flood onset within one bin', async () => {
    const r = await analysed();
    expect(truth.floodOnset).not.toBeNull();
    expect(r.floodOnset).not.toBeNull();
    const delta = Date.parse(r.floodOnset?.timestamp ?? '') - Date.parse(truth.floodOnset ?? '');
    expect(Math.abs(delta)).toBeLessThanOrEqual(r.series.binMs);
  });

  test('etcd timeouts and the fastest-growing resource', async () => {
    const r = await analysed();
    expect(r.strain.timeouts).toBe(truth.timeoutCount);
    expect(r.strain.firstTimeout).toBe(truth.firstTimeout);
    const truthTop = truth.netGrowth[0];
    if (truthTop !== undefined && r.remediation !== null) {
      expect([r.remediation.resource, r.remediation.apiGroup]).toEqual([
        truthTop.resource,
        truthTop.apiGroup,
      ]);
    }
    expect(r.complete).toBe(true);
    expect(r.plan?.rounds).toBe(1);
  });
});
