/**
 * A JSON.parse that materialises only some top-level keys. Profiling `analyze --log-file` showed
 * JSON.parse and the garbage it leaves as the largest costs per audit event (issue 5): a 1.4 KB event
 * becomes ~40 objects and strings, of which the queries read five or six. The projector validates the
 * WHOLE text with JSON's grammar (so it accepts exactly what JSON.parse accepts) but only builds the
 * values of the wanted keys; anything unusual (deep nesting, a `__proto__` key) falls back to
 * JSON.parse, so the values it returns are always the ones JSON.parse would have given.
 */

/** Parses a message as a JSON object keeping only `keys` at the top level; null when not an object. */
export type JsonProjector = (message: string) => Record<string, unknown> | null;

/** Deeper than this, the skipper stops and JSON.parse decides (it has its own limits). */
const MAX_DEPTH = 128;
/** Thrown inside the scanner: the text is not valid JSON. */
const INVALID = -1;
/** Returned by the scanner: something it does not handle itself; JSON.parse decides. */
const FALLBACK = -2;
// eslint-disable-next-line no-control-regex -- finding raw control characters is the point
const CONTROL = /[\u0000-\u001f]/;

/**
 * Which keys to build at one level of an object: `children[k]` is the selection inside `keys[k]`.
 * An empty selection marks a key read as a leaf: the engine only ever reads strings, numbers and
 * booleans out of the JSON (field-resolver.ts `leaf()`: objects and arrays are not values), so an
 * object or array there is validated and kept as an empty placeholder, never built.
 */
interface Selection {
  keys: string[];
  children: Selection[];
  /** Build the whole value here (a long field name, see selectPath). */
  whole: boolean;
  /** Indexes into `keys` by key length: most keys in a line are rejected by their length alone. */
  byLength: (number[] | undefined)[];
}

function indexByLength(selection: Selection): void {
  selection.byLength = [];
  selection.keys.forEach((key, k) => {
    (selection.byLength[key.length] ??= []).push(k);
    indexByLength(selection.children[k] as Selection);
  });
}

/** Field names with more segments than this select their top-level candidates as leaves only. */
const MAX_SELECTED_SEGMENTS = 8;

/**
 * Adds the keys a field name can be looked up under. `a.b.c` may be the key `a` then `b.c` inside
 * it, `a.b` then `c`, or the key `a.b.c` (keys may hold dots; field-resolver.ts tries them all), so
 * every way of grouping the segments is selected. Past MAX_SELECTED_SEGMENTS (a rare, perhaps
 * hostile name) the top-level candidates are built whole instead of enumerating the groupings.
 */
function selectPath(selection: Selection, segments: readonly string[], from: number): void {
  const n = segments.length;
  for (let j = from + 1; j <= n; j++) {
    // The resolver's cut-off for very long names: only the first segment or the whole remainder.
    if (n > 24 && j !== from + 1 && j !== n) continue;
    const key = segments.slice(from, j).join('.');
    let k = selection.keys.indexOf(key);
    if (k === -1) {
      k = selection.keys.length;
      selection.keys.push(key);
      selection.children.push({ keys: [], children: [], whole: false, byLength: [] });
    }
    if (j === n) continue;
    const child = selection.children[k] as Selection;
    if (n > MAX_SELECTED_SEGMENTS) child.whole = true;
    else selectPath(child, segments, j);
  }
}

function mentionsProto(selection: Selection): boolean {
  return selection.keys.some(
    (key, k) => key === '__proto__' || mentionsProto(selection.children[k] as Selection),
  );
}

/** Whole-message JSON.parse with the engine's rule: only a JSON object is a value. */
export function parseJsonObject(message: string): Record<string, unknown> | null {
  let i = 0;
  while (i < message.length && (message.charCodeAt(i) === 32 || message.charCodeAt(i) === 9)) i++;
  if (message.charCodeAt(i) !== 123 /* { */) return null;
  try {
    const parsed: unknown = JSON.parse(message);
    return parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)
      ? (parsed as Record<string, unknown>)
      : null;
  } catch {
    return null;
  }
}

/**
 * A projector for the given field names (as written in queries: `user.username`, `verb`). System
 * fields (`@timestamp`, ...) are not in the message and may be passed; they only widen the keep set.
 */
export function createJsonProjector(fieldNames: Iterable<string>): JsonProjector {
  const selection: Selection = { keys: [], children: [], whole: false, byLength: [] };
  for (const name of fieldNames) selectPath(selection, name.split('.'), 0);
  indexByLength(selection);
  // An own `__proto__` property cannot be made by assignment; JSON.parse makes it right.
  if (mentionsProto(selection)) return parseJsonObject;
  const scanner = new ProjectionScanner(selection);
  return (message) => scanner.project(message);
}

