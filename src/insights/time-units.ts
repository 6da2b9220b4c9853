/**
 * Time periods for bin(), datefloor() and dateceil(). Units per docs CWL_QuerySyntax-Stats.html:
 * ms, s, m/min, h/hr, d, w, mo, q, y. Fixed units align to multiples of the period since the Unix
 * epoch (so days start at 00:00 UTC; weeks, which the docs do not pin down, start on Thursday
 * 1970-01-01 like every other fixed period). mo, q and y align to calendar boundaries in UTC.
 */

const FIXED_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  hr: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

const CALENDAR_MONTHS: Record<string, number> = { mo: 1, q: 3, y: 12 };

/** A validated period: floor and ceil of an epoch-ms instant to it. */
export interface Period {
  floor(ms: number): number;
  ceil(ms: number): number;
}

/**
 * The length in milliseconds of a valid fixed period (ms to w), whose floor is a multiple of it;
 * undefined for calendar periods (mo, q, y) and invalid ones.
 */
export function fixedPeriodMs(amount: number, unit: string): number | undefined {
  const fixed = FIXED_MS[unit];
  if (fixed === undefined || !Number.isFinite(amount) || amount <= 0) return undefined;
  const p = amount * fixed;
  return Number.isInteger(p) && p >= 1 ? p : undefined;
}

/** Builds a period, or returns a reason it is invalid. */
export function makePeriod(amount: number, unit: string): Period | string {
  if (!Number.isFinite(amount) || amount <= 0) return 'the period must be greater than zero';
  if (FIXED_MS[unit] !== undefined) {
    const p = fixedPeriodMs(amount, unit);
    if (p === undefined) return 'the period must be a whole number of milliseconds';
    return {
      floor: (ms) => Math.floor(ms / p) * p,
      ceil: (ms) => Math.ceil(ms / p) * p,
    };
  }
  const months = CALENDAR_MONTHS[unit];
  if (months === undefined) return `unknown time unit "${unit}"`;
  if (!Number.isInteger(amount)) return `calendar periods (${unit}) need a whole number`;
  const step = months * amount;
  const floor = (ms: number): number => {
    const d = new Date(ms);
    if (!Number.isFinite(d.getTime())) return ms;
    const index = d.getUTCFullYear() * 12 + d.getUTCMonth();
    const start = Math.floor(index / step) * step;
    return Date.UTC(Math.floor(start / 12), start % 12, 1);
  };
  const ceil = (ms: number): number => {
    const f = floor(ms);
    if (f === ms) return f;
    const d = new Date(f);
    const next = d.getUTCFullYear() * 12 + d.getUTCMonth() + step;
    return Date.UTC(Math.floor(next / 12), next % 12, 1);
  };
  return { floor, ceil };
}
