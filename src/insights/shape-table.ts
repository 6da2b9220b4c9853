/**
 * Interns scanned lines by the raw bytes of some of their field tokens (issue 5, the shaped fast
 * path): lines of an incident mostly repeat a few thousand combinations of the values the queries
 * read, so each combination ("shape") is evaluated once. Signatures live in one growing byte arena
 * with typed-array indexes (no object per shape), and a hash hit is always verified byte for byte:
 * a collision can cost time but never merge two shapes. When the shape is every slot of a scanner
 * that keeps a table of its own (the WebAssembly one, json-scan.c), that table does the same work
 * next to the line's bytes, and this one only stands for it.
 */
import type { AuditLineRun, JsonByteScanner, ShapeLimits } from './json-byte-scanner.js';

/** Limits and test hooks of a ShapeTable. */
export interface ShapeTableOptions {
  /**
   * Most signature bytes kept (default 32 MiB): a shape whose tokens would go past it is refused like
   * one past `capacity` (-1), so that a few huge lines (tokens of megabytes) cannot blow the RSS budget.
   */
  maxSignatureBytes?: number;
  /** Test hook, ANDed into every hash: 0 makes all shapes collide (the byte-for-byte verification). */
  hashMask?: number;
}

const DEFAULT_MAX_SIGNATURE_BYTES = 32 * 1024 * 1024;

const EMPTY = 0;
const INITIAL_BUCKETS = 1024;
const INITIAL_SHAPES = 256;
const INITIAL_ARENA = 16 * 1024;

/** Interns lines by the bytes of a subset of a JsonByteScanner's slots; ids in first-seen order. */
export class ShapeTable {
  private readonly slots: Int32Array;
  /** The shape is every slot of the scanner, in order: a table the scanner keeps can do the work. */
  private readonly everySlot: boolean;
  private readonly capacity: number;
  private readonly hashMask: number;
  private readonly maxSignatureBytes: number;
  private readonly limits: ShapeLimits;
  /** The scanner whose own table (internShape) this one stands for, once it has taken a line. */
  private owner: JsonByteScanner | undefined;
  private count = 0;
  /** Open addressing, linear probing: shape id + 1, or EMPTY. */
  private buckets: Int32Array = new Int32Array(INITIAL_BUCKETS);
  /** Per shape: its hash, where its bytes start in the arena, and per slot its token length (-1: absent). */
  private hashes: Int32Array = new Int32Array(INITIAL_SHAPES);
  private offsets: Int32Array = new Int32Array(INITIAL_SHAPES);
  private lengths: Int32Array;
  private arena: Uint8Array = new Uint8Array(INITIAL_ARENA);
  private arenaView: DataView = new DataView(this.arena.buffer);
  private arenaUsed = 0;
  private viewBuffer: ArrayBufferLike | undefined;
  private view: DataView = this.arenaView;

  /** `slots`: which scanner slots make up the shape; `capacity`: most shapes kept. */
  constructor(slots: readonly number[], capacity: number, options: ShapeTableOptions = {}) {
    this.slots = Int32Array.from(slots);
    this.everySlot = slots.every((k, i) => k === i);
    this.capacity = capacity;
    this.hashMask = options.hashMask ?? -1;
    this.maxSignatureBytes = options.maxSignatureBytes ?? DEFAULT_MAX_SIGNATURE_BYTES;
    this.limits = { capacity, maxSignatureBytes: this.maxSignatureBytes, hashMask: this.hashMask };
    this.lengths = new Int32Array(INITIAL_SHAPES * Math.max(1, slots.length));
  }

