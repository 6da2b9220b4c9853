import { Readable, pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import path from 'node:path';
import type { LogRecord } from '../../insights/record.js';
import { invalidJsonReason, recordFromAuditLine } from './audit-line.js';
import { recordFromCloudWatchEvent, recordFromCloudWatchJsonLine } from './cloudwatch-event.js';
import { DETECTION_BYTES, detectFormat } from './detect-format.js';
import { EventsArrayScanner } from './events-array-scanner.js';
import { LineSplitter, type LineHandler } from './line-splitter.js';
import {
  DEFAULT_MAX_LINE_BYTES,
  type InputSummary,
  type LineLayout,
  type LogFormat,
  type RecordSink,
} from './record-sink.js';
import { recordFromS3ExportLine } from './s3-export-line.js';

/** One input to read: a byte stream and the name it is reported under (`@log`, skipped-line samples). */
export interface LogInput {
  label: string;
  open(): AsyncIterable<Buffer>;
}

/** Limits and cancellation for reading one input. */
export interface ReadOptions {
  maxLineBytes?: number;
  /**
   * Pass over an input whose start holds nothing log-like (format 'unknown': a README or a licence
   * found in a directory) instead of reporting every one of its lines as malformed.
   */
  skipUnknown?: boolean;
  /** Checked between chunks; when aborted, reading stops by throwing `signal.reason`. */
  signal?: AbortSignal;
}

/**
 * Reads one input to the end and delivers its events to the sink: gzip is recognised by its magic
 * bytes (1f 8b), then the layout by the first lines (detectFormat). Malformed lines are skipped and
 * reported, a truncated gzip keeps everything before the cut; only errors reading the bytes throw.
 */
export async function readLogInput(
  input: LogInput,
  sink: RecordSink,
  options: ReadOptions = {},
): Promise<InputSummary> {
  const maxLineBytes = options.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  const summary: InputSummary = { label: input.label, format: 'empty', records: 0, skipped: 0, gzip: false };
  const counting: RecordSink = {
    record(record, bytes) {
      summary.records++;
      sink.record(record, bytes);
    },
    skip(sample) {
      summary.skipped++;
      sink.skip(sample);
    },
  };
  if (sink.chunkDone !== undefined) counting.chunkDone = sink.chunkDone.bind(sink);
  const shapedLine = sink.shapedLine;
  if (shapedLine !== undefined) {
    counting.shapedLine = (layout, buffer, start, end, label, logStream) => {
      if (!shapedLine(layout, buffer, start, end, label, logStream)) return false;
      summary.records++;
      return true;
    };
  }
  const shapedRun = sink.shapedRun;
  if (shapedRun !== undefined) {
    counting.shapedRun = (buffer, serial, from, max, label) => {
      const run = shapedRun(buffer, serial, from, max, label);
      summary.records += run.records;
      return run;
    };
  }

  const raw = input.open()[Symbol.asyncIterator]();
  const firstRaw = await nextNonEmpty(raw);
  if (firstRaw === undefined) return summary;
  summary.gzip = firstRaw.length >= 2 && firstRaw[0] === 0x1f && firstRaw[1] === 0x8b;
  const rawChunks = prepend(firstRaw, raw);
  const chunks = summary.gzip ? gunzip(rawChunks) : rawChunks;

  let consumer: ChunkConsumer | undefined;
  const head: Buffer[] = [];
  let headBytes = 0;
  try {
    for await (const chunk of chunks) {
      throwIfAborted(options.signal);
      if (consumer === undefined) {
        head.push(chunk);
        headBytes += chunk.length;
        if (headBytes < DETECTION_BYTES) continue;
        if (options.skipUnknown === true && detectFormat(Buffer.concat(head)) === 'unknown') {
          summary.format = 'unknown';
          return summary;
        }
        consumer = startConsumer(Buffer.concat(head), input.label, maxLineBytes, counting, summary);
        continue;
      }
      consumer.push(chunk);
    }
  } catch (error) {
    if (!isZlibError(error)) throw error;
    // A truncated or corrupt gzip: keep what was read, and say where it stopped.
    consumer ??= startConsumer(Buffer.concat(head), input.label, maxLineBytes, counting, summary);
    const reason = `gzip stream ends early or is corrupt (${(error as Error).message}); the rest of the file is lost`;
    consumer.abandon(reason);
    summary.cutShort = reason;
    return summary;
  }
  if (
    consumer === undefined &&
    options.skipUnknown === true &&
    detectFormat(Buffer.concat(head)) === 'unknown'
  ) {
    summary.format = 'unknown';
    return summary;
  }
  consumer ??= startConsumer(Buffer.concat(head), input.label, maxLineBytes, counting, summary);
  consumer.end();
  return summary;
}

interface ChunkConsumer {
  push(chunk: Buffer): void;
  end(): void;
  /** The input broke off: drop any partial line and report why at the line where it stopped. */
  abandon(reason: string): void;
}

function startConsumer(
  head: Buffer,
  label: string,
  maxLineBytes: number,
  sink: RecordSink,
  summary: InputSummary,
): ChunkConsumer {
  const format = detectFormat(head);
  summary.format = format;
  const consumer =
    format === 'filter-log-events'
      ? eventsConsumer(label, maxLineBytes, sink)
      : lineConsumer(format, label, maxLineBytes, sink);
  if (head.length > 0) consumer.push(head);
  return consumer;
}

function lineConsumer(
  format: LogFormat,
  label: string,
  maxLineBytes: number,
  sink: RecordSink,
): ChunkConsumer {
  // Exports are laid out as <prefix>/<task id>/<log stream>/000000.gz: the folder is the stream.
  const stream = format === 's3-export' && label !== '-' ? path.basename(path.dirname(label)) : '';
  const toRecord = lineParser(format, label, stream);
  // Lines may skip the record altogether (the shaped fast path, sources/shaped-lines.ts).
  const layout = lineLayout(format);
  const fast = layout === undefined ? undefined : sink.shapedLine?.bind(sink);
  const handler: LineHandler = {
    line(buffer, start, end, lineNumber) {
      if (fast !== undefined && fast(layout as LineLayout, buffer, start, end, label, stream)) return;
      let text = buffer.toString('utf8', start, end);
      // A byte-order mark (Windows editors write one) is not part of the first line.
      if (lineNumber === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
      const result = toRecord(text);
      if (typeof result === 'string') sink.skip({ file: label, line: lineNumber, reason: result });
      else sink.record(result, end - start);
    },
    skip: (sample) => sink.skip(sample),
  };
  // Raw audit lines can also be taken a chunk at a time (shaped-lines.ts).
  const run = layout === 'audit' ? sink.shapedRun : undefined;
  if (run !== undefined)
    handler.run = (buffer, serial, from) => run(buffer, serial, from, maxLineBytes, label);
  const splitter = new LineSplitter(label, maxLineBytes, handler);
  const chunkDone = sink.chunkDone?.bind(sink);
  return {
    push(chunk) {
      splitter.push(chunk);
      chunkDone?.();
    },
    end: () => splitter.end(),
    abandon(reason) {
      const line = splitter.discardPartial() ?? splitter.currentLine;
      sink.skip({ file: label, line, reason });
    },
  };
}

function lineParser(format: LogFormat, label: string, stream: string): (line: string) => LogRecord | string {
  switch (format) {
    case 'cloudwatch-jsonl':
      return (line) => recordFromCloudWatchJsonLine(line, label);
    case 's3-export':
      return (line) => recordFromS3ExportLine(line, label, stream);
    default:
      return (line) => recordFromAuditLine(line, label);
  }
}

/** The shaped fast path's name for a line format; other formats (unknown) read every line the ordinary way. */
function lineLayout(format: LogFormat): LineLayout | undefined {
  return format === 'audit' || format === 'cloudwatch-jsonl' || format === 's3-export' ? format : undefined;
}

function eventsConsumer(label: string, maxElementBytes: number, sink: RecordSink): ChunkConsumer {
  const scanner = new EventsArrayScanner(label, maxElementBytes, {
    element(bytes, line) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(bytes.toString('utf8'));
      } catch (error) {
        sink.skip({ file: label, line, reason: invalidJsonReason(error) });
        return;
      }
      const result = recordFromCloudWatchEvent(parsed, label);
      if (typeof result === 'string') sink.skip({ file: label, line, reason: result });
      else sink.record(result, Buffer.byteLength(result.message, 'utf8'));
    },
    skip: (sample) => sink.skip(sample),
  });
  return {
    push: (chunk) => scanner.push(chunk),
    end: () => scanner.end(),
    abandon(reason) {
      sink.skip({ file: label, line: 0, reason });
    },
  };
}

