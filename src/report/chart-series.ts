import type { SeriesPoint } from '../analysis/incident-report.js';
import { parseIsoMs } from './incident-text.js';

/** Write and failure counts on one common time grid, ready to draw. */
export interface ChartData {
  /** Start of each bin, epoch ms. */
  starts: number[];
  writes: number[];
  failures: number[];
  /** Width of one bin after re-binning. */
  binMs: number;
  /** Start of the first bin to the end of the last one. */
  spanMs: number;
}

/**
 * Puts the write and failure series on one grid starting at their earliest bin and merges neighbouring
 * bins (summing counts) until there are at most `maxBins`. Points whose timestamp does not parse, or
 * whose value is not a finite number, are ignored. Returns null when there is nothing to draw.
 */
export function alignSeries(
  series: { binMs: number; writes: SeriesPoint[]; failures: SeriesPoint[] },
  maxBins: number,
): ChartData | null {
  const parse = (points: SeriesPoint[]): [number, number][] =>
    points.flatMap((p) => {
      const ms = parseIsoMs(p.timestamp);
      return ms === null || !Number.isFinite(p.value) ? [] : [[ms, p.value] as [number, number]];
    });
  const writes = parse(series.writes);
  const failures = parse(series.failures);
  const all = [...writes, ...failures];
  if (all.length === 0) return null;
  let first = Infinity;
  let last = -Infinity;
  for (const [ms] of all) {
    if (ms < first) first = ms;
    if (ms > last) last = ms;
  }
  const sourceBinMs =
    Number.isFinite(series.binMs) && series.binMs > 0 ? series.binMs : Math.max(1, last - first);
  const sourceBins = Math.floor((last - first) / sourceBinMs) + 1;
  const factor = Math.max(1, Math.ceil(sourceBins / Math.max(1, Math.floor(maxBins))));
  const binMs = sourceBinMs * factor;
  const count = Math.floor((last - first) / binMs) + 1;
  const starts = Array.from({ length: count }, (_, i) => first + i * binMs);
  const sum = (points: [number, number][]): number[] => {
    const out = new Array<number>(count).fill(0);
    for (const [ms, value] of points) {
      const index = Math.floor((ms - first) / binMs);
      out[index] = (out[index] ?? 0) + value;
    }
    return out;
  };
  return { starts, writes: sum(writes), failures: sum(failures), binMs, spanMs: count * binMs };
}

/** A "nice" axis maximum (1, 2, 2.5 or 5 times a power of ten) at or above `value`. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

/** Indexes of up to `count` evenly spaced bins to label on the x axis (always the first and last). */
export function tickIndexes(bins: number, count: number): number[] {
  if (bins <= 0) return [];
  if (bins === 1 || count <= 1) return [0];
  const ticks = Math.min(bins, count);
  const out = new Set<number>();
  for (let i = 0; i < ticks; i += 1) out.add(Math.round((i * (bins - 1)) / (ticks - 1)));
  return [...out].sort((a, b) => a - b);
}

const MINUTE = 60_000;
const TICK_STEPS_MS = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440, 2880, 10080].map((m) => m * MINUTE);

/**
 * Indexes of bins that start on a round UTC time (every 15 minutes, hour, 6 hours, day...), the
 * finest such step that gives at most `maxTicks` labels; evenly spaced indexes when no round step fits.
 */
export function timeTickIndexes(data: ChartData, maxTicks: number): number[] {
  for (const step of TICK_STEPS_MS) {
    if (step % data.binMs !== 0) continue;
    const indexes: number[] = [];
    data.starts.forEach((start, i) => {
      if (start % step === 0) indexes.push(i);
    });
    if (indexes.length >= 2 && indexes.length <= maxTicks) return indexes;
  }
  return tickIndexes(data.starts.length, maxTicks);
}
