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
 *
 * Two implementations of one algorithm: WebAssembly (native/json-scan.c, strings skipped 16 bytes at
 * a time, several times faster) where the runtime has it, else JS (js-byte-scanner.ts, the reference).
 */

import { JsByteScanner } from './js-byte-scanner.js';
import { buildScanTables, MAX_SCAN_SEGMENTS } from './json-scan-tables.js';
import { createWasmByteScanner } from './wasm-byte-scanner.js';

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
  /**
   * ShapeTable.intern over every slot, in a table the scanner keeps in its own memory (the
   * WebAssembly one: there a hit is verified 16 bytes a step): the id of the line just accepted, -1
   * for a new shape past the limits, or undefined for a line it cannot intern (one it passed to its
   * JS fallback). The first call sets the limits; scanners without it leave interning to ShapeTable.
   */
  internShape?(limits: ShapeLimits): number | undefined;
  /**
   * The shaped fast path over the lines of a raw audit log's chunk, from `from` on (the WebAssembly
   * scanner: native/audit-lines.c): each line is split off as the reader would, its time found as
   * audit-line.ts auditTimestampFromBytes finds it, scanned and interned (internShape), until a line
   * it leaves to the reader. `serial` names the chunk's contents (the same serial: the same bytes).
   * The answer is the scanner's and valid until its next call. Scanners without it take lines one by one.
   */
  scanAuditLines?(
    chunk: Uint8Array,
    serial: number,
    from: number,
    maxLineBytes: number,
    limits: ShapeLimits,
  ): AuditLineRun | undefined;
}

/** The lines one scanAuditLines call took: entry i of each array is the i-th line taken. */
export interface AuditLineRun {
  /** Lines taken. */
  count: number;
  /** Where the run stopped: the start of the line it left to the reader, or of the line after the last it passed. */
  stop: number;
  /** Newlines passed: the lines taken and the blank lines skipped. */
  lines: number;
  /** It stopped at a line it would not take (rather than at the chunk's end or a full output). */
  refused: boolean;
  /** Per line: its shape id, its bounds in the chunk (CR dropped) and its time in ms. */
  readonly shapes: Int32Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly times: Float64Array;
}

/** A shape table's limits (shape-table.ts). */
export interface ShapeLimits {
  /** Most shapes held. */
  readonly capacity: number;
  /** Most token bytes held over all shapes. */
  readonly maxSignatureBytes: number;
  /** ANDed into every hash (a test hook: 0 makes all shapes collide). */
  readonly hashMask: number;
}

/**
 * Which implementation: 'auto' (WebAssembly when the runtime can, else JS), or one of them ('wasm'
 * throws where WebAssembly is unavailable; tests and benchmarks pick each in turn).
 */
export type JsonByteScannerKind = 'auto' | 'wasm' | 'js';

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
export function createJsonByteScanner(
  fieldNames: readonly string[],
  kind: JsonByteScannerKind = 'auto',
): JsonByteScanner | undefined {
  for (const name of fieldNames) {
    if (SYSTEM_FIELDS.has(name) || name.includes('\uFFFD') || !isWellFormed(name)) return undefined;
    const segments = name.split('.');
    if (segments.length > MAX_SCAN_SEGMENTS || segments.includes('__proto__')) return undefined;
  }
  const tables = buildScanTables(fieldNames);
  if (kind === 'js') return new JsByteScanner(tables, fieldNames);
  const wasm = createWasmByteScanner(tables, fieldNames);
  if (wasm !== undefined) return wasm;
  if (kind === 'wasm') throw new Error('WebAssembly (with SIMD) is not available in this runtime');
  return new JsByteScanner(tables, fieldNames);
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
