/**
 * Searches in a line's bytes without calling into the runtime: Buffer.indexOf and lastIndexOf cross
 * from JavaScript into C++ on every call, which cost more than the search itself on the shaped fast
 * path (a profile of 1 GiB of audit lines gave 0.5 µs per line to finding the event's time).
 */

/** A needle prepared for lastIndexOfBytes: its bytes, and the shift per pair of bytes. */
export interface BackwardNeedle {
  readonly bytes: Uint8Array;
  /** Per byte pair (b0 << 8 | b1): how far the window may move back when it starts with that pair. */
  readonly shift: Uint8Array;
}

/** Prepares a needle of 2 to 255 bytes for lastIndexOfBytes. */
export function backwardNeedle(bytes: Uint8Array): BackwardNeedle {
  const m = bytes.length;
  if (m < 2 || m > 0xff) throw new RangeError(`needle length ${m} is outside 2..255`);
  // A window starting at i can move back by k when the needle, k bytes further on, could hold
  // buffer[i] and buffer[i + 1]: needle[k, k + 2) is that pair, or k = m - 1 and needle[m - 1] is
  // buffer[i] (buffer[i + 1] is then past the needle's end). The least such k, else the whole needle.
  const shift = new Uint8Array(65536).fill(m);
  const last = (bytes[m - 1] as number) << 8;
  shift.fill(m - 1, last, last + 256);
  for (let k = m - 2; k >= 1; k--) shift[((bytes[k] as number) << 8) | (bytes[k + 1] as number)] = k;
  return { bytes, shift };
}

/**
 * The greatest i with start <= i and i + needle length <= end where the needle occurs in
 * buffer[i, ...), or -1: Buffer.lastIndexOf kept inside [start, end). A backward Horspool search on
 * pairs of bytes: in the text of audit events most single letters occur in a key like
 * `"stageTimestamp":"`, so one byte would let the window move by 3 or 4, while a pair moves it by
 * nearly the whole needle.
 */
export function lastIndexOfBytes(
  buffer: Uint8Array,
  needle: BackwardNeedle,
  start: number,
  end: number,
): number {
  const bytes = needle.bytes;
  const shift = needle.shift;
  const m = bytes.length;
  let i = end - m;
  while (i >= start) {
    let k = 0;
    while (k < m && buffer[i + k] === bytes[k]) k++;
    if (k === m) return i;
    i -= shift[((buffer[i] as number) << 8) | (buffer[i + 1] as number)] as number;
  }
  return -1;
}
