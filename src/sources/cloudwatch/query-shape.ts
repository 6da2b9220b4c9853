/**
 * The few facts about a query string the CloudWatch runner needs before sending it: is it an aggregate
 * (`stats`), does it carry its own `limit`, how is it sorted, does it already use `filterIndex`. Read with
 * a small scanner that respects strings, backticks, regex literals and `#` comments, so a `|` or the word
 * `stats` inside a literal is never taken for a command.
 */

/** What the runner needs to know about a query. */
export interface QueryShape {
  /** The query has a `stats` command: its rows are groups, not log events, so it cannot be split. */
  aggregate: boolean;
  /** N of the last `limit N` command, if any. */
  limit: number | undefined;
  /** Keys of the last `sort` command, in order. */
  sort: { field: string; descending: boolean }[];
  /** The query already has a `filterIndex` command. */
  hasFilterIndex: boolean;
  /** The query text without leading comment and blank lines. */
  body: string;
}

/** Splits a query into its `|`-separated commands, ignoring `|` inside literals and comments. */
export function splitCommands(queryString: string): string[] {
  const commands: string[] = [];
  let current = '';
  let i = 0;
  const text = queryString;
  while (i < text.length) {
    const ch = text[i] as string;
    if (ch === '#') {
      // A comment runs to the end of the line.
      const end = text.indexOf('\n', i);
      i = end === -1 ? text.length : end;
      continue;
    }
    if (ch === '"' || ch === "'" || ch === '`') {
      const end = closingIndex(text, i, ch);
      current += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (ch === '/' && regexMayStartHere(current)) {
      const end = closingIndex(text, i, '/');
      current += text.slice(i, end + 1);
      i = end + 1;
      continue;
    }
    if (ch === '|') {
      commands.push(current.trim());
      current = '';
      i += 1;
      continue;
    }
    current += ch;
    i += 1;
  }
  commands.push(current.trim());
  return commands.filter((command) => command.length > 0);
}

/** Index of the quote closing the literal opened at `start` (backslash escapes), or the last index. */
function closingIndex(text: string, start: number, quote: string): number {
  for (let j = start + 1; j < text.length; j++) {
    const c = text[j];
    if (c === '\\') {
      j += 1;
      continue;
    }
    if (c === quote) return j;
    if (quote === '/' && c === '\n') return j - 1;
  }
  return text.length - 1;
}

/** A `/` opens a regex after `like`, `=~`, `parse <field>`, `(` or `,`; elsewhere it divides. */
function regexMayStartHere(before: string): boolean {
  const trimmed = before.trimEnd();
  if (trimmed.length === 0) return false;
  if (/(^|[^\w@.])like$/i.test(trimmed) || trimmed.endsWith('=~') || /[(,]$/.test(trimmed)) return true;
  return /^parse\s+\S+$/i.test(trimmed.trimStart());
}

function commandName(command: string): string {
  return (/^([A-Za-z]+)/.exec(command)?.[1] ?? '').toLowerCase();
}

/** Reads the shape of a query string. */
export function queryShape(queryString: string): QueryShape {
  const commands = splitCommands(queryString);
  let limit: number | undefined;
  let sort: QueryShape['sort'] = [];
  let aggregate = false;
  let hasFilterIndex = false;
  for (const command of commands) {
    const name = commandName(command);
    if (name === 'stats') aggregate = true;
    if (name === 'filterindex') hasFilterIndex = true;
    if (name === 'limit') {
      const n = Number(/^limit\s+(\d+)\s*$/i.exec(command)?.[1]);
      if (Number.isInteger(n) && n > 0) limit = n;
    }
    if (name === 'sort') {
      sort = command
        .slice(4)
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part.length > 0)
        .map((part) => {
          const m = /^(`[^`]*`|\S+)(?:\s+(asc|desc))?$/i.exec(part);
          // The sort page (CWL_QuerySyntax-Sort.html) gives no default direction; we assume `desc`, the
          // order CloudWatch uses when no sort is given (CWL_QuerySyntax-Dedup.html).
          return {
            field: (m?.[1] ?? part).replace(/^`|`$/g, ''),
            descending: (m?.[2] ?? 'desc').toLowerCase() === 'desc',
          };
        });
    }
  }
  return { aggregate, limit, sort, hasFilterIndex, body: stripLeadingComments(queryString) };
}

/** Removes leading comment and blank lines (stored queries start with a comment header). */
export function stripLeadingComments(queryString: string): string {
  const lines = queryString.split('\n');
  let first = 0;
  while (first < lines.length && /^\s*(#.*)?$/.test(lines[first] ?? '')) first += 1;
  return lines.slice(first).join('\n');
}
