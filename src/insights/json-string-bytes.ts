/**
 * Turns a JSON string token's raw bytes into the UTF-8 bytes of the string JSON.parse gives for it,
 * without making the string (the shaped fast path over CloudWatch JSON lines, issue 5: the audit
 * event is the `message` string, and its bytes are scanned like a raw audit line's).
 *
 * Exact where it answers: decoding the output as UTF-8 gives JSON.parse's string. Raw bytes are
 * copied as they are, so invalid UTF-8 in them decodes to the same U+FFFD as in the whole line (an
 * escape's bytes start with an ASCII or a lead byte, never a continuation byte, so they end a broken
 * sequence exactly where the backslash ended it in the line). A \u escape of a surrogate that is not
 * half of a valid pair gives a string UTF-8 cannot hold: the function refuses the token instead.
 */

const QUOTE = 34;
const BACKSLASH = 92;

/** What each simple escape letter stands for (0: not a simple escape). */
const SIMPLE = new Uint8Array(128);
SIMPLE[QUOTE] = QUOTE;
SIMPLE[BACKSLASH] = BACKSLASH;
SIMPLE[47 /* / */] = 47;
SIMPLE[98 /* b */] = 8;
SIMPLE[102 /* f */] = 12;
SIMPLE[110 /* n */] = 10;
SIMPLE[114 /* r */] = 13;
SIMPLE[116 /* t */] = 9;

/**
 * Writes the UTF-8 bytes of the string whose token is buf[from, to) (quotes included) into `out`
 * from index 0 and returns how many, or -1 for a surrogate escape that is not half of a pair. The
 * token must be one JSON.parse accepts (the byte scanner validated its line: json-byte-tokens.ts
 * skipString), so only escapes are looked at; on other bytes the answer means nothing, but nothing
 * outside buf[from, to) is read. `out` must hold at least `to - from` bytes (no escape grows).
 */
export function unescapeJsonString(buf: Uint8Array, from: number, to: number, out: Uint8Array): number {
  if (to - from < 2 || buf[from] !== QUOTE || buf[to - 1] !== QUOTE) return -1;
  const stop = to - 1;
  const inView = viewOf(buf);
  const inBase = buf.byteOffset;
  const outView = viewOf(out);
  const outBase = out.byteOffset;
  let i = from + 1;
  let o = 0;
  while (i < stop) {
    // Four bytes at a time while none is a backslash (Bit Twiddling Hacks, "haszero"): runs
    // between escapes are copied a word at a time.
    while (i + 4 <= stop) {
      const w = inView.getInt32(inBase + i, true);
      const b = w ^ 0x5c5c5c5c;
      if ((((b - 0x01010101) | 0) & ~b & 0x80808080) !== 0) break;
      outView.setInt32(outBase + o, w, true);
      i += 4;
      o += 4;
    }
    let c = 0;
    while (i < stop && (c = buf[i] as number) !== BACKSLASH) {
      out[o++] = c;
      i++;
    }
    if (i >= stop) break;
    const e = buf[i + 1] as number;
    if (e !== 117 /* u */) {
      const simple = e < 128 ? (SIMPLE[e] as number) : 0;
      if (simple === 0) return -1;
      out[o++] = simple;
      i += 2;
      continue;
    }
    let cp = hex4(buf, i + 2, stop);
    if (cp < 0) return -1;
    i += 6;
    if (cp < 0x80) {
      out[o++] = cp;
    } else if (cp < 0x800) {
      out[o++] = 0xc0 | (cp >> 6);
      out[o++] = 0x80 | (cp & 0x3f);
    } else if (cp < 0xd800 || cp > 0xdfff) {
      out[o++] = 0xe0 | (cp >> 12);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    } else {
      // A high surrogate must be followed at once by an escaped low one; anything else is lone.
      if (cp > 0xdbff || buf[i] !== BACKSLASH || buf[i + 1] !== 117) return -1;
      const low = hex4(buf, i + 2, stop);
      if (low < 0xdc00 || low > 0xdfff) return -1;
      i += 6;
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
      out[o++] = 0xf0 | (cp >> 18);
      out[o++] = 0x80 | ((cp >> 12) & 0x3f);
      out[o++] = 0x80 | ((cp >> 6) & 0x3f);
      out[o++] = 0x80 | (cp & 0x3f);
    }
  }
  return o;
}

/** The last DataViews made, one per ArrayBuffer: the line's chunk and the scratch buffer alternate. */
let lastBuffer: ArrayBufferLike | undefined;
let lastView: DataView = new DataView(new ArrayBuffer(0));
let otherBuffer: ArrayBufferLike | undefined;
let otherView: DataView = lastView;

/** A DataView of `bytes`'s whole ArrayBuffer, made again only when it is not one of the last two. */
function viewOf(bytes: Uint8Array): DataView {
  const buffer = bytes.buffer;
  if (buffer === lastBuffer) return lastView;
  if (buffer !== otherBuffer) {
    otherBuffer = buffer;
    otherView = new DataView(buffer);
  }
  const view = otherView;
  otherBuffer = lastBuffer;
  otherView = lastView;
  lastBuffer = buffer;
  lastView = view;
  return view;
}

/** The value of four hex digits at buf[at, at + 4), all before `stop`, or -1. */
function hex4(buf: Uint8Array, at: number, stop: number): number {
  if (at + 4 > stop) return -1;
  let value = 0;
  for (let k = at; k < at + 4; k++) {
    const d = HEX[buf[k] as number] as number;
    if (d === 255) return -1;
    value = (value << 4) | d;
  }
  return value;
}

/** Each byte's hex digit value, 255 when it is not one. */
const HEX = new Uint8Array(256).fill(255);
for (let d = 0; d < 10; d++) HEX[48 + d] = d;
for (let d = 0; d < 6; d++) {
  HEX[65 + d] = 10 + d;
  HEX[97 + d] = 10 + d;
}
