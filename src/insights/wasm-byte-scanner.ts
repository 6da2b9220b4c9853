/**
 * The JSON byte scanner in WebAssembly (native/json-scan.c, bytes in json-scan-wasm.ts): the same
 * algorithm as js-byte-scanner.ts, with string bodies skipped 16 bytes at a time (simd128). Each line
 * is copied into the instance's memory and scanned there; the slots come back shifted to the
 * caller's buffer, so callers see exactly the JS scanner's interface and results.
 */

import type { AuditLineRun, JsonByteScanner, ShapeLimits } from './json-byte-scanner.js';
import { JsByteScanner } from './js-byte-scanner.js';
import { JSON_SCAN_WASM } from './json-scan-wasm.js';
import { keyFound, MAX_SCAN_DEPTH, type ScanTables } from './json-scan-tables.js';

/** The parts of the WebAssembly API used here (the project's lib settings do not declare it). */
interface WasmMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}
interface WasmExports {
  readonly memory: WasmMemory;
  readonly __heap_base: { readonly value: number };
  max_depth(): number;
  configure(header: number): void;
  scan(line: number, end: number, delta: number): number;
  configure_shapes(header: number): void;
  intern_shape(): number;
  configure_runs(header: number): void;
  scan_audit_lines(chunk: number, from: number, to: number, maxLine: number): number;
  run_stop(): number;
  run_lines(): number;
  run_refused(): number;
}
interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: unknown };
}

const PAGE = 65536;
/** The line area a scanner starts with; it grows (by doubling) for longer lines. */
const INITIAL_LINE_CAPACITY = 64 * 1024;
/**
 * Longer lines are scanned by the JS scanner instead: wasm memory never shrinks, and a scanner
 * should not keep tens of MiB for one odd line (etcd's request limit, 1.5 MiB, bounds most lines).
 */
const MAX_LINE_CAPACITY = 4 * 1024 * 1024;
/** json-scan.c reads up to 16 bytes past the line and past the key bytes (16-byte loads). */
const PADDING = 16;
/** Words in configure()'s header, and in configure_shapes()'s (json-scan.c). */
const HEADER_WORDS = 15;
const SHAPE_HEADER_WORDS = 9;
/** Words in configure_runs()'s header (audit-lines.c), and the most lines one scan_audit_lines() takes. */
const RUN_HEADER_WORDS = 5;
const RUN_CAPACITY = 1024;

/** The runtime's WebAssembly, if it has one. */
const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
/** Compiled once per thread (workers have their own module graph), on first use; null: unavailable. */
let compiled: object | null | undefined;

function compiledModule(): object | null {
  if (compiled !== undefined) return compiled;
  try {
    compiled = api === undefined ? null : new api.Module(Buffer.from(JSON_SCAN_WASM, 'base64'));
  } catch {
    // No SIMD or bulk memory (an old or restricted runtime): the JS scanner does the work.
    compiled = null;
  }
  return compiled;
}

/** A WebAssembly scanner over `tables`, or undefined when the runtime cannot compile the module. */
export function createWasmByteScanner(
  tables: ScanTables,
  fieldNames: readonly string[],
): JsonByteScanner | undefined {
  const module = compiledModule();
  if (module === null || api === undefined) return undefined;
  const exports = new api.Instance(module, {}).exports as WasmExports;
  if (exports.max_depth() !== MAX_SCAN_DEPTH)
    throw new Error('json-scan.wasm is out of date: npm run build:wasm');
  return new WasmByteScanner(exports, tables, fieldNames);
}

