/**
 * Reads one CloudWatch JSON-lines event from its raw bytes for the shaped fast path (issue 5): the
 * fields recordFromCloudWatchJsonLine gives the record, without parsing the line or making the
 * message string. The byte scanner validates the whole line as JSON.parse would and finds each
 * member's token; anything whose meaning is not plain from the tokens (a null or an object under
 * logStreamName, a message that is not a string, duplicate keys, escaped keys) is refused, and the
 * caller reads the line the ordinary way.
 */
import { createJsonByteScanner, type JsonByteScanner } from '../../insights/index.js';
import { toEpochMs } from './cloudwatch-event.js';

/** The members recordFromCloudWatchEvent reads, in the scanner's slot order. */
const FIELDS = ['timestamp', 'message', 'logStreamName', 'logStream', 'ingestionTime', 'eventId'];
const TIMESTAMP = 0;
const MESSAGE = 1;
const LOG_STREAM_NAME = 2;
const LOG_STREAM = 3;
const INGESTION_TIME = 4;
const EVENT_ID = 5;

const QUOTE = 34;
/** Up to 15 digits an integer token is read directly (well inside 2^53). */
const MAX_DIRECT_DIGITS = 15;
/** Stream names up to this many token bytes are remembered between lines. */
const MAX_REMEMBERED_STREAM = 512;

/** One CloudWatch JSON line's event fields, read from its bytes; see read(). */
export class CloudWatchLineBytes {
  /** `@timestamp`: the event's `timestamp`. */
  timestamp = 0;
  /** The message's JSON string token, quotes included, is buffer[messageStart, messageEnd). */
  messageStart = 0;
  messageEnd = 0;
  /** `@logStream`: `logStreamName`, else `logStream`, '' when not a string. */
  logStream = '';
  ingestionTime: number | undefined = undefined;
  /** `@ptr`: the event's `eventId`. */
  ptr: string | undefined = undefined;
  private readonly scanner: JsonByteScanner;
  /** The last stream token's bytes and its string: a stream's events come line after line. */
  private readonly streamBytes = new Uint8Array(MAX_REMEMBERED_STREAM);
  private streamLength = -1;
  private streamText = '';

  constructor() {
    this.scanner = createJsonByteScanner(FIELDS) as JsonByteScanner;
  }

  /**
   * Reads buffer[start, end) (one line); true when the fields above hold what the ordinary reader
   * would give the record, false when it must decide (invalid, unusual, or no event).
   */
  read(buffer: Buffer, start: number, end: number): boolean {
    const scanner = this.scanner;
    if (!scanner.scan(buffer, start, end)) return false;
    const starts = scanner.slotStart;
    const ends = scanner.slotEnd;
    const message = starts[MESSAGE] as number;
    // An object message is re-stringified by the ordinary reader; a number or none is an error there.
    if (message < 0 || buffer[message] !== QUOTE) return false;
    const timestamp = epochMs(buffer, starts[TIMESTAMP] as number, ends[TIMESTAMP] as number);
    if (timestamp === undefined) return false;
    // `logStreamName ?? logStream`: a null there would fall through, an object would not.
    let stream = starts[LOG_STREAM_NAME] as number;
    let streamEnd = ends[LOG_STREAM_NAME] as number;
    if (stream < 0) {
      if (scanner.found(LOG_STREAM_NAME)) return false;
      stream = starts[LOG_STREAM] as number;
      streamEnd = ends[LOG_STREAM] as number;
    }
    this.logStream = stream >= 0 && buffer[stream] === QUOTE ? this.streamOf(buffer, stream, streamEnd) : '';
    this.timestamp = timestamp;
    this.messageStart = message;
    this.messageEnd = ends[MESSAGE] as number;
    const ingestion = starts[INGESTION_TIME] as number;
    this.ingestionTime =
      ingestion < 0 ? undefined : epochMs(buffer, ingestion, ends[INGESTION_TIME] as number);
    const eventId = starts[EVENT_ID] as number;
    this.ptr =
      eventId >= 0 && buffer[eventId] === QUOTE
        ? (JSON.parse(buffer.toString('utf8', eventId, ends[EVENT_ID] as number)) as string)
        : undefined;
    return true;
  }

  /** The string of the stream token buffer[from, to), the last line's when the bytes are the same. */
  private streamOf(buffer: Buffer, from: number, to: number): string {
    const length = to - from;
    const remembered = this.streamBytes;
    if (length === this.streamLength) {
      let i = 0;
      while (i < length && remembered[i] === buffer[from + i]) i++;
      if (i === length) return this.streamText;
    }
    const text = JSON.parse(buffer.toString('utf8', from, to)) as string;
    if (length <= MAX_REMEMBERED_STREAM) {
      remembered.set(buffer.subarray(from, to));
      this.streamLength = length;
      this.streamText = text;
    } else {
      this.streamLength = -1;
    }
    return text;
  }
}

/**
 * toEpochMs of the value whose token is buffer[from, to) (from -1: none). Plain integers are read
 * from the digits; anything else (a fraction, an exponent, a string) is parsed and handed over.
 */
function epochMs(buffer: Buffer, from: number, to: number): number | undefined {
  if (from < 0) return undefined;
  const length = to - from;
  if (length <= MAX_DIRECT_DIGITS) {
    let value = 0;
    let i = from;
    for (; i < to; i++) {
      const d = (buffer[i] as number) - 48;
      if (d < 0 || d > 9) break;
      value = value * 10 + d;
    }
    if (i === to) return value;
  }
  return toEpochMs(JSON.parse(buffer.toString('utf8', from, to)));
}
