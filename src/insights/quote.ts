/**
 * Quotes a value as an Insights string literal for parameter substitution (namespace, user, ...).
 * Backslash and double quote are escaped, and control characters become \n, \r, \t or are dropped,
 * so the literal always ends at its closing quote: no value can add a `|`, a comment or a command.
 */
export function quoteStringLiteral(value: string): string {
  let out = '"';
  for (const ch of value) {
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch < ' ' || ch === '\u007f') continue;
    else out += ch;
  }
  return out + '"';
}
