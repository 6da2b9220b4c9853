import { InvalidArgumentError } from 'commander';
import { UsageError } from '../errors.js';

const DURATION_UNITS_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 7 * 86_400_000,
};

/** Parses a duration like `30m`, `6h`, `7d`, `1w`, or `1h30m` into milliseconds. */
export function parseDurationMs(text: string): number {
  const trimmed = text.trim();
  const parts = trimmed.match(/^(\d+(?:\.\d+)?)(ms|s|min|m|h|d|w)/g);
  let total = 0;
  let rest = trimmed;
  const unitPattern = /^(\d+(?:\.\d+)?)(ms|s|min|m|h|d|w)/;
  while (rest.length > 0) {
    const match = unitPattern.exec(rest);
    if (match === null || parts === null) {
      throw new InvalidArgumentError(
        `"${text}" is not a duration; use a number and a unit, like 30m, 6h or 7d.`,
      );
    }
    total += Number(match[1]) * (DURATION_UNITS_MS[match[2] ?? ''] ?? 0);
    rest = rest.slice(match[0].length);
  }
  if (trimmed.length === 0 || total <= 0) {
    throw new InvalidArgumentError(
      `"${text}" is not a duration; use a number and a unit, like 30m, 6h or 7d.`,
    );
  }
  return total;
}

/**
 * Parses a point in time: ISO 8601 (`2024-06-14T03:00:00Z`; a time without a zone is taken as UTC,
 * since audit logs are in UTC), `now`, or a relative duration back from now (`2h` = two hours ago).
 */
export function parseTimeMs(text: string, nowMs: number): number {
  const trimmed = text.trim();
  if (trimmed === 'now') return nowMs;
  if (/^\d+(?:\.\d+)?(ms|s|min|m|h|d|w)/.test(trimmed)) {
    try {
      return nowMs - parseDurationMs(trimmed);
    } catch {
      // fall through to the ISO error, which names both forms
    }
  }
  if (/^\d{4}-\d{2}-\d{2}/.test(trimmed)) {
    const withZone =
      /([zZ]|[+-]\d{2}:?\d{2})$/.test(trimmed) || !trimmed.includes('T') ? trimmed : `${trimmed}Z`;
    const iso = withZone.includes('T') || withZone.length > 10 ? withZone : `${withZone}T00:00:00Z`;
    const ms = Date.parse(iso);
    if (!Number.isNaN(ms)) return ms;
  }
  throw new InvalidArgumentError(
    `"${text}" is not a time; use ISO 8601 (2024-06-14T03:00:00Z), "now", or a duration ago (2h, 7d).`,
  );
}

export interface TimeWindowOptions {
  start?: string;
  end?: string;
  since?: string;
}

/**
 * Resolves --start/--end/--since into a window, or undefined when none was given (local files then
 * read everything). Impossible windows are usage errors (exit 2) with the reason.
 */
export function resolveTimeWindow(
  options: TimeWindowOptions,
  nowMs: number,
  defaultLookbackMs?: number,
): { startMs: number; endMs: number } | undefined {
  const parse = (value: string, flag: string): number => {
    try {
      return parseTimeMs(value, nowMs);
    } catch (error) {
      throw new UsageError(`${flag}: ${(error as Error).message}`, { cause: error });
    }
  };
  if (options.since !== undefined && options.start !== undefined) {
    throw new UsageError('--since and --start both set the start of the window; give one of them.');
  }
  const endMs = options.end !== undefined ? parse(options.end, '--end') : nowMs;
  let startMs: number | undefined;
  if (options.start !== undefined) startMs = parse(options.start, '--start');
  if (options.since !== undefined) {
    try {
      startMs = endMs - parseDurationMs(options.since);
    } catch (error) {
      throw new UsageError(`--since: ${(error as Error).message}`, { cause: error });
    }
  }
  if (startMs === undefined) {
    if (options.end === undefined && defaultLookbackMs === undefined) return undefined;
    if (defaultLookbackMs === undefined) return { startMs: 0, endMs };
    startMs = endMs - defaultLookbackMs;
  }
  if (startMs > endMs) {
    throw new UsageError(
      `The window starts after it ends (${new Date(startMs).toISOString()} > ${new Date(endMs).toISOString()}).`,
      { hint: 'Swap --start and --end, or use --since 6h for the last six hours.' },
    );
  }
  return { startMs, endMs };
}

/** A commander option parser that accepts one of a fixed set of values. */
export function choice<T extends string>(allowed: readonly T[]): (value: string) => T {
  return (value: string) => {
    if ((allowed as readonly string[]).includes(value)) return value as T;
    throw new InvalidArgumentError(`Allowed values: ${allowed.join(', ')}.`);
  };
}

/** A commander option parser for a positive integer. */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new InvalidArgumentError('Use a positive whole number.');
  return n;
}

/** A commander option parser for a positive number. */
export function positiveNumber(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Use a positive number.');
  return n;
}

/** Collects a repeatable option into an array. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
