/**
 * JSON tokens over raw UTF-8 bytes, validated exactly as JSON.parse does after decoding (RFC 8259):
 * the byte scanner's skippers. Each returns the index after the token, or -1 when it is invalid or
 * runs past `end`; nothing is read at or after `end`.
 */

const QUOTE = 34;
const BACKSLASH = 92;

/** JSON's whitespace is exactly space, tab, LF and CR (RFC 8259 section 2). */
export function skipWhitespace(buf: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end) {
    const c = buf[i];
    if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
    i++;
  }
  return i;
}

/** A number, true, false or null starting at `from` (first byte `c`); the index after it or -1. */
export function skipScalar(buf: Uint8Array, from: number, end: number, c: number): number {
  if (c === 116 /* t */)
    return from + 3 < end && buf[from + 1] === 114 && buf[from + 2] === 117 && buf[from + 3] === 101
      ? from + 4
      : -1;
  if (c === 102 /* f */)
    return from + 4 < end &&
      buf[from + 1] === 97 &&
      buf[from + 2] === 108 &&
      buf[from + 3] === 115 &&
      buf[from + 4] === 101
      ? from + 5
      : -1;
  if (c === 110 /* n */)
    return from + 3 < end && buf[from + 1] === 117 && buf[from + 2] === 108 && buf[from + 3] === 108
      ? from + 4
      : -1;
  return skipNumber(buf, from, end);
}

/**
 * A string from its opening quote; the index after the closing quote, or -1. Raw bytes below 0x20 are
 * invalid; escapes are only \" \\ \/ \b \f \n \r \t and \u with four hex digits (lone surrogates are
 * fine: JSON.parse accepts them). Bytes >= 0x80 pass unchecked (json-byte-scanner.ts says why).
 * `view` is a DataView of buf's whole ArrayBuffer and `base` buf.byteOffset: the string's bytes are
 * read four at a time through it.
 */
export function skipString(buf: Uint8Array, view: DataView, base: number, from: number, end: number): number {
  let i = from + 1;
  for (;;) {
    // Four bytes at a time (SWAR) while none is a quote, a backslash or below 0x20: the bit tests
    // are exact as booleans (Bit Twiddling Hacks, "haszero" and "hasless").
    while (i + 4 <= end) {
      const w = view.getInt32(base + i, true);
      const q = w ^ 0x22222222;
      const b = w ^ 0x5c5c5c5c;
      if (
        ((((w - 0x20202020) | 0) & ~w) | (((q - 0x01010101) | 0) & ~q) | (((b - 0x01010101) | 0) & ~b)) &
        0x80808080
      )
        break;
      i += 4;
    }
    // Then byte by byte up to the special byte the word test saw (or the line's end).
    while (i < end && STRING_PLAIN[buf[i] as number] === 1) i++;
    if (i >= end) return -1;
    const c = buf[i] as number;
    if (c === QUOTE) return i + 1;
    if (c !== BACKSLASH) return -1;
    if (i + 1 >= end) return -1;
    const e = buf[i + 1];
    if (e === 117 /* u */) {
      if (
        i + 5 >= end ||
        !isHex(buf[i + 2] as number) ||
        !isHex(buf[i + 3] as number) ||
        !isHex(buf[i + 4] as number) ||
        !isHex(buf[i + 5] as number)
      )
        return -1;
      i += 6;
    } else if (
      e === QUOTE ||
      e === BACKSLASH ||
      e === 47 ||
      e === 98 ||
      e === 102 ||
      e === 110 ||
      e === 114 ||
      e === 116
    )
      i += 2;
    else return -1;
  }
}

/** 1 for the bytes a string may hold as they are: not `"`, not `\\`, not below 0x20. */
const STRING_PLAIN = new Uint8Array(256).fill(1, 32);
STRING_PLAIN[QUOTE] = 0;
STRING_PLAIN[BACKSLASH] = 0;

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 48 && c <= 57;
}

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 section 6); the index after it or -1. */
function skipNumber(buf: Uint8Array, from: number, end: number): number {
  let i = from;
  if (i < end && buf[i] === 45) i++;
  if (i >= end) return -1;
  const first = buf[i] as number;
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) {
    i++;
    while (i < end && isDigit(buf[i])) i++;
  } else return -1;
  if (i < end && buf[i] === 46) {
    i++;
    if (i >= end || !isDigit(buf[i])) return -1;
    while (i < end && isDigit(buf[i])) i++;
  }
  if (i < end && (buf[i] === 101 || buf[i] === 69)) {
    i++;
    if (i < end && (buf[i] === 43 || buf[i] === 45)) i++;
    if (i >= end || !isDigit(buf[i])) return -1;
    while (i < end && isDigit(buf[i])) i++;
  }
  return i;
}
