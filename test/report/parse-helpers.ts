/* eslint-disable no-control-regex -- these tests look for control characters on purpose. */
/** Small, strict parsers the report tests use to read rendered output back. */

/** RFC 4180: records of fields, quoted fields may hold `,`, `""` and line breaks. Throws on malformed input. */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let i = 0;
  let quoted = false;
  let fieldStarted = false;
  while (i < text.length) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i += 2;
          continue;
        }
        quoted = false;
        i += 1;
        const next = text[i];
        if (next !== ',' && next !== '\r' && next !== undefined)
          throw new Error(`character after closing quote at ${i}`);
        continue;
      }
      field += c;
      i += 1;
      continue;
    }
    if (c === '"') {
      if (fieldStarted) throw new Error(`quote inside an unquoted field at ${i}`);
      quoted = true;
      fieldStarted = true;
      i += 1;
    } else if (c === ',') {
      record.push(field);
      field = '';
      fieldStarted = false;
      i += 1;
    } else if (c === '\r') {
      if (text[i + 1] !== '\n') throw new Error(`bare CR at ${i}`);
      record.push(field);
      records.push(record);
      record = [];
      field = '';
      fieldStarted = false;
      i += 2;
    } else if (c === '\n') {
      throw new Error(`bare LF outside quotes at ${i}`);
    } else {
      field += c;
      fieldStarted = true;
      i += 1;
    }
  }
  if (quoted) throw new Error('unterminated quoted field');
  if (fieldStarted || record.length > 0) {
    record.push(field);
    records.push(record);
  }
  return records;
}

/** One fenced code block: its info string and content, as a CommonMark reader would see them. */
export interface FencedBlock {
  info: string;
  content: string;
  startLine: number;
}

/**
 * Splits Markdown into fenced code blocks (backtick fences, CommonMark rules: closed by a fence of
 * the same character at least as long, nothing else on the line) and the lines outside them.
 */
export function splitMarkdown(markdown: string): {
  blocks: FencedBlock[];
  outside: { line: string; number: number }[];
} {
  const blocks: FencedBlock[] = [];
  const outside: { line: string; number: number }[] = [];
  const lines = markdown.split('\n');
  let open: { fence: number; info: string; body: string[]; start: number } | null = null;
  lines.forEach((line, number) => {
    if (open === null) {
      const start = /^ {0,3}(`{3,})([^`]*)$/.exec(line);
      if (start !== null)
        open = { fence: (start[1] ?? '').length, info: (start[2] ?? '').trim(), body: [], start: number };
      else outside.push({ line, number });
      return;
    }
    const close = /^ {0,3}(`{3,})\s*$/.exec(line);
    if (close !== null && (close[1] ?? '').length >= open.fence) {
      blocks.push({ info: open.info, content: open.body.join('\n'), startLine: open.start });
      open = null;
    } else open.body.push(line);
  });
  if (open !== null)
    throw new Error(`unclosed fence opened at line ${(open as { start: number }).start + 1}`);
  return { blocks, outside };
}

/** Cells of a GFM table row: split at pipes that are not backslash-escaped. */
export function tableCells(row: string): string[] {
  const inner = row
    .trim()
    .replace(/^\|/, '')
    .replace(/(?<!\\)\|$/, '');
  return inner.split(/(?<!\\)\|/).map((cell) => cell.trim());
}

/** Groups consecutive table lines (`| ... |`) outside code blocks into tables. */
export function markdownTables(outside: { line: string; number: number }[]): string[][] {
  const tables: string[][] = [];
  let current: string[] = [];
  let last = -2;
  for (const { line, number } of outside) {
    if (line.startsWith('|')) {
      if (number !== last + 1 && current.length > 0) {
        tables.push(current);
        current = [];
      }
      current.push(line);
      last = number;
    } else if (current.length > 0) {
      tables.push(current);
      current = [];
    }
  }
  if (current.length > 0) tables.push(current);
  return tables;
}

/** A tag in HTML source, as a browser's tokenizer would start it. */
export interface HtmlTag {
  name: string;
  closing: boolean;
  attributes: { name: string; value: string }[];
}

/**
 * Tokenizes the tags of our own well-formed HTML: every `<` must open a tag with double-quoted
 * attributes (or be the doctype). Any other `<` means text was not escaped, and throws.
 */
export function htmlTags(html: string): HtmlTag[] {
  const tags: HtmlTag[] = [];
  const pattern = /<(\/?)([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*(?:="[^"]*")?)*)\s*\/?>/y;
  let at = html.indexOf('<');
  while (at >= 0) {
    if (html.startsWith('<!DOCTYPE html>', at)) {
      at = html.indexOf('<', at + 1);
      continue;
    }
    pattern.lastIndex = at;
    const match = pattern.exec(html);
    if (match === null)
      throw new Error(`unexpected "<" at ${at}: ${JSON.stringify(html.slice(at, at + 60))}`);
    const attributes = [...(match[3] ?? '').matchAll(/([a-zA-Z_:][-a-zA-Z0-9_:.]*)(?:="([^"]*)")?/g)].map(
      (m) => ({ name: (m[1] ?? '').toLowerCase(), value: m[2] ?? '' }),
    );
    tags.push({ name: (match[2] ?? '').toLowerCase(), closing: match[1] === '/', attributes });
    at = html.indexOf('<', at + match[0].length);
  }
  return tags;
}

/** Characters no rendered output may contain: ESC, C1 controls, NUL and other C0 except tab/LF, bidi controls. */
export const FORBIDDEN_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
