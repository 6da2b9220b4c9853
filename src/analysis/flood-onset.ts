/**
 * The flood onset: the first time bin where the write rate leaves its earlier baseline.
 *
 * The rule (pinned down by test/analysis/flood-onset.test.ts):
 *   for each candidate bin i with at least `minBaselineBins` bins before it, the baseline is the
 *   preceding `baselineBins` bins (or all of them, when fewer). With m = median and
 *   s = max(1.4826 * MAD, 1.2533 * mean absolute deviation from m) (both scaled to a normal
 *   standard deviation; the second keeps s honest when more than half the bins are equal, e.g.
 *   a quiet cluster whose bins are mostly 0), the p = persistenceBins bins i .. i + p - 1 leave
 *   the baseline when
 *     their mean > m + max(k * s / sqrt(p), minRelativeJump * m, minAbsoluteJump)   (the rise)
 *     and every one of them > m + s                                                (persistence)
 *   (the mean of p bins varies sqrt(p) times less than one bin, so the rise is k standard
 *   deviations of that mean). The onset is the first bin of the first such window that is itself
 *   above m + backtrackFactor * (threshold - m). Median and MAD ignore a few outliers,
 *   so noise spikes neither trigger the rule (one or two spiking bins fail "every one of them")
 *   nor inflate the threshold the way a mean and standard deviation would.
 *   A ramp whose first bins are below the threshold is then walked back: while the bin before the
 *   onset is itself clearly above the median (by `backtrackFactor` of the threshold's margin), the
 *   onset moves one bin earlier (at most minBaselineBins - 1 bins), so a ramp that rises out of
 *   the noise from its first bin is found within one bin of where it starts. A ramp whose first
 *   bins are lost in the noise is found where it leaves the noise, and one slower than the trailing
 *   baseline window can follow is not reported at all: never earlier than it starts.
 */

export interface FloodOnsetRule {
  /** Bins needed before a candidate for its baseline to mean anything. */
  minBaselineBins: number;
  /** Most bins of baseline looked at (the window trailing the candidate). */
  baselineBins: number;
  /** Multiples of the scaled MAD the write rate has to rise by. */
  k: number;
  /** The rise must also be at least this fraction of the baseline median. */
  minRelativeJump: number;
  /** And at least this many writes per bin. */
  minAbsoluteJump: number;
  /** Consecutive elevated bins required. */
  persistenceBins: number;
  /** Fraction of the threshold margin a bin before the onset must exceed to extend the onset back. */
  backtrackFactor: number;
}

export const DEFAULT_FLOOD_ONSET_RULE: FloodOnsetRule = {
  minBaselineBins: 6,
  baselineBins: 48,
  k: 3,
  minRelativeJump: 0.5,
  minAbsoluteJump: 5,
  persistenceBins: 3,
  backtrackFactor: 0.5,
};

export interface FloodOnsetResult {
  /** Index of the onset bin in the series. */
  index: number;
  /** Median writes per bin of the baseline before the onset. */
  baselinePerBin: number;
  /** Writes in the onset bin. */
  onsetPerBin: number;
  /** The threshold the mean of the onset bins crossed. */
  threshold: number;
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return 0;
  return sorted.length % 2 === 1 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

/** Median absolute deviation from the median. */
export function medianAbsoluteDeviation(values: readonly number[]): number {
  const m = median(values);
  return median(values.map((v) => Math.abs(v - m)));
}

function thresholdFor(
  baseline: readonly number[],
  rule: FloodOnsetRule,
): { m: number; s: number; threshold: number } {
  const m = median(baseline);
  const meanAbsoluteDeviation =
    baseline.length === 0 ? 0 : baseline.reduce((sum, v) => sum + Math.abs(v - m), 0) / baseline.length;
  const s = Math.max(1.4826 * medianAbsoluteDeviation(baseline), 1.2533 * meanAbsoluteDeviation);
  const rise = Math.max(
    (rule.k * s) / Math.sqrt(rule.persistenceBins),
    rule.minRelativeJump * m,
    rule.minAbsoluteJump,
  );
  return { m, s, threshold: m + rise };
}

/**
 * Finds the flood onset in a writes-per-bin series, or null when the rate never leaves its baseline
 * (or there is too little baseline to tell).
 */
export function detectFloodOnset(
  writesPerBin: readonly number[],
  rule: FloodOnsetRule = DEFAULT_FLOOD_ONSET_RULE,
): FloodOnsetResult | null {
  for (let i = rule.minBaselineBins; i + rule.persistenceBins <= writesPerBin.length; i += 1) {
    const baseline = writesPerBin.slice(Math.max(0, i - rule.baselineBins), i);
    const { m, s, threshold } = thresholdFor(baseline, rule);
    const bins = writesPerBin.slice(i, i + rule.persistenceBins);
    const mean = bins.reduce((sum, v) => sum + v, 0) / bins.length;
    if (mean <= threshold || bins.some((v) => v <= m + s)) continue;
    // Walk a ramp back to where it starts, but never into the baseline the rule was measured on
    // by more than the bins that are clearly above the median.
    let onset = i;
    const margin = (threshold - m) * rule.backtrackFactor;
    // The window's mean can pass with a quiet first bin when the next ones jump: the onset is the
    // first bin of the window that is itself clearly up.
    while (onset < i + rule.persistenceBins - 1 && (writesPerBin[onset] ?? 0) <= m + margin) onset += 1;
    while (
      onset - 1 >= 1 &&
      (writesPerBin[onset - 1] ?? 0) > m + margin &&
      i - (onset - 1) < rule.minBaselineBins
    ) {
      onset -= 1;
    }
    const onsetBaseline = writesPerBin.slice(Math.max(0, onset - rule.baselineBins), onset);
    return {
      index: onset,
      baselinePerBin: median(onsetBaseline.length > 0 ? onsetBaseline : baseline),
      onsetPerBin: writesPerBin[onset] ?? 0,
      threshold,
    };
  }
  return null;
}