  /**
   * The shape id (0, 1, 2, ... in first-seen order) of the line just scanned (scanner.scan returned
   * true), or -1 for a new shape when the table is full (capacity shapes, or its tokens would pass
   * maxSignatureBytes), and for a line the scanner's own table cannot take. Two lines get the same id iff
   * every slot of the subset is absent in both or holds byte-identical tokens. A table takes its
   * lines from one scanner.
   */
  intern(buf: Uint8Array, scanner: JsonByteScanner): number {
    const slots = this.slots;
    const starts = scanner.slotStart;
    const ends = scanner.slotEnd;
    const n = slots.length;
    if (this.standsFor(scanner) && scanner.internShape !== undefined) {
      // The scanner keeps the table in its own memory, where a hit is verified 16 bytes a step. A line
      // it cannot intern is refused like a full table's: a JS id for it could give one shape two ids.
      this.adopt(scanner);
      const id = scanner.internShape(this.limits);
      if (id === undefined || id < 0) return -1;
      if (id === this.count) this.count = id + 1;
      return id;
    }
    const view = this.viewOf(buf);
    const base = buf.byteOffset;
    // murmur3's body over (slot position, token length or absence, token bytes four at a time);
    // DataView reads unaligned words, four times fewer steps than bytes.
    let h = 0x9747b28c;
    for (let s = 0; s < n; s++) {
      const k = slots[s] as number;
      const start = starts[k] as number;
      const length = start < 0 ? -1 : (ends[k] as number) - start;
      h = mix(h, (s << 16) ^ length);
      if (length <= 0) continue;
      const stop = base + start + length;
      let i = base + start;
      for (; i + 4 <= stop; i += 4) h = mix(h, view.getInt32(i, true));
      let tail = 0;
      for (; i < stop; i++) tail = (tail << 8) | view.getUint8(i);
      h = mix(h, tail);
    }
    h = avalanche(h) & this.hashMask;
    const buckets = this.buckets;
    const mask = buckets.length - 1;
    let b = avalanche(h ^ 0x5bd1e995) & mask;
    for (;;) {
      const entry = buckets[b] as number;
      if (entry === EMPTY) break;
      const id = entry - 1;
      if (this.hashes[id] === h && this.matches(id, view, base, starts, ends)) return id;
      b = (b + 1) & mask;
    }
    if (this.count >= this.capacity) return -1;
    return this.add(b, h, buf, starts, ends);
  }

  /**
   * intern() for every line of a run of a raw audit log's chunk (JsonByteScanner.scanAuditLines), when
   * this table stands for the scanner's own; undefined when it does not (the caller then takes the
   * lines one by one). Line i of the run has shape id `shapes[i]`.
   */
  internAuditLines(
    chunk: Uint8Array,
    serial: number,
    from: number,
    maxLineBytes: number,
    scanner: JsonByteScanner,
  ): AuditLineRun | undefined {
    if (!this.standsFor(scanner) || scanner.scanAuditLines === undefined) return undefined;
    this.adopt(scanner);
    const run = scanner.scanAuditLines(chunk, serial, from, maxLineBytes, this.limits);
    if (run === undefined) return undefined;
    // New shapes have the next ids in order: the count is one past the largest.
    const shapes = run.shapes;
    let count = this.count;
    for (let i = 0; i < run.count; i++) if ((shapes[i] as number) >= count) count = (shapes[i] as number) + 1;
    this.count = count;
    return run;
  }

  /** The shape is every slot of `scanner`, in order: a table the scanner keeps can stand for this one. */
  private standsFor(scanner: JsonByteScanner): boolean {
    return this.everySlot && this.slots.length === scanner.slotStart.length;
  }

  /** Takes `scanner` as the one this table stands for; a table takes its lines from one scanner. */
  private adopt(scanner: JsonByteScanner): void {
    if (this.owner === undefined) this.owner = scanner;
    else if (this.owner !== scanner) throw new Error('a ShapeTable takes its lines from one scanner');
  }

  /** Shapes held. */
  get size(): number {
    return this.count;
  }

  /** Bytes held (for the RSS budget): the signature arena and the index arrays, as allocated. */
  get bytes(): number {
    return (
      this.arena.byteLength +
      this.buckets.byteLength +
      this.hashes.byteLength +
      this.offsets.byteLength +
      this.lengths.byteLength
    );
  }

