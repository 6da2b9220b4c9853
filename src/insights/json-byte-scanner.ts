/**
 * A validating JSON scanner over a line's raw UTF-8 bytes, for the local engine's shaped fast path
 * (issue 5): it finds, without decoding the line or building any value, the raw token each queried
 * field resolves to, so that lines whose tokens are byte-identical can share one evaluation.
 *
 * What makes it exact: a line is accepted only when JSON.parse (after UTF-8 decoding) accepts it, and
 * slot k then holds the token that getField (field-resolver.ts) reads for field k, or -1 when getField
 * gives undefined. So equal slot bytes mean equal field values, and a field's value is
 * `leaf(JSON.parse(token))`. UTF-8 needs no checking: every byte >= 0x80 decodes to a character
 * >= U+0080 (U+FFFD when invalid), which JSON allows inside strings and nowhere else, and no ASCII
 * byte is ever swallowed by a bad sequence, so the byte structure is the text's structure.
 */

import { skipScalar, skipString, skipWhitespace } from './json-byte-tokens.js';

/** Scans one line's bytes as a JSON object and reports the raw token of each field. */
export interface JsonByteScanner {
  readonly fieldNames: readonly string[];
  /**
   * Scans buf[start, end) (one line, no newline). true: an ordinary line, valid JSON, an object from
   * `start` with only spaces/tabs after it, and slotStart/slotEnd hold for each field the byte span
   * of the raw token getField reads (a string with its quotes, a number, true or false), or
   * slotStart[k] = -1 when getField gives undefined (absent, null, an object or an array). false:
   * invalid or unusual; the caller takes the exact slow path. Slots are meaningful only after true.
   */
  scan(buf: Uint8Array, start: number, end: number): boolean;
  readonly slotStart: Int32Array;
  readonly slotEnd: Int32Array;
  /**
   * Whether a key field k may be read under was in the line at all, whatever its value: tells a
   * null, an object or an array (slot -1 too) from an absent key. Only after scan() returned true.
   */
  found(k: number): boolean;
}

/** Nesting deeper than this anywhere in a line: unusual, the slow path decides. */
export const MAX_SCAN_DEPTH = 64;
/** Field names with more dotted segments than this are refused (2^(n-1) key groupings each). */
export const MAX_SCAN_SEGMENTS = 8;

/** field-resolver.ts compileFieldGetter answers these from the record, not from the message. */
const SYSTEM_FIELDS = new Set(['@timestamp', '@message', '@logStream', '@log', '@ingestionTime', '@ptr']);

/**
 * A scanner for the given field names, or undefined when they cannot be handled exactly:
 * - a system field (`@timestamp`, `@message`, ...): not in the message; `@message` differs per line;
 * - a segment `__proto__`: an own `__proto__` key is subtle enough to leave to JSON.parse;
 * - more than MAX_SCAN_SEGMENTS segments;
 * - a name that is not well-formed UTF-16 or holds U+FFFD: invalid UTF-8 in a line's key decodes
 *   to U+FFFD, so byte comparison would no longer match key equality after decoding.
 */
export function createJsonByteScanner(fieldNames: readonly string[]): JsonByteScanner | undefined {
  for (const name of fieldNames) {
    if (SYSTEM_FIELDS.has(name) || name.includes('\uFFFD') || !isWellFormed(name)) return undefined;
    const segments = name.split('.');
    if (segments.length > MAX_SCAN_SEGMENTS || segments.includes('__proto__')) return undefined;
  }
  return new ByteScanner(buildSelection(fieldNames), fieldNames);
}

function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

/**
 * The keys to look for, as a trie of key paths from the line's object (node 0). A name `a.b.c` may
 * be the key `a` then `b` then `c`, or `a` then `b.c`, `a.b` then `c`, or `a.b.c` (keys may hold dots),
 * and the resolver tries them depth first, shortest key first, returning the first JSON leaf it
 * finds. `terminals[k]` lists field k's candidate end nodes in that order.
 */
interface Selection {
  keys: Uint8Array[];
  parent: number[];
  children: Map<string, number>[];
  terminals: number[][];
}

function buildSelection(fieldNames: readonly string[]): Selection {
  const encoder = new TextEncoder();
  const sel: Selection = { keys: [new Uint8Array(0)], parent: [-1], children: [new Map()], terminals: [] };
  const childOf = (node: number, key: string): number => {
    const map = sel.children[node] as Map<string, number>;
    let id = map.get(key);
    if (id === undefined) {
      id = sel.keys.length;
      map.set(key, id);
      sel.keys.push(encoder.encode(key));
      sel.parent.push(node);
      sel.children.push(new Map());
    }
    return id;
  };
  for (const name of fieldNames) {
    const segments = name.split('.');
    const n = segments.length;
    const terminals: number[] = [];
    // The same order as field-resolver.ts compileJsonPath's walk: j = i+1 .. n at each level.
    const walk = (node: number, i: number): void => {
      for (let j = i + 1; j <= n; j++) {
        const id = childOf(node, segments.slice(i, j).join('.'));
        if (j === n) terminals.push(id);
        else walk(id, j);
      }
    };
    walk(0, 0);
    sel.terminals.push(terminals);
  }
  return sel;
}

