/** What Logs Insights scanning costs: bytes to GB to dollars. */

/** Logs Insights price per GB scanned in US East (aws-facts B); `--price-per-gb` overrides it. */
export const DEFAULT_PRICE_PER_GB = 0.005;

/**
 * Bytes in a GB. AWS prices "per GB scanned" without saying 10^9 or 2^30; 10^9 makes both the price
 * estimate and the `--max-scan-gb` budget err on the careful side.
 */
export const BYTES_PER_GB = 1_000_000_000;

/** Estimated price of scanning `bytes`. */
export function estimateUsd(bytes: number, pricePerGb: number = DEFAULT_PRICE_PER_GB): number {
  return (bytes / BYTES_PER_GB) * pricePerGb;
}

/** Bytes as a short human figure: 512 B, 3.4 MB, 1.20 GB. */
export function formatBytes(bytes: number): string {
  if (bytes < 1000) return `${Math.round(bytes)} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let value = bytes / 1000;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit] ?? 'TB'}`;
}

/** Dollars with enough digits to see a fraction of a cent. */
export function formatUsd(usd: number): string {
  return usd >= 1 ? `$${usd.toFixed(2)}` : `$${usd.toFixed(4)}`;
}