/** The first bytes, at least two of them when there are (the gzip magic is two bytes, and stdin may trickle). */
async function nextNonEmpty(iterator: AsyncIterator<Buffer>): Promise<Buffer | undefined> {
  const parts: Buffer[] = [];
  let bytes = 0;
  while (bytes < 2) {
    const next = await iterator.next();
    if (next.done === true) break;
    const chunk = toBuffer(next.value);
    parts.push(chunk);
    bytes += chunk.length;
  }
  return bytes === 0 ? undefined : Buffer.concat(parts);
}

async function* prepend(first: Buffer, rest: AsyncIterator<Buffer>): AsyncGenerator<Buffer> {
  try {
    yield first;
    for (;;) {
      const next = await rest.next();
      if (next.done === true) return;
      yield toBuffer(next.value);
    }
  } finally {
    // Stopping early (a non-log file passed over, an abort) must close the file now, not at GC.
    await rest.return?.();
  }
}

function gunzip(source: AsyncIterable<Buffer>): AsyncIterable<Buffer> {
  // pipeline() forwards errors from either side into the iteration; gunzip handles concatenated
  // members (`cat a.gz b.gz`) as one stream, as gzip(1) does.
  return pipeline(
    Readable.from(source),
    createGunzip({ chunkSize: 256 * 1024 }),
    () => undefined,
  ) as AsyncIterable<Buffer>;
}

function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (typeof value === 'string') return Buffer.from(value, 'utf8');
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  return Buffer.alloc(0);
}

function isZlibError(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (code.startsWith('Z_') || code === 'ERR_ZLIB_INITIALIZATION_FAILED');
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted === true) throw signal.reason;
}
