import type { SkippedLineSample } from '../source.js';

/** Receives the lines a LineSplitter cuts, and the lines it had to skip. */
export interface LineHandler {
  /** One line, without its `\n` or `\r\n`, as bytes `buffer[start, end)`. Blank lines are not delivered. */
  line(buffer: Buffer, start: number, end: number, lineNumber: number): void;
  skip(sample: SkippedLineSample): void;
  /**
   * Takes whole lines of `buffer` from `from` on itself, as many as it wants, before the splitter
   * cuts the next one (the shaped fast path a chunk at a time). `serial` changes with the chunk's
   * contents. Answers where the splitter goes on and how many newlines it passed. Optional.
   */
  run?(buffer: Buffer, serial: number, from: number): { stop: number; lines: number };
}

const NEWLINE = 10;
/**
 * Chunks pushed into any splitter of this thread: names a chunk's contents for the run hook (readers
 * reuse their buffers, and one hook may serve the splitters of several inputs).
 */
let chunksPushed = 0;
const CARRIAGE_RETURN = 13;

/**
 * Splits a byte stream into lines with `Buffer.indexOf`, no regex and no string per chunk. A line
 * longer than `maxLineBytes` is dropped as it streams past (never held whole) and reported once.
 */
export class LineSplitter {
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private oversized = false;
  private lineNumber = 0;

  constructor(
    private readonly file: string,
    private readonly maxLineBytes: number,
    private readonly handler: LineHandler,
  ) {}

  /** Lines started so far (the number of the line currently being read). */
  get currentLine(): number {
    return this.lineNumber + 1;
  }

  /** True when a partial line is waiting for its end. */
  get hasPartialLine(): boolean {
    return this.partsBytes > 0 || this.oversized;
  }

  push(chunk: Buffer): void {
    let pos = 0;
    const serial = ++chunksPushed;
    const run = this.handler.run;
    for (;;) {
      if (run !== undefined && this.parts.length === 0 && !this.oversized) {
        const taken = run(chunk, serial, pos);
        this.lineNumber += taken.lines;
        pos = taken.stop;
      }
      const newline = chunk.indexOf(NEWLINE, pos);
      if (newline === -1) break;
      this.lineNumber += 1;
      if (this.oversized) {
        this.oversized = false;
      } else if (this.parts.length > 0) {
        if (this.partsBytes + (newline - pos) > this.maxLineBytes) {
          this.reportOversized(this.lineNumber);
        } else {
          this.parts.push(chunk.subarray(pos, newline));
          const joined = Buffer.concat(this.parts);
          this.emit(joined, 0, joined.length);
        }
      } else if (newline - pos > this.maxLineBytes) {
        this.reportOversized(this.lineNumber);
      } else {
        this.emit(chunk, pos, newline);
      }
      this.parts = [];
      this.partsBytes = 0;
      pos = newline + 1;
    }
    if (pos < chunk.length && !this.oversized) {
      const rest = chunk.length - pos;
      if (this.partsBytes + rest > this.maxLineBytes) {
        this.reportOversized(this.lineNumber + 1);
        this.oversized = true;
        this.parts = [];
        this.partsBytes = 0;
      } else {
        // A copy: the reader may reuse the chunk's memory for the next one (range-reader.ts).
        this.parts.push(Buffer.from(chunk.subarray(pos)));
        this.partsBytes += rest;
      }
    }
  }

  /** The input ended: a last line without a trailing newline is still a line. */
  end(): void {
    if (this.parts.length > 0 && !this.oversized) {
      this.lineNumber += 1;
      const joined = Buffer.concat(this.parts);
      this.emit(joined, 0, joined.length);
    }
    this.parts = [];
    this.partsBytes = 0;
    this.oversized = false;
  }

  /** Drops a partial last line (a truncated input) and returns its line number, or undefined. */
  discardPartial(): number | undefined {
    if (!this.hasPartialLine) return undefined;
    this.parts = [];
    this.partsBytes = 0;
    this.oversized = false;
    return this.lineNumber + 1;
  }

  private emit(buffer: Buffer, start: number, end: number): void {
    if (end > start && buffer[end - 1] === CARRIAGE_RETURN) end -= 1;
    // Blank lines (also whitespace-only) separate nothing and are not malformed.
    let first = start;
    while (first < end && (buffer[first] === 32 || buffer[first] === 9)) first++;
    if (first === end) return;
    this.handler.line(buffer, start, end, this.lineNumber);
  }

  private reportOversized(lineNumber: number): void {
    this.handler.skip({
      file: this.file,
      line: lineNumber,
      reason: `line longer than ${formatBytes(this.maxLineBytes)}; skipped without reading it whole`,
    });
  }
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024 && bytes % (1024 * 1024) === 0) return `${bytes / (1024 * 1024)} MiB`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB`;
  return `${bytes} bytes`;
}
