/**
 * Streams a generated incident into a writable (a file or stdout) in one of the output formats,
 * optionally gzipped, with backpressure: memory stays bounded for any size, because events are
 * generated only as fast as the destination accepts them.
 */
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { createFormatter, type OutputFormat } from './formats.js';
import {
  createIncident,
  DEFAULT_EVENTS_PER_MINUTE,
  type GroundTruth,
  type IncidentOptions,
} from './generate.js';

export interface WriteIncidentOptions {
  format: OutputFormat;
  gzip?: boolean;
  /** zlib level 1..9 (default 6). */
  gzipLevel?: number;
  /** Leave the destination open at the end (stdout). */
  keepOpen?: boolean;
}

export interface WriteIncidentResult {
  truth: GroundTruth;
  /** Bytes of formatted text, before gzip. */
  rawBytes: number;
  /** Bytes written to the destination. */
  writtenBytes: number;
  /** Lines (events) written; api lines left out by a format are not counted. */
  eventsWritten: number;
  elapsedMs: number;
}

const CHUNK_BYTES = 1 << 20;

/** Writes the incident to `destination` and resolves with its ground truth once everything is flushed. */
export async function writeIncident(
  incident: IncidentOptions,
  destination: Writable,
  options: WriteIncidentOptions,
): Promise<WriteIncidentResult> {
  const started = performance.now();
  const run = createIncident(incident);
  const formatter = createFormatter(options.format, incident.seed);
  let rawBytes = 0;
  let eventsWritten = 0;
  let writtenBytes = 0;

  function* chunks(): Generator<Buffer> {
    let parts: string[] = [formatter.header()];
    let size = parts[0]!.length;
    for (const event of run.events) {
      const text = formatter.event(event);
      if (text === '') continue;
      eventsWritten++;
      parts.push(text);
      size += text.length;
      if (size >= CHUNK_BYTES) {
        const buffer = Buffer.from(parts.join(''), 'utf8');
        rawBytes += buffer.length;
        yield buffer;
        parts = [];
        size = 0;
      }
    }
    parts.push(formatter.footer());
    const buffer = Buffer.from(parts.join(''), 'utf8');
    rawBytes += buffer.length;
    if (buffer.length > 0) yield buffer;
  }

  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      writtenBytes += chunk.length;
      callback(null, chunk);
    },
  });
  const source = Readable.from(chunks(), { objectMode: false, highWaterMark: 4 * CHUNK_BYTES });
  const end = options.keepOpen !== true;
  if (options.gzip === true) {
    await pipeline(
      source,
      createGzip({ level: options.gzipLevel ?? 6, chunkSize: 256 * 1024 }),
      counter,
      destination,
      { end },
    );
  } else {
    await pipeline(source, counter, destination, { end });
  }
  return {
    truth: run.truth(),
    rawBytes,
    writtenBytes,
    eventsWritten,
    elapsedMs: performance.now() - started,
  };
}

/**
 * Measures the incident at the default density and scales the density so that the formatted text
 * comes out near `target` bytes (or `target` events): every traffic source scales with it, so
 * volume is close to proportional.
 */
export function densityFor(
  incident: IncidentOptions,
  format: OutputFormat,
  target: { bytes?: number; events?: number },
): number {
  const base = DEFAULT_EVENTS_PER_MINUTE;
  const run = createIncident({ ...incident, eventsPerMinute: base });
  const formatter = createFormatter(format, incident.seed);
  let bytes = formatter.header().length;
  let events = 0;
  for (const event of run.events) {
    const text = formatter.event(event);
    if (text === '') continue;
    bytes += text.length;
    events++;
  }
  bytes += formatter.footer().length;
  if (target.bytes !== undefined) return (base * target.bytes) / Math.max(1, bytes);
  if (target.events !== undefined) return (base * target.events) / Math.max(1, events);
  return base;
}