  private matches(id: number, view: DataView, base: number, starts: Int32Array, ends: Int32Array): boolean {
    const slots = this.slots;
    const n = slots.length;
    const lengths = this.lengths;
    const first = id * n;
    for (let s = 0; s < n; s++) {
      const k = slots[s] as number;
      const start = starts[k] as number;
      const length = start < 0 ? -1 : (ends[k] as number) - start;
      if (lengths[first + s] !== length) return false;
    }
    const arena = this.arenaView;
    let at = this.offsets[id] as number;
    for (let s = 0; s < n; s++) {
      const k = slots[s] as number;
      const start = starts[k] as number;
      if (start < 0) continue;
      const stop = base + (ends[k] as number);
      let i = base + start;
      for (; i + 4 <= stop; i += 4, at += 4)
        if (arena.getInt32(at, true) !== view.getInt32(i, true)) return false;
      for (; i < stop; i++, at++) if (arena.getUint8(at) !== view.getUint8(i)) return false;
    }
    return true;
  }

  /** A DataView of the caller's whole buffer, made again only when the buffer changes. */
  private viewOf(buf: Uint8Array): DataView {
    if (buf.buffer !== this.viewBuffer) {
      this.viewBuffer = buf.buffer;
      this.view = new DataView(buf.buffer);
    }
    return this.view;
  }

  private add(bucket: number, h: number, buf: Uint8Array, starts: Int32Array, ends: Int32Array): number {
    const id = this.count;
    const slots = this.slots;
    const n = slots.length;
    let total = 0;
    for (let s = 0; s < n; s++) {
      const k = slots[s] as number;
      const start = starts[k] as number;
      if (start >= 0) total += (ends[k] as number) - start;
    }
    if (this.arenaUsed + total > this.maxSignatureBytes) return -1;
    if (id === this.hashes.length) {
      this.hashes = grown(this.hashes, id * 2);
      this.offsets = grown(this.offsets, id * 2);
      this.lengths = grown(this.lengths, id * 2 * Math.max(1, n));
    }
    for (let s = 0; s < n; s++) {
      const k = slots[s] as number;
      const start = starts[k] as number;
      this.lengths[id * n + s] = start < 0 ? -1 : (ends[k] as number) - start;
    }
    if (this.arenaUsed + total > this.arena.length) {
      const doubled = Math.min(this.arena.length * 2, this.maxSignatureBytes);
      const next = new Uint8Array(Math.max(doubled, this.arenaUsed + total));
      next.set(this.arena.subarray(0, this.arenaUsed));
      this.arena = next;
      this.arenaView = new DataView(next.buffer);
    }
    const arena = this.arena;
    let at = this.arenaUsed;
    this.offsets[id] = at;
    for (let s = 0; s < n; s++) {
      const k = slots[s] as number;
      const start = starts[k] as number;
      if (start >= 0) {
        arena.set(buf.subarray(start, ends[k] as number), at);
        at += (ends[k] as number) - start;
      }
    }
    this.arenaUsed = at;
    this.hashes[id] = h;
    this.buckets[bucket] = id + 1;
    this.count = id + 1;
    // Keep the load factor under one half so that probe runs stay short.
    if (this.count * 2 > this.buckets.length) this.rehash(this.buckets.length * 2);
    return id;
  }

  private rehash(size: number): void {
    const buckets = new Int32Array(size);
    const mask = size - 1;
    for (let id = 0; id < this.count; id++) {
      let b = avalanche((this.hashes[id] as number) ^ 0x5bd1e995) & mask;
      while (buckets[b] !== EMPTY) b = (b + 1) & mask;
      buckets[b] = id + 1;
    }
    this.buckets = buckets;
  }
}

/** One murmur3 block: mixes a 32-bit word into the running hash. */
function mix(hash: number, word: number): number {
  let k = Math.imul(word, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  let h = hash ^ k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** murmur3's finaliser: every input bit affects every output bit. */
function avalanche(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h;
}

function grown(array: Int32Array, size: number): Int32Array {
  const next = new Int32Array(size);
  next.set(array);
  return next;
}