class WasmByteScanner implements JsonByteScanner {
  readonly fieldNames: readonly string[];
  readonly slotStart: Int32Array;
  readonly slotEnd: Int32Array;
  private readonly exports: WasmExports;
  private readonly tables: ScanTables;
  /** Word indexes of the slots and of the trie nodes' value starts in memory. */
  private readonly slotStartWord: number;
  private readonly nodeStartWord: number;
  private readonly slotEndWord: number;
  /** The last line went to the JS scanner (found() asks it). */
  private inJs = false;
  /**
   * The line area [lineStart, lineEnd): each line is copied to its end, PADDING bytes before lineEnd.
   * At first all the memory after the tables; a shape table's region (internShape) is put after it,
   * and a line area grown later moves past the region.
   */
  private lineStart: number;
  private lineEnd = 0;
  private lineCapacity = 0;
  /** Where the shape table's region ends; 0 until internShape is first called. */
  private shapesEnd = 0;
  /** Where the last region placed after the line area (shapes, runs, chunk) ends: a grown line area goes past it. */
  private placedEnd = 0;
  /** scanAuditLines: its output (made on first use), the chunk area, and the serial of the chunk in it. */
  private run: WasmAuditLineRun | undefined;
  private chunkAt = 0;
  private chunkCapacity = 0;
  private chunkSerial = -1;
  private bytes: Uint8Array;
  private words: Int32Array;
  /** For lines past MAX_LINE_CAPACITY, made on first need. */
  private fallback: JsByteScanner | undefined;

  constructor(exports: WasmExports, tables: ScanTables, fieldNames: readonly string[]) {
    this.fieldNames = Object.freeze([...fieldNames]);
    this.exports = exports;
    this.tables = tables;
    this.slotStart = new Int32Array(fieldNames.length).fill(-1);
    this.slotEnd = new Int32Array(fieldNames.length).fill(-1);
    const n = tables.nodeCount;
    const f = fieldNames.length;
    // Memory from __heap_base: the header, the int32 tables, the byte tables, then the line.
    let at = align(exports.__heap_base.value, 16);
    const header = at;
    at += HEADER_WORDS * 4;
    const place = (bytes: number): number => {
      const offset = at;
      at = align(at + bytes, 4);
      return offset;
    };
    const nodeStart = place(n * 4);
    const nodeEnd = place(n * 4);
    const keyOffset = place(tables.keyOffset.byteLength);
    const lengthBase = place(tables.lengthBase.byteLength);
    const maxKeyLength = place(tables.maxKeyLength.byteLength);
    const lengthHead = place(tables.lengthHead.byteLength);
    const sameLengthNext = place(tables.sameLengthNext.byteLength);
    const terminals = place(tables.terminals.byteLength);
    const terminalOffset = place(tables.terminalOffset.byteLength);
    const slotStart = place(f * 4);
    const slotEnd = place(f * 4);
    const hasChildren = place(tables.hasChildren.byteLength);
    const keyBytes = place(tables.keyBytes.byteLength + PADDING);
    this.lineStart = align(at, 16);
    this.slotStartWord = slotStart / 4;
    this.nodeStartWord = nodeStart / 4;
    this.slotEndWord = slotEnd / 4;
    this.bytes = new Uint8Array(0);
    this.words = new Int32Array(0);
    this.reserve(this.lineStart + INITIAL_LINE_CAPACITY + PADDING);
    this.takeLineArea();
    const words = this.words;
    words.set(
      [n, f, nodeStart, nodeEnd, hasChildren, keyBytes, keyOffset, lengthBase, maxKeyLength, lengthHead],
      header / 4,
    );
    words.set([sameLengthNext, terminals, terminalOffset, slotStart, slotEnd], header / 4 + 10);
    words.set(tables.keyOffset, keyOffset / 4);
    words.set(tables.lengthBase, lengthBase / 4);
    words.set(tables.maxKeyLength, maxKeyLength / 4);
    words.set(tables.lengthHead, lengthHead / 4);
    words.set(tables.sameLengthNext, sameLengthNext / 4);
    words.set(tables.terminals, terminals / 4);
    words.set(tables.terminalOffset, terminalOffset / 4);
    this.bytes.set(tables.hasChildren, hasChildren);
    this.bytes.set(tables.keyBytes, keyBytes);
    exports.configure(header);
  }

