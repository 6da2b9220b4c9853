/**
 * Time bins. Logs Insights `bin(5m)` rounds `@timestamp` down to a multiple of the period counted
 * from the Unix epoch (CWL_QuerySyntax-Stats.html, "bin"), so windows here are aligned the same way:
 * a window that starts and ends on bin boundaries sees whole bins, and the per-window queries of the
 * CloudWatch plan add up to exactly what one binned query over the union would say.
 */

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Bin widths the default may pick, smallest first. */
export const NICE_BINS_MS = [
  MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

/** The default bin when nothing else decides it. */
export const DEFAULT_BIN_MS = 5 * MINUTE;

/** Most bins one series query may return: well under the 10,000-row default result cap. */
export const MAX_SERIES_BINS = 8000;

/** Chooses the bin width: `requested`, else 5m unless the window would need more than MAX_SERIES_BINS. */
export function chooseBinMs(windowMs: number | undefined, requested?: number): number {
  if (requested !== undefined) return requested;
  if (windowMs === undefined) return DEFAULT_BIN_MS;
  for (const bin of NICE_BINS_MS) {
    if (bin >= DEFAULT_BIN_MS && windowMs / bin <= MAX_SERIES_BINS) return bin;
  }
  return DAY;
}

/** Start of the bin holding `ms`. */
export function binStart(ms: number, binMs: number): number {
  return Math.floor(ms / binMs) * binMs;
}

/** The `bin()` argument for a width: the largest unit that divides it (`5m`, `1h`, `90s`). */
export function binLiteral(binMs: number): string {
  if (binMs % DAY === 0) return `${binMs / DAY}d`;
  if (binMs % HOUR === 0) return `${binMs / HOUR}h`;
  if (binMs % MINUTE === 0) return `${binMs / MINUTE}m`;
  if (binMs % 1000 === 0) return `${binMs / 1000}s`;
  return `${binMs}ms`;
}

/**
 * Sets the bin width of a stored analysis query. Those queries are written with `bin(5m)`; analyze
 * substitutes the width it chose. Only the exact token `bin(5m)` is replaced, so no other part of
 * the query can change.
 */
export function withBin(queryText: string, binMs: number): string {
  return queryText.split('bin(5m)').join(`bin(${binLiteral(binMs)})`);
}
