import type { LogFormat } from './record-sink.js';
import { S3_EXPORT_LINE_START } from './s3-export-line.js';

/** How many bytes of (decompressed) input are looked at to decide the format. */
export const DETECTION_BYTES = 256 * 1024;
const DETECTION_LINES = 20;

// `aws logs filter-log-events` prints one JSON document; the CLI pretty-prints it, so its first line
// is a lone `{`. Its top-level keys are events, searchedLogStreams and nextToken.
const FILTER_LOG_EVENTS_START = /^\{\s*"(?:events|searchedLogStreams|nextToken)"\s*:/;

/**
 * Decides the layout of an input from its first bytes (already decompressed): the user never says.
 * The first line that parses as JSON decides between CloudWatch JSON lines and audit events; an
 * input with JSON-looking lines that fit nothing is read as an audit log, so that its lines are
 * reported as malformed; one without any is 'unknown'.
 */
export function detectFormat(head: Buffer): LogFormat {
  let text = head.toString('utf8', 0, Math.min(head.length, DETECTION_BYTES));
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const start = text.search(/\S/);
  if (start === -1) return 'empty';
  const body = text.slice(start);
  // A bare array is what `aws logs filter-log-events --query events` prints.
  if (FILTER_LOG_EVENTS_START.test(body) || body.startsWith('[')) return 'filter-log-events';
  if (S3_EXPORT_LINE_START.test(body)) return 's3-export';
  const lines = body.split('\n', DETECTION_LINES + 1);
  // The last piece may be a line cut by the detection window; it is used only if it is the only one.
  const complete = lines.length > 1 ? lines.slice(0, DETECTION_LINES) : lines;
  let sawObjectLine = false;
  for (const line of complete) {
    const trimmed = line.trim();
    if (!trimmed.startsWith('{')) continue;
    sawObjectLine = true;
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch {
      continue;
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) continue;
    const object = parsed as Record<string, unknown>;
    if (Array.isArray(object['events'])) return 'filter-log-events';
    const hasMessage =
      typeof object['message'] === 'string' ||
      (typeof object['message'] === 'object' && object['message'] !== null);
    const hasStream = typeof object['logStream'] === 'string' || typeof object['logStreamName'] === 'string';
    if (hasMessage && object['timestamp'] !== undefined && hasStream && object['kind'] === undefined) {
      return 'cloudwatch-jsonl';
    }
    return 'audit';
  }
  // Not one line looks like a JSON object: a README, a licence, a binary. Read as an audit log (every
  // line reported malformed) unless the caller chooses to pass over such files whole.
  return sawObjectLine ? 'audit' : 'unknown';
}
