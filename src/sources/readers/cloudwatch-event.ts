import type { LogRecord } from '../../insights/record.js';
import { invalidJsonReason } from './audit-line.js';
import { parseIsoTimestampMs } from './iso-timestamp.js';

/**
 * Turns one exported CloudWatch Logs event into a record, or returns why it cannot. The shapes are
 * FilterLogEvents' `FilteredLogEvent` ({timestamp, logStreamName, message, ingestionTime, eventId};
 * https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_FilteredLogEvent.html) and
 * the common JSON-lines form that writes `logStream` instead of `logStreamName`. Here @timestamp is
 * the CloudWatch event time, as Logs Insights would report it, not the audit event's own.
 */
export function recordFromCloudWatchEvent(value: unknown, file: string): LogRecord | string {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return 'not a JSON object';
  const event = value as Record<string, unknown>;
  const timestamp = toEpochMs(event['timestamp']);
  if (timestamp === undefined) return 'no usable "timestamp" (epoch milliseconds or ISO 8601)';
  const rawMessage = event['message'];
  let message: string;
  if (typeof rawMessage === 'string') message = rawMessage;
  else if (rawMessage !== null && typeof rawMessage === 'object') message = JSON.stringify(rawMessage);
  else return 'no "message" string';
  const stream = event['logStreamName'] ?? event['logStream'];
  const record: LogRecord = {
    timestamp,
    message,
    logStream: typeof stream === 'string' ? stream : '',
    log: file,
  };
  const ingestionTime = toEpochMs(event['ingestionTime']);
  if (ingestionTime !== undefined) record.ingestionTime = ingestionTime;
  if (typeof event['eventId'] === 'string') record.ptr = event['eventId'];
  return record;
}

/** Parses one JSON-lines line of exported events. */
export function recordFromCloudWatchJsonLine(line: string, file: string): LogRecord | string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch (error) {
    return invalidJsonReason(error);
  }
  return recordFromCloudWatchEvent(parsed, file);
}

/** An event's `timestamp` or `ingestionTime` in epoch milliseconds: a number, digits, or ISO 8601. */
export function toEpochMs(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value);
  const ms = parseIsoTimestampMs(value);
  return Number.isNaN(ms) ? undefined : ms;
}
