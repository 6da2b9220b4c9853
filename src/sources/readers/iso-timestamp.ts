/**
 * Timestamps in audit events are RFC 3339 in UTC with microseconds (`2023-10-04T12:45:30.850483Z`).
 * Parsing them by character position is several times faster than `Date.parse`, which matters at a
 * million lines per second; anything else falls back to `Date.parse`.
 */

const ZERO = 48;

function digits(text: string, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = text.charCodeAt(i) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}

/** Parses an ISO 8601 / RFC 3339 timestamp to epoch milliseconds (fractions below 1 ms are dropped); NaN when it is not one. */
export function parseIsoTimestampMs(text: string): number {
  const n = text.length;
  if (
    n >= 20 &&
    text.charCodeAt(4) === 45 && // -
    text.charCodeAt(7) === 45 &&
    (text.charCodeAt(10) === 84 || text.charCodeAt(10) === 32) && // T or space
    text.charCodeAt(13) === 58 && // :
    text.charCodeAt(16) === 58 &&
    text.charCodeAt(n - 1) === 90 // Z
  ) {
    const year = digits(text, 0, 4);
    const month = digits(text, 5, 2);
    const day = digits(text, 8, 2);
    const hour = digits(text, 11, 2);
    const minute = digits(text, 14, 2);
    const second = digits(text, 17, 2);
    let ms = 0;
    let ok = year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23;
    ok = ok && minute >= 0 && minute <= 59 && second >= 0 && second <= 60;
    if (ok && n > 20) {
      // A fraction: ".d+" up to the Z.
      if (text.charCodeAt(19) !== 46) ok = false;
      const fracDigits = n - 21;
      if (ok && fracDigits < 1) ok = false;
      for (let i = 0; ok && i < fracDigits; i++) {
        const d = text.charCodeAt(20 + i) - ZERO;
        if (d < 0 || d > 9) ok = false;
        else if (i < 3) ms = ms * 10 + d;
      }
      if (ok) for (let i = fracDigits; i < 3; i++) ms *= 10;
    }
    if (ok) return Date.UTC(year, month - 1, day, hour, minute, second, ms);
  }
  if (!/^\d{4}-\d{2}-\d{2}/.test(text)) return Number.NaN;
  return Date.parse(text);
}

/**
 * parseIsoTimestampMs over bytes (the shaped fast path reads no string): the common
 * `YYYY-MM-DDTHH:MM:SS[.f+]Z` layout by position, anything else through the string parser, so the
 * result is always the string parser's.
 */
export function parseIsoTimestampBytes(bytes: Uint8Array, start: number, end: number): number {
  const n = end - start;
  if (
    n >= 20 &&
    bytes[start + 4] === 45 &&
    bytes[start + 7] === 45 &&
    bytes[start + 10] === 84 &&
    bytes[start + 13] === 58 &&
    bytes[start + 16] === 58 &&
    bytes[end - 1] === 90 &&
    (n === 20 || bytes[start + 19] === 46)
  ) {
    const second = byteDigits(bytes, start + 17, 2);
    let ms = 0;
    let ok = second >= 0 && second <= 60 && n !== 21;
    for (let i = 0; ok && i < n - 21; i++) {
      const d = (bytes[start + 20 + i] as number) - ZERO;
      if (d < 0 || d > 9) ok = false;
      else if (i < 3) ms = ms * 10 + d;
    }
    if (ok) {
      for (let i = Math.max(0, n - 21); i < 3; i++) ms *= 10;
      // Date.UTC is linear in its seconds and milliseconds, so the minute's start plus them is the
      // same number; lines come in time order, and nearly all share the minute of the line before.
      const minute = sameMinute(bytes, start) ? lastMinuteMs : minuteMs(bytes, start);
      if (!Number.isNaN(minute)) return minute + second * 1000 + ms;
    }
  }
  return parseIsoTimestampMs(String.fromCharCode(...bytes.subarray(start, end)));
}

/** The last minute minuteMs() read (`YYYY-MM-DDTHH:MM`, the 16 bytes), and its start in ms or NaN. */
const lastMinute = new Uint8Array(16);
let lastMinuteMs = Number.NaN;

function sameMinute(bytes: Uint8Array, start: number): boolean {
  for (let i = 0; i < 16; i++) if (bytes[start + i] !== lastMinute[i]) return false;
  return true;
}

/** The start of the minute `YYYY-MM-DDTHH:MM` at bytes[start], or NaN when its fields are out of range. */
function minuteMs(bytes: Uint8Array, start: number): number {
  const year = byteDigits(bytes, start, 4);
  const month = byteDigits(bytes, start + 5, 2);
  const day = byteDigits(bytes, start + 8, 2);
  const hour = byteDigits(bytes, start + 11, 2);
  const minute = byteDigits(bytes, start + 14, 2);
  const ok =
    year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0;
  lastMinuteMs = ok && minute <= 59 ? Date.UTC(year, month - 1, day, hour, minute, 0, 0) : Number.NaN;
  for (let i = 0; i < 16; i++) lastMinute[i] = bytes[start + i] as number;
  return lastMinuteMs;
}

function byteDigits(bytes: Uint8Array, start: number, count: number): number {
  let value = 0;
  for (let i = start; i < start + count; i++) {
    const d = (bytes[i] as number) - ZERO;
    if (d < 0 || d > 9) return -1;
    value = value * 10 + d;
  }
  return value;
}