  scan(buf: Uint8Array, start: number, end: number): boolean {
    const length = end - start;
    this.inJs = false;
    if (length <= 0) return false;
    if (length > this.lineCapacity && !this.growLine(length)) return this.scanInJs(buf, start, end);
    // The line ends PADDING bytes before lineEnd: json-scan.c reads at most that far past a line, and
    // what it finds there (old bytes of longer lines) is cut off by its comparisons with the line's
    // end; the tests leave such bytes there on purpose.
    const at = this.lineEnd - PADDING - length;
    this.bytes.set(buf.subarray(start, end), at);
    if (this.exports.scan(at, length, start) === 0) return false;
    const words = this.words;
    const slotStart = this.slotStart;
    const slotEnd = this.slotEnd;
    const s = this.slotStartWord;
    const e = this.slotEndWord;
    for (let k = 0; k < slotStart.length; k++) {
      slotStart[k] = words[s + k] as number;
      slotEnd[k] = words[e + k] as number;
    }
    return true;
  }

  internShape(limits: ShapeLimits): number | undefined {
    if (this.inJs) return undefined;
    if (this.shapesEnd === 0) this.reserveShapes(limits);
    return this.exports.intern_shape();
  }

  scanAuditLines(
    chunk: Uint8Array,
    serial: number,
    from: number,
    maxLineBytes: number,
    limits: ShapeLimits,
  ): AuditLineRun | undefined {
    if (this.shapesEnd === 0) this.reserveShapes(limits);
    const run = this.run ?? this.reserveRun();
    if (serial !== this.chunkSerial) {
      // Copied once per chunk, however many runs the reader asks of it (one after each line it reads itself).
      if (chunk.length > this.chunkCapacity) this.reserveChunk(chunk.length);
      this.bytes.set(chunk, this.chunkAt);
      this.chunkSerial = serial;
    }
    const exports = this.exports;
    const count = exports.scan_audit_lines(
      this.chunkAt,
      from,
      chunk.length,
      Math.min(maxLineBytes, 0x7fffffff),
    );
    run.count = count;
    run.stop = exports.run_stop();
    run.lines = exports.run_lines();
    run.refused = exports.run_refused() === 1;
    run.refresh();
    return run;
  }

  found(k: number): boolean {
    if (this.inJs) return (this.fallback as JsByteScanner).found(k);
    return keyFound(this.tables, this.words, this.nodeStartWord, k);
  }

  /** Makes room for a line of `length` bytes; false past MAX_LINE_CAPACITY. */
  private growLine(length: number): boolean {
    if (length > MAX_LINE_CAPACITY) return false;
    const size = Math.max(length, this.lineCapacity * 2) + PADDING;
    this.lineStart = Math.max(this.lineStart, this.placedEnd);
    this.reserve(this.lineStart + size);
    this.takeLineArea();
    return true;
  }

  /** The line area runs from lineStart to the end of the memory. */
  private takeLineArea(): void {
    this.lineEnd = this.bytes.length;
    this.lineCapacity = this.lineEnd - this.lineStart - PADDING;
  }

  /**
   * Lays out the shape table after everything else, in fresh (zeroed) pages: buckets for a load
   * factor of at most one half, the per-shape arrays, then the token arena and its padding. Pages
   * the table never writes cost address space, not memory. The line area stays where it is, so the
   * line just scanned is still there for intern_shape.
   */
  private reserveShapes(limits: ShapeLimits): void {
    const capacity = Math.max(1, limits.capacity);
    const fields = this.slotStart.length;
    let buckets = 16;
    while (buckets < capacity * 2) buckets *= 2;
    let at = align(this.bytes.length, 16);
    const header = at;
    at += SHAPE_HEADER_WORDS * 4;
    const bucket = at;
    at += buckets * 4;
    const hash = at;
    at += capacity * 4;
    const offset = at;
    at += capacity * 4;
    const lengths = at;
    at += capacity * Math.max(1, fields) * 4;
    const arena = at;
    at += limits.maxSignatureBytes + PADDING;
    this.shapesEnd = align(at, 16);
    this.placedEnd = this.shapesEnd;
    this.reserve(this.shapesEnd);
    this.words.set(
      [
        bucket,
        buckets - 1,
        hash,
        offset,
        lengths,
        arena,
        limits.maxSignatureBytes,
        capacity,
        limits.hashMask,
      ],
      header / 4,
    );
    this.exports.configure_shapes(header);
  }

