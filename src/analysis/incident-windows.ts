/**
 * The windows the analysis reasons about, all aligned to bin boundaries:
 * - flood onset: the first bin where the write rate leaves its baseline (flood-onset.ts), looked for
 *   only up to the first failure (after it, retries of refused writes are not a flood);
 * - lead-up: from the flood onset (or DEFAULT_LEAD_UP_MS before the first failure when no onset is
 *   found) to the end of the bin holding the first failure; with no failure, to the end of the window;
 * - baseline: the stretch just before the lead-up, as long as the lead-up but between
 *   MIN_BASELINE_MS and MAX_BASELINE_MS, clipped to the data: what growth is measured against.
 */
import {
  DEFAULT_FLOOD_ONSET_RULE,
  detectFloodOnset,
  type FloodOnsetResult,
  type FloodOnsetRule,
} from './flood-onset.js';
import { firstFailureBinIndex, type IncidentSeries } from './write-volume.js';

const HOUR = 3_600_000;
export const DEFAULT_LEAD_UP_MS = 2 * HOUR;
export const MIN_BASELINE_MS = 1 * HOUR;
export const MAX_BASELINE_MS = 6 * HOUR;

export interface Span {
  startMs: number;
  /** Inclusive. */
  endMs: number;
}

export interface IncidentWindows {
  firstFailureIndex: number;
  onset: FloodOnsetResult | null;
  leadUp: Span | null;
  baseline: Span | null;
}

/** Works out onset, lead-up and baseline from the series. `endMs` is the end of the window. */
export function incidentWindows(
  series: IncidentSeries,
  endMs: number,
  rule: FloodOnsetRule = DEFAULT_FLOOD_ONSET_RULE,
): IncidentWindows {
  const { bins, binMs } = series;
  const firstFailureIndex = firstFailureBinIndex(series);
  const first = bins[0];
  if (first === undefined) return { firstFailureIndex, onset: null, leadUp: null, baseline: null };
  const writes = bins.map((b) => b.writes);
  const candidates =
    firstFailureIndex >= 0 ? writes.slice(0, firstFailureIndex + rule.persistenceBins) : writes;
  const found = detectFloodOnset(candidates, rule);
  const onset = found !== null && (firstFailureIndex < 0 || found.index <= firstFailureIndex) ? found : null;
  const seriesStart = first.startMs;
  const onsetStart = onset === null ? undefined : bins[onset.index]?.startMs;
  let leadUp: Span;
  if (firstFailureIndex >= 0) {
    const failureBin = bins[firstFailureIndex]?.startMs ?? seriesStart;
    leadUp = {
      startMs: onsetStart ?? Math.max(seriesStart, failureBin - DEFAULT_LEAD_UP_MS),
      endMs: failureBin + binMs - 1,
    };
  } else {
    const lastBin = bins[bins.length - 1]?.startMs ?? seriesStart;
    leadUp = { startMs: onsetStart ?? Math.max(seriesStart, lastBin + binMs - DEFAULT_LEAD_UP_MS), endMs };
  }
  const length = Math.min(MAX_BASELINE_MS, Math.max(MIN_BASELINE_MS, leadUp.endMs + 1 - leadUp.startMs));
  const baselineStart = Math.max(seriesStart, leadUp.startMs - length);
  const baseline =
    baselineStart < leadUp.startMs ? { startMs: baselineStart, endMs: leadUp.startMs - 1 } : null;
  return { firstFailureIndex, onset, leadUp, baseline };
}
