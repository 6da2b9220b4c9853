/**
 * The per-bin incident series (writes, successful writes, NOSPACE failures, timeouts, 5xx, 429) from
 * one or more `incident-series` outcomes. Several outcomes arrive when the CloudWatch plan scans
 * disjoint windows in successive rounds; their bins are summed, which is exact because the windows
 * are aligned to bin boundaries.
 */
import type { QueryOutcome } from '../sources/source.js';
import { binStart, NICE_BINS_MS } from './bins.js';
import { numberValue, parseResultTime } from './row-values.js';

/** The stored query behind the series. */
export const SERIES_QUERY = 'incident-series';

export interface SeriesBin {
  startMs: number;
  writes: number;
  okWrites: number;
  failures: number;
  timeouts: number;
  serverErrors: number;
  throttled: number;
}

/** A contiguous run of bins, oldest first, with empty bins filled with zeros. */
export interface IncidentSeries {
  binMs: number;
  bins: SeriesBin[];
}

const emptyBin = (startMs: number): SeriesBin => ({
  startMs,
  writes: 0,
  okWrites: 0,
  failures: 0,
  timeouts: 0,
  serverErrors: 0,
  throttled: 0,
});

/** The name of the `bin(...)` column of a binned outcome, if it has one. */
export function binFieldOf(outcome: QueryOutcome): string | undefined {
  const fromFields = outcome.fields.find((f) => f.startsWith('bin('));
  if (fromFields !== undefined) return fromFields;
  const first = outcome.rows[0];
  return first === undefined ? undefined : Object.keys(first).find((f) => f.startsWith('bin('));
}

/**
 * Builds the series from `incident-series` outcomes. `range`, when given, fixes the first and last
 * bin (so a quiet stretch at either end still shows as zeros); otherwise the rows decide.
 */
export function buildSeries(
  outcomes: readonly QueryOutcome[],
  binMs: number,
  range?: { startMs: number; endMs: number },
): IncidentSeries {
  const byStart = new Map<number, SeriesBin>();
  for (const outcome of outcomes) {
    const binField = binFieldOf(outcome);
    if (binField === undefined) continue;
    const asked = outcome.request.range;
    for (const row of outcome.rows) {
      const t = parseResultTime(row[binField]);
      if (Number.isNaN(t)) continue;
      const start = binStart(t, binMs);
      // A bin outside the window asked for belongs to the neighbouring window, which reports it in
      // full: counting it here would count it twice. The CloudWatch source sends whole seconds that
      // stay inside the window (toQuerySeconds), so this guards any source that answers wider.
      if (asked !== undefined && (start > asked.endMs || start + binMs <= asked.startMs)) continue;
      const bin = byStart.get(start) ?? emptyBin(start);
      bin.writes += numberValue(row, 'writes');
      bin.okWrites += numberValue(row, 'okWrites');
      bin.failures += numberValue(row, 'failures');
      bin.timeouts += numberValue(row, 'timeouts');
      bin.serverErrors += numberValue(row, 'serverErrors');
      bin.throttled += numberValue(row, 'throttled');
      byStart.set(start, bin);
    }
  }
  const starts = [...byStart.keys()];
  if (starts.length === 0 && range === undefined) return { binMs, bins: [] };
  const first = range !== undefined ? binStart(range.startMs, binMs) : Math.min(...starts);
  const last = range !== undefined ? binStart(range.endMs, binMs) : Math.max(...starts);
  const bins: SeriesBin[] = [];
  for (let t = first; t <= last; t += binMs) bins.push(byStart.get(t) ?? emptyBin(t));
  return { binMs, bins };
}

/** Index of the first bin with a NOSPACE failure, or -1. */
export function firstFailureBinIndex(series: IncidentSeries): number {
  return series.bins.findIndex((b) => b.failures > 0);
}

/** Index of the last bin with a NOSPACE failure, or -1. */
export function lastFailureBinIndex(series: IncidentSeries): number {
  for (let i = series.bins.length - 1; i >= 0; i -= 1) if ((series.bins[i]?.failures ?? 0) > 0) return i;
  return -1;
}

/** Index of the first bin with an etcd request timeout, or -1. */
export function firstTimeoutBinIndex(series: IncidentSeries): number {
  return series.bins.findIndex((b) => b.timeouts > 0);
}

/**
 * The series with at most `maxBins` bins. Local files have no window to choose the bin width from
 * before they are read, so logs spanning years in 5-minute bins would be hundreds of thousands of bins
 * (a report of a hundred megabytes). Bins are merged into the smallest nice width that is a multiple of
 * the current one and fits; both are aligned on the epoch, so the merge is exact.
 */
export function coarsenSeries(series: IncidentSeries, maxBins: number): IncidentSeries {
  const first = series.bins[0];
  const last = series.bins[series.bins.length - 1];
  if (series.bins.length <= maxBins || first === undefined || last === undefined) return series;
  const span = last.startMs + series.binMs - first.startMs;
  const fits = (width: number): boolean => width % series.binMs === 0 && span / width + 1 <= maxBins;
  const coarse =
    NICE_BINS_MS.find((width) => width > series.binMs && fits(width)) ??
    series.binMs * Math.ceil(span / series.binMs / Math.max(1, maxBins - 1));
  const byStart = new Map<number, SeriesBin>();
  for (const bin of series.bins) {
    const start = binStart(bin.startMs, coarse);
    const merged = byStart.get(start) ?? emptyBin(start);
    merged.writes += bin.writes;
    merged.okWrites += bin.okWrites;
    merged.failures += bin.failures;
    merged.timeouts += bin.timeouts;
    merged.serverErrors += bin.serverErrors;
    merged.throttled += bin.throttled;
    byStart.set(start, merged);
  }
  const bins: SeriesBin[] = [];
  for (let t = binStart(first.startMs, coarse); t <= last.startMs; t += coarse)
    bins.push(byStart.get(t) ?? emptyBin(t));
  return { binMs: coarse, bins };
}