// Local constants, not imports: V8 folds a module's own consts into the hot loop, not imported ones.
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;

class ByteScanner implements JsonByteScanner {
  readonly fieldNames: readonly string[];
  readonly slotStart: Int32Array;
  readonly slotEnd: Int32Array;
  /** Per trie node: the span of its value in the current line, start -1 when not seen. */
  private readonly nodeStart: Int32Array;
  private readonly nodeEnd: Int32Array;
  /** Per trie node: 1 when keys are selected inside its value. */
  private readonly hasChildren: Uint8Array;
  /** Key bytes of every node, concatenated; node n's key is keyBytes[keyOffset[n], keyOffset[n+1]). */
  private readonly keyBytes: Uint8Array;
  private readonly keyOffset: Int32Array;
  /** Per parent node: lengthHead[lengthBase[p] + L] is its first child with a key of L bytes (0: none). */
  private readonly lengthBase: Int32Array;
  private readonly maxKeyLength: Int32Array;
  private readonly lengthHead: Int32Array;
  /** The next child of the same parent with a key of the same length (0: none). */
  private readonly sameLengthNext: Int32Array;
  /** Field k's candidate end nodes are terminals[terminalOffset[k], terminalOffset[k+1]). */
  private readonly terminals: Int32Array;
  private readonly terminalOffset: Int32Array;
  /** Per open container (1 = the line's object): the trie node whose value it is, or -1. */
  private readonly stackNode = new Int32Array(MAX_SCAN_DEPTH + 1);
  private readonly stackIsArray = new Uint8Array(MAX_SCAN_DEPTH + 1);
  /** A DataView of the caller's whole buffer for four-byte reads, made again when the buffer changes. */
  private viewBuffer: ArrayBufferLike | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(sel: Selection, fieldNames: readonly string[]) {
    this.fieldNames = Object.freeze([...fieldNames]);
    const count = sel.keys.length;
    this.slotStart = new Int32Array(fieldNames.length).fill(-1);
    this.slotEnd = new Int32Array(fieldNames.length).fill(-1);
    this.nodeStart = new Int32Array(count).fill(-1);
    this.nodeEnd = new Int32Array(count).fill(-1);
    this.hasChildren = new Uint8Array(count);
    this.keyOffset = new Int32Array(count + 1);
    let total = 0;
    sel.keys.forEach((key, n) => {
      this.keyOffset[n] = total;
      total += key.length;
    });
    this.keyOffset[count] = total;
    this.keyBytes = new Uint8Array(total);
    sel.keys.forEach((key, n) => this.keyBytes.set(key, this.keyOffset[n]));
    this.lengthBase = new Int32Array(count);
    this.maxKeyLength = new Int32Array(count).fill(-1);
    this.sameLengthNext = new Int32Array(count);
    let heads = 0;
    for (let p = 0; p < count; p++) {
      const kids = [...(sel.children[p] as Map<string, number>).values()];
      this.hasChildren[p] = kids.length > 0 ? 1 : 0;
      this.lengthBase[p] = heads;
      for (const id of kids)
        this.maxKeyLength[p] = Math.max(this.maxKeyLength[p] as number, keyLength(sel, id));
      heads += (this.maxKeyLength[p] as number) + 1;
    }
    this.lengthHead = new Int32Array(heads);
    for (let id = count - 1; id >= 1; id--) {
      const at = (this.lengthBase[sel.parent[id] as number] as number) + keyLength(sel, id);
      this.sameLengthNext[id] = this.lengthHead[at] as number;
      this.lengthHead[at] = id;
    }
    this.terminals = Int32Array.from(sel.terminals.flat());
    this.terminalOffset = new Int32Array(fieldNames.length + 1);
    sel.terminals.forEach((list, k) => {
      this.terminalOffset[k + 1] = (this.terminalOffset[k] as number) + list.length;
    });
  }