/**
 * The scanner. One instance per projector; `text` and `out` are per call. Positions are indexes into
 * the UTF-16 string, as JSON.parse sees it.
 */
class ProjectionScanner {
  private text = '';
  /** The object the last projectObject() call built. */
  private built: Record<string, unknown> = {};

  constructor(private readonly selection: Selection) {}

  project(message: string): Record<string, unknown> | null {
    const text = message;
    const n = text.length;
    let i = 0;
    // The engine's rule (field-resolver): leading spaces/tabs, then `{`, else not an object.
    while (i < n && (text.charCodeAt(i) === 32 || text.charCodeAt(i) === 9)) i++;
    if (text.charCodeAt(i) !== 123) return null;
    // Raw control characters are not allowed in JSON strings; rather than check every string, a line
    // holding any (a tab as whitespace is legal but unheard of in audit logs) goes to JSON.parse.
    if (CONTROL.test(text)) return parseJsonObject(message);
    this.text = text;
    this.nextBackslash = text.indexOf('\\', i);
    const end = this.projectObject(i, this.selection, 1);
    const out = this.built;
    this.text = '';
    if (end === FALLBACK) return parseJsonObject(message);
    if (end === INVALID) return null;
    if (skipWhitespace(text, end) !== n) return null;
    return out;
  }

  /** An object from its `{`, building only the selected keys into `this.built`; returns the index after `}`. */
  private projectObject(start: number, selection: Selection, depth: number): number {
    const text = this.text;
    const keys = selection.keys;
    const out: Record<string, unknown> = {};
    let i = skipWhitespace(text, start + 1);
    if (text.charCodeAt(i) === 125) {
      this.built = out;
      return i + 1;
    }
    for (;;) {
      if (text.charCodeAt(i) !== 34) return INVALID;
      const keyEnd = this.skipString(i);
      if (keyEnd < 0) return keyEnd;
      // A key is wanted when it equals one of `keys`; a key written with escapes is decoded first.
      let k = -1;
      const keyLength = keyEnd - i - 2;
      if (this.lastStringHadEscape) {
        const decoded = JSON.parse(text.slice(i, keyEnd)) as string;
        if (decoded === '__proto__') return FALLBACK;
        k = keys.indexOf(decoded);
      } else {
        const sameLength = selection.byLength[keyLength];
        if (sameLength !== undefined) {
          for (let c = 0; c < sameLength.length; c++) {
            const index = sameLength[c] as number;
            if (text.startsWith(keys[index] as string, i + 1)) {
              k = index;
              break;
            }
          }
        }
      }
      i = skipWhitespace(text, keyEnd);
      if (text.charCodeAt(i) !== 58 /* : */) return INVALID;
      const valueStart = skipWhitespace(text, i + 1);
      let valueEnd: number;
      if (k === -1) {
        valueEnd = this.skipValue(valueStart, depth);
        if (valueEnd < 0) return valueEnd;
      } else {
        const child = selection.children[k] as Selection;
        const first = text.charCodeAt(valueStart);
        if (!child.whole && first === 123) {
          if (depth >= MAX_DEPTH) return FALLBACK;
          valueEnd = this.projectObject(valueStart, child, depth + 1);
          if (valueEnd < 0) return valueEnd;
          out[keys[k] as string] = this.built;
        } else {
          valueEnd = this.skipValue(valueStart, depth);
          if (valueEnd < 0) return valueEnd;
          // An array read only as a leaf is not a value (leaf() of it is undefined): a placeholder will do.
          out[keys[k] as string] =
            first === 91 && !child.whole && child.keys.length === 0 ? [] : this.valueAt(valueStart, valueEnd);
        }
      }
      i = skipWhitespace(text, valueEnd);
      const c = text.charCodeAt(i);
      if (c === 125) {
        this.built = out;
        return i + 1;
      }
      if (c !== 44 /* , */) return INVALID;
      i = skipWhitespace(text, i + 1);
    }
  }

  /** The value of a validated slice, as JSON.parse gives it. */
  private valueAt(start: number, end: number): unknown {
    const text = this.text;
    const c = text.charCodeAt(start);
    if (c === 34) {
      const inner = text.slice(start + 1, end - 1);
      return inner.includes('\\') ? JSON.parse(text.slice(start, end)) : inner;
    }
    if (c === 116) return true;
    if (c === 102) return false;
    if (c === 110) return null;
    if (c === 123 || c === 91) return JSON.parse(text.slice(start, end));
    // A validated JSON number: Number() reads it exactly as JSON.parse does.
    return Number(text.slice(start, end));
  }

  private lastStringHadEscape = false;
  /** Index of the next backslash at or after the current position (or -1): strings before it have no escapes. */
  private nextBackslash = -1;