  /**
   * Lays out scanAuditLines' output after everything else: the header, then per line its shape, start
   * and end (int32) and time (float64).
   */
  private reserveRun(): WasmAuditLineRun {
    let at = align(this.bytes.length, 16);
    const header = at;
    at += RUN_HEADER_WORDS * 4;
    const shapes = align(at, 8);
    const starts = shapes + RUN_CAPACITY * 4;
    const ends = starts + RUN_CAPACITY * 4;
    const times = ends + RUN_CAPACITY * 4;
    this.placedEnd = align(times + RUN_CAPACITY * 8, 16);
    this.reserve(this.placedEnd);
    this.words.set([shapes, starts, ends, times, RUN_CAPACITY], header / 4);
    this.exports.configure_runs(header);
    const run = new WasmAuditLineRun(this.exports.memory, shapes, starts, ends, times, RUN_CAPACITY);
    this.run = run;
    return run;
  }

  /** A chunk area of at least `length` bytes (and the padding the scan reads past it) after everything else. */
  private reserveChunk(length: number): void {
    const capacity = Math.max(length, 64 * 1024);
    this.chunkAt = align(this.bytes.length, 16);
    this.chunkCapacity = capacity;
    this.placedEnd = align(this.chunkAt + capacity + PADDING, 16);
    this.reserve(this.placedEnd);
    this.chunkSerial = -1;
  }

  /** Grows the memory to at least `bytes` and remakes the views (growing detaches the old buffer). */
  private reserve(bytes: number): void {
    const memory = this.exports.memory;
    const have = memory.buffer.byteLength;
    if (bytes > have) memory.grow(Math.ceil((bytes - have) / PAGE));
    this.bytes = new Uint8Array(memory.buffer);
    this.words = new Int32Array(memory.buffer);
  }

  private scanInJs(buf: Uint8Array, start: number, end: number): boolean {
    this.fallback ??= new JsByteScanner(this.tables, this.fieldNames);
    this.inJs = true;
    if (!this.fallback.scan(buf, start, end)) return false;
    this.slotStart.set(this.fallback.slotStart);
    this.slotEnd.set(this.fallback.slotEnd);
    return true;
  }
}

/** scanAuditLines' answer: views of the output in wasm memory, valid until the scanner's next call. */
class WasmAuditLineRun implements AuditLineRun {
  count = 0;
  stop = 0;
  lines = 0;
  refused = false;
  shapes = new Int32Array(0);
  starts = new Int32Array(0);
  ends = new Int32Array(0);
  times = new Float64Array(0);
  private buffer: ArrayBuffer | undefined;

  constructor(
    private readonly memory: WasmMemory,
    private readonly shapesAt: number,
    private readonly startsAt: number,
    private readonly endsAt: number,
    private readonly timesAt: number,
    private readonly capacity: number,
  ) {}

  /** Remakes the views when the memory has grown (only the scanner's own calls grow it). */
  refresh(): void {
    const buffer = this.memory.buffer;
    if (buffer === this.buffer) return;
    this.buffer = buffer;
    this.shapes = new Int32Array(buffer, this.shapesAt, this.capacity);
    this.starts = new Int32Array(buffer, this.startsAt, this.capacity);
    this.ends = new Int32Array(buffer, this.endsAt, this.capacity);
    this.times = new Float64Array(buffer, this.timesAt, this.capacity);
  }
}

function align(value: number, to: number): number {
  return Math.ceil(value / to) * to;
}
