import type { SkippedLineSample } from '../source.js';

/** Receives each element of the events array, and what had to be skipped. */
export interface EventsArrayHandler {
  /** One element of the events array, as bytes; `line` is the line it starts on. */
  element(bytes: Buffer, line: number): void;
  skip(sample: SkippedLineSample): void;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const NEWLINE = 0x0a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const COMMA = 0x2c;
const COLON = 0x3a;

const enum Where {
  /** Outside the events array: tracking depth only. */
  Outside,
  /** Reading a key of the top-level object, byte by byte. */
  TopKey,
  /** After the top-level "events" key and its colon, waiting for the `[`. */
  EventsValue,
  /** Inside the events array, between elements. */
  EventsArray,
  /** Inside one element of the events array. */
  Element,
  /** The events array was closed. */
  Done,
}

/**
 * Streams the elements of the top-level `"events"` array of an `aws logs filter-log-events` document
 * (or of a bare top-level array, the output of `--query events`) without holding the document:
 * memory is one element (capped) plus one chunk. It tracks only depth, strings and escapes, and jumps
 * over string contents with `indexOf`; each element is validated afterwards by JSON.parse. Other
 * top-level keys (searchedLogStreams, nextToken) are skipped.
 */
export class EventsArrayScanner {
  private depth = 0;
  private inString = false;
  private escaped = false;
  private where = Where.Outside;
  private expectingKey = false;
  private key: number[] = [];
  private lastKey = '';
  private arrayDepth = -1;
  private line = 1;
  private elementLine = 0;
  private inScalar = false;
  private parts: Buffer[] = [];
  private partsBytes = 0;
  private oversized = false;

  constructor(
    private readonly file: string,
    private readonly maxElementBytes: number,
    private readonly handler: EventsArrayHandler,
  ) {}

  push(chunk: Buffer): void {
    const n = chunk.length;
    // Scanned as a latin1 string: one character per byte, so offsets match the buffer, and
    // String#indexOf / charCodeAt are far cheaper per call than their Buffer counterparts.
    const text = chunk.toString('latin1');
    let elementStart = this.where === Where.Element ? 0 : -1;
    let i = 0;
    while (i < n) {
      if (this.inString) {
        if (this.where === Where.TopKey) {
          const c = text.charCodeAt(i);
          if (this.escaped) {
            this.escaped = false;
            if (this.key.length < 256) this.key.push(c);
          } else if (c === BACKSLASH) this.escaped = true;
          else if (c === QUOTE) {
            this.inString = false;
            this.lastKey = Buffer.from(this.key).toString('utf8');
            this.where = Where.Outside;
          } else if (this.key.length < 256) this.key.push(c);
          i++;
          continue;
        }
        if (this.escaped) {
          this.escaped = false;
          i++;
          continue;
        }
        const quote = text.indexOf('"', i);
        if (quote === -1) {
          this.escaped = backslashesBefore(text, i, n) % 2 === 1;
          i = n;
          break;
        }
        if (backslashesBefore(text, i, quote) % 2 === 0) this.inString = false;
        i = quote + 1;
        continue;
      }
      const c = text.charCodeAt(i);
      switch (c) {
        case NEWLINE:
          this.line++;
          break;
        case QUOTE:
          this.inString = true;
          if (this.where === Where.Outside && this.depth === 1 && this.expectingKey) {
            this.where = Where.TopKey;
            this.key = [];
          } else if (this.where === Where.EventsArray) this.scalar();
          break;
        case OPEN_BRACE:
        case OPEN_BRACKET:
          if (this.where === Where.EventsArray) {
            this.startElement();
            elementStart = i;
          } else if (
            c === OPEN_BRACKET &&
            (this.where === Where.EventsValue || (this.depth === 0 && this.where === Where.Outside))
          ) {
            this.where = Where.EventsArray;
            this.arrayDepth = this.depth + 1;
          } else if (this.where === Where.EventsValue) {
            this.where = Where.Outside;
          }
          this.depth++;
          this.expectingKey = c === OPEN_BRACE;
          break;
        case CLOSE_BRACE:
        case CLOSE_BRACKET:
          this.depth--;
          if (this.where === Where.Element && this.depth === this.arrayDepth) {
            this.finishElement(chunk, elementStart, i + 1);
            elementStart = -1;
            this.where = Where.EventsArray;
          } else if (this.where === Where.EventsArray && this.depth === this.arrayDepth - 1) {
            this.where = Where.Done;
          }
          this.expectingKey = false;
          this.inScalar = false;
          break;
        case COLON:
          if (
            this.where === Where.Outside &&
            this.depth === 1 &&
            this.lastKey === 'events' &&
            this.arrayDepth === -1
          ) {
            this.where = Where.EventsValue;
          }
          this.lastKey = '';
          this.expectingKey = false;
          break;
        case COMMA:
          this.expectingKey = this.depth === 1;
          this.inScalar = false;
          if (this.where === Where.EventsValue) this.where = Where.Outside;
          break;
        default:
          if (c > 0x20 && this.where === Where.EventsArray) this.scalar();
      }
      i++;
    }
    if (this.where === Where.Element && elementStart !== -1) this.keepPart(chunk.subarray(elementStart, n));
  }

  /** The input ended: an unfinished element or document is reported, never fatal. */
  end(): void {
    if (this.where === Where.Element || (this.where === Where.EventsArray && this.depth > 0)) {
      this.handler.skip({
        file: this.file,
        line: this.where === Where.Element ? this.elementLine : this.line,
        reason: 'document ends early: the events array is not closed (truncated file?)',
      });
    } else if (this.arrayDepth === -1) {
      this.handler.skip({ file: this.file, line: 1, reason: 'no top-level "events" array' });
    }
    this.parts = [];
    this.partsBytes = 0;
  }

  private scalar(): void {
    if (this.inScalar) return;
    this.inScalar = true;
    this.handler.skip({ file: this.file, line: this.line, reason: 'events[] element is not an object' });
  }

  private startElement(): void {
    this.where = Where.Element;
    this.elementLine = this.line;
    this.parts = [];
    this.partsBytes = 0;
    this.oversized = false;
  }

  private tooLarge(): void {
    this.handler.skip({
      file: this.file,
      line: this.elementLine,
      reason: `event larger than ${this.maxElementBytes} bytes; skipped without reading it whole`,
    });
  }

  private keepPart(part: Buffer): void {
    if (this.oversized) return;
    if (this.partsBytes + part.length > this.maxElementBytes) {
      this.oversized = true;
      this.parts = [];
      this.partsBytes = 0;
      this.tooLarge();
      return;
    }
    // A copy, so that an element spanning chunks does not pin each whole chunk in memory.
    this.parts.push(Buffer.from(part));
    this.partsBytes += part.length;
  }

  private finishElement(chunk: Buffer, start: number, end: number): void {
    const tail = chunk.subarray(Math.max(start, 0), end);
    if (this.oversized) {
      this.oversized = false;
    } else if (this.partsBytes + tail.length > this.maxElementBytes) {
      this.tooLarge();
    } else {
      this.handler.element(
        this.parts.length === 0 ? tail : Buffer.concat([...this.parts, tail]),
        this.elementLine,
      );
    }
    this.parts = [];
    this.partsBytes = 0;
  }
}

/** Consecutive backslashes just before `end`, not looking before `from`. */
function backslashesBefore(text: string, from: number, end: number): number {
  let count = 0;
  for (let j = end - 1; j >= from && text.charCodeAt(j) === BACKSLASH; j--) count++;
  return count;
}
