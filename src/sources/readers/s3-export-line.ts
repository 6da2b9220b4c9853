import type { LogRecord } from '../../insights/record.js';
import { parseIsoTimestampMs } from './iso-timestamp.js';

/**
 * Parses one line of a CloudWatch Logs export to S3: `<ISO 8601 timestamp> <message>`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/S3Export.html). Exports are laid out as
 * `<prefix>/<task id>/<log stream name>/000000.gz`, so the caller passes the parent directory's
 * name as the stream.
 */
export function recordFromS3ExportLine(line: string, file: string, logStream: string): LogRecord | string {
  const space = line.indexOf(' ');
  if (space <= 0) return 'expected "<ISO timestamp> <message>"';
  const timestamp = parseIsoTimestampMs(line.slice(0, space));
  if (Number.isNaN(timestamp)) return `unparseable timestamp "${line.slice(0, Math.min(space, 40))}"`;
  return { timestamp, message: line.slice(space + 1), logStream, log: file };
}

/** A line starts like an S3 export line. */
export const S3_EXPORT_LINE_START = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2}) /;

/** Longest time prefix looked for in the bytes: an ISO 8601 time is far shorter. */
const MAX_TIME_BYTES = 64;

/**
 * The index of the space that ends the time of the S3 export line buffer[start, end), found in the
 * bytes as recordFromS3ExportLine finds it in the text (the shaped fast path decodes no line), or -1
 * when that search may not settle it: no space within MAX_TIME_BYTES, a space first, or a byte
 * before it that is not ASCII (the text's index would differ). The caller parses the time.
 */
export function s3ExportSpaceFromBytes(buffer: Uint8Array, start: number, end: number): number {
  const stop = Math.min(end, start + MAX_TIME_BYTES);
  for (let i = start; i < stop; i++) {
    const c = buffer[i] as number;
    if (c === 32) return i > start ? i : -1;
    if (c >= 0x80) return -1;
  }
  return -1;
}
