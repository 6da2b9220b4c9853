/**
 * The JSON byte scanner in JS (json-byte-scanner.ts states the contract): the reference
 * implementation, and the fallback where WebAssembly is unavailable. native/json-scan.c is the same
 * algorithm line for line; a change here must be made there too.
 */

import type { JsonByteScanner } from './json-byte-scanner.js';
import { skipScalar, skipString, skipWhitespace } from './json-byte-tokens.js';
import { keyFound, MAX_SCAN_DEPTH, type ScanTables } from './json-scan-tables.js';

// Local constants, not imports: V8 folds a module's own consts into the hot loop, not imported ones.
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_OBJECT = 123;
const CLOSE_OBJECT = 125;
const OPEN_ARRAY = 91;
const CLOSE_ARRAY = 93;
const MAX_DEPTH = MAX_SCAN_DEPTH;

/** The JS scanner: the fallback without WebAssembly, and the reference the tests hold the other to. */
export class JsByteScanner implements JsonByteScanner {
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
  private readonly tables: ScanTables;
  /** Per open container (1 = the line's object): the trie node whose value it is, or -1. */
  private readonly stackNode = new Int32Array(MAX_DEPTH + 1);
  private readonly stackIsArray = new Uint8Array(MAX_DEPTH + 1);
  /** A DataView of the caller's whole buffer for four-byte reads, made again when the buffer changes. */
  private viewBuffer: ArrayBufferLike | undefined;
  private view: DataView = new DataView(new ArrayBuffer(0));

  constructor(tables: ScanTables, fieldNames: readonly string[]) {
    this.fieldNames = Object.freeze([...fieldNames]);
    this.slotStart = new Int32Array(fieldNames.length).fill(-1);
    this.slotEnd = new Int32Array(fieldNames.length).fill(-1);
    this.nodeStart = new Int32Array(tables.nodeCount).fill(-1);
    this.nodeEnd = new Int32Array(tables.nodeCount).fill(-1);
    this.hasChildren = tables.hasChildren;
    this.keyBytes = tables.keyBytes;
    this.keyOffset = tables.keyOffset;
    this.lengthBase = tables.lengthBase;
    this.maxKeyLength = tables.maxKeyLength;
    this.lengthHead = tables.lengthHead;
    this.sameLengthNext = tables.sameLengthNext;
    this.terminals = tables.terminals;
    this.terminalOffset = tables.terminalOffset;
    this.tables = tables;
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
          if (depth === MAX_DEPTH) return false;
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
    return keyFound(this.tables, this.nodeStart, 0, k);
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
