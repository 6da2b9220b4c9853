import { QueryError, QueryErrorCode } from './errors.js';
import type { Token, TokenKind } from './tokens.js';

/** Units `bin()` accepts (docs CWL_QuerySyntax-Stats.html): ms, s, m/min, h/hr, d, w, mo, q, y. */
export const DURATION_UNITS: ReadonlySet<string> = new Set([
  'ms',
  's',
  'm',
  'min',
  'h',
  'hr',
  'd',
  'w',
  'mo',
  'q',
  'y',
]);

const OPERATORS = ['==', '=~', '!=', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%'];

function isIdentStart(c: number): boolean {
  return (
    (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 /* _ */ || c === 64 /* @ */ || c === 36
  ); /* $ */
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}
function isIdentPart(c: number): boolean {
  return isIdentStart(c) || isDigit(c) || c === 46; /* . (dotted JSON paths) */
}
function isLetter(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/**
 * A pull lexer. The parser asks for one token at a time; `/` is an operator token unless the parser,
 * at a place where a regex may stand (after `like`, `=~`, in `parse`), rescans it with `regexAt`.
 */
export class Lexer {
  private pos = 0;

  constructor(readonly text: string) {}

  /** Returns the next token, skipping whitespace and `#` comments. */
  next(): Token {
    this.skipTrivia();
    const text = this.text;
    const start = this.pos;
    if (start >= text.length) return tok('eof', '', start, start);
    const c = text.charCodeAt(start);
    const ch = text[start] as string;
    if (isIdentStart(c)) {
      let end = start + 1;
      while (end < text.length && isIdentPart(text.charCodeAt(end))) end++;
      this.pos = end;
      return tok('ident', text.slice(start, end), start, end);
    }
    if (isDigit(c) || (c === 46 && isDigit(text.charCodeAt(start + 1)))) return this.number(start);
    if (ch === '"' || ch === "'") return this.string(start, ch);
    if (ch === '`') return this.backtick(start);
    const single: Partial<Record<string, TokenKind>> = {
      '(': 'lparen',
      ')': 'rparen',
      '[': 'lbracket',
      ']': 'rbracket',
      ',': 'comma',
      '|': 'pipe',
    };
    const kind = single[ch];
    if (kind !== undefined) {
      this.pos = start + 1;
      return tok(kind, ch, start, start + 1);
    }
    for (const op of OPERATORS) {
      if (text.startsWith(op, start)) {
        this.pos = start + op.length;
        return tok('op', op, start, this.pos);
      }
    }
    throw new QueryError(
      QueryErrorCode.UnexpectedCharacter,
      `unexpected character ${JSON.stringify(String.fromCodePoint(text.codePointAt(start) ?? c))}`,
      { start, end: start + 1 },
      text,
    );
  }

  /** Rescans from `offset` (where a `/` token started) as a regex literal `/.../`. */
  regexAt(offset: number): Token {
    const text = this.text;
    let i = offset + 1;
    let inClass = false;
    let source = '';
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === '\n' || ch === '\r') break;
      if (ch === '\\') {
        const nextCh = text[i + 1];
        if (nextCh === undefined || nextCh === '\n' || nextCh === '\r') break;
        // `\/` is how a slash is written inside the literal; the regex itself just needs `/`.
        source += nextCh === '/' ? '/' : ch + nextCh;
        i += 2;
        continue;
      }
      if (ch === '[') inClass = true;
      else if (ch === ']') inClass = false;
      else if (ch === '/' && !inClass) {
        this.pos = i + 1;
        return tok('regex', source, offset, i + 1);
      }
      source += ch;
      i++;
    }
    throw new QueryError(
      QueryErrorCode.UnterminatedRegex,
      'unterminated regular expression: missing the closing /',
      { start: offset, end: i },
      text,
    );
  }

  private skipTrivia(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13) {
        this.pos++;
      } else if (c === 35 /* # */) {
        const nl = text.indexOf('\n', this.pos);
        this.pos = nl < 0 ? text.length : nl + 1;
      } else {
        return;
      }
    }
  }

  private number(start: number): Token {
    const text = this.text;
    const m = /^(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?/.exec(text.slice(start, start + 400));
    const numText = m?.[0] ?? '';
    let end = start + numText.length;
    const value = Number(numText);
    if (isLetter(text.charCodeAt(end))) {
      // A number glued to letters is a duration (bin(5m)); anything else glued on is a typo.
      let unitEnd = end;
      while (unitEnd < text.length && isLetter(text.charCodeAt(unitEnd))) unitEnd++;
      const unit = text.slice(end, unitEnd);
      if (!DURATION_UNITS.has(unit) || isIdentPart(text.charCodeAt(unitEnd))) {
        while (unitEnd < text.length && isIdentPart(text.charCodeAt(unitEnd))) unitEnd++;
        throw new QueryError(
          QueryErrorCode.UnknownDurationUnit,
          `unknown time unit in ${JSON.stringify(text.slice(start, unitEnd))}; use ms, s, m, min, h, hr, d, w, mo, q or y`,
          { start, end: unitEnd },
          text,
        );
      }
      this.pos = unitEnd;
      return {
        kind: 'duration',
        value: text.slice(start, unitEnd),
        start,
        end: unitEnd,
        numberValue: value,
        unit,
      };
    }
    if (isIdentPart(text.charCodeAt(end)) || !Number.isFinite(value)) {
      while (end < text.length && isIdentPart(text.charCodeAt(end))) end++;
      throw new QueryError(
        QueryErrorCode.BadNumber,
        `invalid number ${JSON.stringify(text.slice(start, end))}`,
        { start, end },
        text,
      );
    }
    this.pos = end;
    return { kind: 'number', value: numText, start, end, numberValue: value };
  }

  private string(start: number, quote: string): Token {
    const text = this.text;
    let i = start + 1;
    let value = '';
    while (i < text.length) {
      const ch = text[i] as string;
      if (ch === quote) {
        this.pos = i + 1;
        return tok('string', value, start, i + 1);
      }
      if (ch === '\\' && i + 1 < text.length) {
        const e = text[i + 1] as string;
        // Known escapes decode; any other backslash pair is kept as written, so regex-like text in
        // a `like "..."` string survives.
        if (e === 'n') value += '\n';
        else if (e === 't') value += '\t';
        else if (e === 'r') value += '\r';
        else if (e === '\\' || e === '"' || e === "'") value += e;
        else value += ch + e;
        i += 2;
        continue;
      }
      value += ch;
      i++;
    }
    throw new QueryError(
      QueryErrorCode.UnterminatedString,
      `unterminated string: missing the closing ${quote}`,
      { start, end: text.length },
      text,
    );
  }

  private backtick(start: number): Token {
    const text = this.text;
    const close = text.indexOf('`', start + 1);
    if (close < 0) {
      throw new QueryError(
        QueryErrorCode.UnterminatedField,
        'unterminated field name: missing the closing `',
        { start, end: text.length },
        text,
      );
    }
    if (close === start + 1) {
      throw new QueryError(QueryErrorCode.EmptyField, 'empty field name ``', { start, end: close + 1 }, text);
    }
    this.pos = close + 1;
    return tok('field', text.slice(start + 1, close), start, close + 1);
  }
}

function tok(kind: TokenKind, value: string, start: number, end: number): Token {
  return { kind, value, start, end };
}
