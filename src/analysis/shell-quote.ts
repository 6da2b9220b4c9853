/**
 * Quoting for shell commands the report prints. Everything that comes from audit logs is
 * attacker-controlled, so it is single-quoted (the only form in which no character is special) and
 * a single quote inside becomes '\''.
 */

/** Quotes a value for POSIX shells. */
export function shellQuote(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:=@%+,-]+$/.test(value)) return value;
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** Percent-encodes one URL path segment (a namespace, resource or group taken from logs). */
export function pathSegment(value: string): string {
  return encodeURIComponent(value);
}