  /**
   * Skips a string from its opening quote; returns the index after the closing quote. Strings are
   * jumped over with indexOf (native) rather than walked: control characters were ruled out for the
   * whole line up front, so only the escapes need looking at, and most strings have none.
   */
  private skipString(start: number): number {
    const text = this.text;
    let close = text.indexOf('"', start + 1);
    if (close === -1) return INVALID;
    let bs = this.nextBackslash;
    if (bs === -1 || bs > close) {
      this.lastStringHadEscape = false;
      return close + 1;
    }
    if (bs < start) bs = text.indexOf('\\', start + 1);
    while (bs !== -1 && bs < close) {
      const e = text.charCodeAt(bs + 1);
      let next = bs + 2;
      if (e === 117 /* u */) {
        if (
          !isHex(text.charCodeAt(bs + 2)) ||
          !isHex(text.charCodeAt(bs + 3)) ||
          !isHex(text.charCodeAt(bs + 4)) ||
          !isHex(text.charCodeAt(bs + 5))
        )
          return INVALID;
        next = bs + 6;
      } else if (
        e !== 34 &&
        e !== 92 &&
        e !== 47 &&
        e !== 98 &&
        e !== 102 &&
        e !== 110 &&
        e !== 114 &&
        e !== 116
      ) {
        // Only " \ / b f n r t and u may follow a backslash.
        return INVALID;
      }
      // An escaped quote (or one inside a \u sequence's reach) does not close the string.
      if (close < next) {
        close = text.indexOf('"', next);
        if (close === -1) return INVALID;
      }
      bs = text.indexOf('\\', next);
    }
    this.nextBackslash = bs;
    this.lastStringHadEscape = true;
    return close + 1;
  }

  /** Skips any value; returns the index after it, INVALID or FALLBACK. */
  private skipValue(start: number, depth: number): number {
    const text = this.text;
    const c = text.charCodeAt(start);
    if (c === 34) return this.skipString(start);
    if (c === 123 || c === 91) {
      if (depth >= MAX_DEPTH) return FALLBACK;
      return c === 123 ? this.skipObject(start, depth + 1) : this.skipArray(start, depth + 1);
    }
    if (c === 116) return text.startsWith('true', start) ? start + 4 : INVALID;
    if (c === 102) return text.startsWith('false', start) ? start + 5 : INVALID;
    if (c === 110) return text.startsWith('null', start) ? start + 4 : INVALID;
    return skipNumber(text, start);
  }

  private skipObject(start: number, depth: number): number {
    const text = this.text;
    let i = skipWhitespace(text, start + 1);
    if (text.charCodeAt(i) === 125) return i + 1;
    for (;;) {
      if (text.charCodeAt(i) !== 34) return INVALID;
      i = this.skipString(i);
      if (i < 0) return i;
      i = skipWhitespace(text, i);
      if (text.charCodeAt(i) !== 58) return INVALID;
      i = this.skipValue(skipWhitespace(text, i + 1), depth);
      if (i < 0) return i;
      i = skipWhitespace(text, i);
      const c = text.charCodeAt(i);
      if (c === 125) return i + 1;
      if (c !== 44) return INVALID;
      i = skipWhitespace(text, i + 1);
    }
  }

  private skipArray(start: number, depth: number): number {
    const text = this.text;
    let i = skipWhitespace(text, start + 1);
    if (text.charCodeAt(i) === 93) return i + 1;
    for (;;) {
      i = this.skipValue(i, depth);
      if (i < 0) return i;
      i = skipWhitespace(text, i);
      const c = text.charCodeAt(i);
      if (c === 93) return i + 1;
      if (c !== 44) return INVALID;
      i = skipWhitespace(text, i + 1);
    }
  }
}

/** JSON's whitespace is exactly space, tab, LF and CR (RFC 8259 section 2). */
function skipWhitespace(text: string, start: number): number {
  let i = start;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 10 || c === 13 || c === 9) i++;
    else return i;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isHex(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);
}

/** `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?` (RFC 8259 section 6). */
function skipNumber(text: string, start: number): number {
  let i = start;
  if (text.charCodeAt(i) === 45) i++;
  const first = text.charCodeAt(i);
  if (first === 48) i++;
  else if (first >= 49 && first <= 57) {
    i++;
    while (isDigit(text.charCodeAt(i))) i++;
  } else return INVALID;
  if (text.charCodeAt(i) === 46) {
    i++;
    if (!isDigit(text.charCodeAt(i))) return INVALID;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  const e = text.charCodeAt(i);
  if (e === 101 || e === 69) {
    i++;
    const sign = text.charCodeAt(i);
    if (sign === 43 || sign === 45) i++;
    if (!isDigit(text.charCodeAt(i))) return INVALID;
    while (isDigit(text.charCodeAt(i))) i++;
  }
  return i;
}
