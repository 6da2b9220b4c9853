/**
 * Logs that span years must not give a report of a hundred megabytes: the write series is merged into
 * coarser bins once it would pass MAX_SERIES_BINS, keeping every count.
 */
import { describe, expect, test } from 'vitest';
import { MAX_SERIES_BINS } from '../../src/analysis/bins.js';
import { coarsenSeries, type IncidentSeries, type SeriesBin } from '../../src/analysis/write-volume.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

function series(binMs: number, count: number, startMs = Date.parse('2017-09-11T19:55:00Z')): IncidentSeries {
  const bins: SeriesBin[] = [];
  for (let i = 0; i < count; i++) {
    bins.push({
      startMs: startMs + i * binMs,
      writes: i % 7,
      okWrites: i % 5,
      failures: i % 11 === 0 ? 1 : 0,
      timeouts: i % 13 === 0 ? 2 : 0,
      serverErrors: i % 3,
      throttled: i % 17 === 0 ? 1 : 0,
    });
  }
  return { binMs, bins };
}

function totals(s: IncidentSeries): Record<string, number> {
  const t = { writes: 0, okWrites: 0, failures: 0, timeouts: 0, serverErrors: 0, throttled: 0 };
  for (const b of s.bins) for (const k of Object.keys(t) as (keyof typeof t)[]) t[k] += b[k];
  return t;
}

describe('coarsenSeries', () => {
  test('a series within the limit is returned as it is', () => {
    const s = series(5 * MINUTE, 1000);
    expect(coarsenSeries(s, MAX_SERIES_BINS)).toBe(s);
  });

  test('six years of 5-minute bins: under the limit, every count kept, bins contiguous and epoch-aligned', () => {
    const s = series(5 * MINUTE, Math.ceil((6 * 365 * DAY) / (5 * MINUTE)));
    const c = coarsenSeries(s, MAX_SERIES_BINS);
    expect(c.bins.length).toBeLessThanOrEqual(MAX_SERIES_BINS);
    expect(c.binMs % s.binMs).toBe(0);
    expect(totals(c)).toEqual(totals(s));
    for (let i = 0; i < c.bins.length; i++) {
      expect((c.bins[i]?.startMs ?? 0) % c.binMs).toBe(0);
      if (i > 0) expect((c.bins[i]?.startMs ?? 0) - (c.bins[i - 1]?.startMs ?? 0)).toBe(c.binMs);
    }
    expect(c.bins[0]?.startMs).toBeLessThanOrEqual(s.bins[0]?.startMs ?? 0);
  });

  test('just over the limit picks the next nice width (10 minutes)', () => {
    const c = coarsenSeries(series(5 * MINUTE, MAX_SERIES_BINS + 10), MAX_SERIES_BINS);
    expect(c.binMs).toBe(10 * MINUTE);
  });

  test('an odd requested width is merged by a whole multiple of itself', () => {
    const s = series(7 * MINUTE, 50_000);
    const c = coarsenSeries(s, 1000);
    expect(c.bins.length).toBeLessThanOrEqual(1000);
    expect(c.binMs % (7 * MINUTE)).toBe(0);
    expect(totals(c)).toEqual(totals(s));
  });
});
