/**
 * The per-bin incident series (writes, successful writes, NOSPACE failures, timeouts, 5xx, 429) from
 * one or more `incident-series` outcomes. Several outcomes arrive when the CloudWatch plan scans
 * disjoint windows in successive rounds; their bins are summed, which is exact because the windows
 * are aligned to bin boundaries.
 */
import type { QueryOutcome } from '../sources/source.js';
import { binStart } from './bins.js';
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
export function buildSeries(outcomes: readonly QueryOutcome[], binMs: number, range?: { startMs: number; endMs: number }): IncidentSeries {
  const byStart = new Map<number, SeriesBin>();
  for (const outcome of outcomes) {
    const binField = binFieldOf(outcome);
    if (binField === undefined) continue;
    for (const row of outcome.rows) {
      const t = parseResultTime(row[binField]);
      if (Number.isNaN(t)) continue;
      const start = binStart(t, binMs);
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