  scan(buf: Uint8Array, start: number, end: number): boolean {
    const nodeStart = this.nodeStart;
    const nodeEnd = this.nodeEnd;
    const hasChildren = this.hasChildren;
    const stackNode = this.stackNode;
    const stackIsArray = this.stackIsArray;
    nodeStart.fill(-1);
    if (buf.buffer !== this.viewBuffer) {
      this.viewBuffer = buf.buffer;
      this.view = new DataView(buf.buffer);
    }
    const view = this.view;
    const base = buf.byteOffset;
    if (start >= end || buf[start] !== OPEN_OBJECT) return false;
    let depth = 1;
    stackNode[1] = 0;
    stackIsArray[1] = 0;
    nodeStart[0] = start;
    /** The trie node whose children are looked for in the current object, or -1. */
    let level = 0;
    let inArray = false;
    let justOpened = true;
    let i = start + 1;
    for (;;) {
      i = skipWhitespace(buf, i, end);
      if (i >= end) return false;
      let c = buf[i] as number;
      if (!justOpened || c !== (inArray ? CLOSE_ARRAY : CLOSE_OBJECT)) {
        // A member or element: its key (objects), then its value.
        let node = -1;
        if (!inArray) {
          if (c !== QUOTE) return false;
          if (level >= 0) {
            const keyStart = i + 1;
            i = keyStart;
            // A selected level's keys must be plain: an escape could decode to a selected key.
            for (;;) {
              if (i >= end) return false;
              c = buf[i] as number;
              if (c === QUOTE) break;
              if (c === BACKSLASH || c < 32) return false;
              i++;
            }
            node = this.findChild(level, buf, keyStart, i);
            // JSON.parse keeps the last of duplicate keys; rather than follow, refuse.
            if (node >= 0 && nodeStart[node] !== -1) return false;
            i++;
          } else {
            i = skipString(buf, view, base, i, end);
            if (i < 0) return false;
          }
          i = skipWhitespace(buf, i, end);
          if (i >= end || buf[i] !== 58 /* : */) return false;
          i = skipWhitespace(buf, i + 1, end);
          if (i >= end) return false;
          c = buf[i] as number;
        }
        if (c === OPEN_OBJECT || c === OPEN_ARRAY) {
          if (depth === MAX_SCAN_DEPTH) return false;
          const isArray: boolean = c === OPEN_ARRAY;
          if (node >= 0) {
            // The resolver would walk into an array by index (`sourceIPs.0`, even `.length`): refuse.
            if (isArray && hasChildren[node] === 1) return false;
            nodeStart[node] = i;
          }
          depth++;
          stackNode[depth] = node;
          stackIsArray[depth] = isArray ? 1 : 0;
          inArray = isArray;
          level = !isArray && node >= 0 && hasChildren[node] === 1 ? node : -1;
          justOpened = true;
          i++;
          continue;
        }
        const valueEnd = c === QUOTE ? skipString(buf, view, base, i, end) : skipScalar(buf, i, end, c);
        if (valueEnd < 0) return false;
        if (node >= 0) {
          nodeStart[node] = i;
          nodeEnd[node] = valueEnd;
        }
        i = skipWhitespace(buf, valueEnd, end);
      }
      // After a value (or right after an opening bracket): a comma, or closing brackets.
      for (;;) {
        if (i >= end) return false;
        c = buf[i] as number;
        if (c === 44 /* , */) break;
        if (c !== (inArray ? CLOSE_ARRAY : CLOSE_OBJECT)) return false;
        const closed = stackNode[depth] as number;
        if (closed >= 0) nodeEnd[closed] = i + 1;
        depth--;
        i++;
        if (depth === 0) return this.finish(buf, i, end);
        inArray = stackIsArray[depth] === 1;
        const owner = stackNode[depth] as number;
        level = !inArray && owner >= 0 && hasChildren[owner] === 1 ? owner : -1;
        i = skipWhitespace(buf, i, end);
      }
      justOpened = false;
      i++;
    }
  }

  /** After the line's object: only spaces and tabs; then each field takes its first leaf candidate. */
  private finish(buf: Uint8Array, from: number, end: number): boolean {
    let i = from;
    while (i < end && (buf[i] === 32 || buf[i] === 9)) i++;
    if (i !== end) return false;
    const nodeStart = this.nodeStart;
    const terminals = this.terminals;
    const offsets = this.terminalOffset;
    for (let k = 0; k < this.slotStart.length; k++) {
      let s = -1;
      let e = -1;
      for (let t = offsets[k] as number; t < (offsets[k + 1] as number); t++) {
        const node = terminals[t] as number;
        const at = nodeStart[node] as number;
        if (at < 0) continue;
        const c = buf[at];
        // field-resolver.ts leaf(): objects, arrays and null are not values; the walk goes on.
        if (c === OPEN_OBJECT || c === OPEN_ARRAY || c === 110 /* n */) continue;
        s = at;
        e = this.nodeEnd[node] as number;
        break;
      }
      this.slotStart[k] = s;
      this.slotEnd[k] = e;
    }
    return true;
  }

  found(k: number): boolean {
    for (let t = this.terminalOffset[k] as number; t < (this.terminalOffset[k + 1] as number); t++)
      if ((this.nodeStart[this.terminals[t] as number] as number) >= 0) return true;
    return false;
  }

  /** The child of `parent` whose key is buf[from, to), or -1. Length first, then the bytes. */
  private findChild(parent: number, buf: Uint8Array, from: number, to: number): number {
    const length = to - from;
    if (length > (this.maxKeyLength[parent] as number)) return -1;
    const keyBytes = this.keyBytes;
    let id = this.lengthHead[(this.lengthBase[parent] as number) + length] as number;
    while (id !== 0) {
      let at = this.keyOffset[id] as number;
      let i = from;
      while (i < to && keyBytes[at] === buf[i]) {
        i++;
        at++;
      }
      if (i === to) return id;
      id = this.sameLengthNext[id] as number;
    }
    return -1;
  }
}

function keyLength(sel: Selection, id: number): number {
  return (sel.keys[id] as Uint8Array).length;
}
