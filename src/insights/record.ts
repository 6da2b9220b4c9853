/**
 * One log event as the query engine sees it: the CloudWatch system fields plus the raw message.
 * JSON in the message is parsed lazily, at most once per record, and cached on the record so that
 * several queries evaluated over the same record share the work.
 */
export interface LogRecord {
  /** `@timestamp`, epoch milliseconds. */
  timestamp: number;
  /** `@message`: the raw event text. */
  message: string;
  /** `@logStream`. */
  logStream: string;
  /** `@log`: `account-id:log-group-name` on CloudWatch, the file path locally. */
  log: string;
  /** `@ingestionTime`, epoch milliseconds, when known. */
  ingestionTime?: number;
  /** `@ptr`: an opaque pointer to the record. */
  ptr?: string;
  /**
   * Cache for the parsed message: `undefined` until first needed, `null` when the message is not a
   * JSON object. Only the engine's field resolver writes it.
   */
  json?: Record<string, unknown> | null;
}
