import { AppError } from '../errors.js';

/**
 * Stable error codes. Q1xxx come from the lexer, Q2xxx from the parser, Q3xxx from validation and
 * evaluation. Tests and users key on these, so a code never changes meaning once released.
 */
export const QueryErrorCode = {
  QueryTooLong: 'Q1001',
  UnterminatedString: 'Q1002',
  UnterminatedField: 'Q1003',
  UnterminatedRegex: 'Q1004',
  UnexpectedCharacter: 'Q1005',
  BadNumber: 'Q1006',
  UnknownDurationUnit: 'Q1007',
  EmptyField: 'Q1008',

  UnknownCommand: 'Q2001',
  ExpectedCommand: 'Q2002',
  Expected: 'Q2003',
  UnexpectedToken: 'Q2004',
  UnsupportedCommand: 'Q2005',
  TooDeep: 'Q2006',
  BadLimit: 'Q2007',
  EmptyQuery: 'Q2008',
  InvalidRegex: 'Q2010',
  UnsupportedRegex: 'Q2011',
  CatastrophicRegex: 'Q2012',

  UnknownFunction: 'Q3001',
  WrongArity: 'Q3002',
  BadArgument: 'Q3003',
  AggregateOutsideStats: 'Q3004',
  NotAnAggregate: 'Q3005',
  NestedAggregate: 'Q3006',
  FieldAfterStats: 'Q3007',
  ParseMismatch: 'Q3008',
  FilterIndexShape: 'Q3009',
  AfterDedup: 'Q3010',
} as const;

/** One of the stable QueryError codes. */
export type QueryErrorCodeValue = (typeof QueryErrorCode)[keyof typeof QueryErrorCode];

/** Offsets into the query text, end exclusive. */
export interface Span {
  start: number;
  end: number;
}

/** A bad query: a stable code, the span it points at, and a caret rendering of the query line. Exit 3. */
export class QueryError extends AppError {
  readonly code: string;
  readonly span: { start: number; end: number };
  readonly query: string;
  /** The message without the code, as given by the thrower. */
  readonly detail: string;

  constructor(code: string, detail: string, span: Span, query: string, options: { hint?: string } = {}) {
    super(`${code}: ${detail}`, 3, options.hint === undefined ? {} : { hint: options.hint });
    this.code = code;
    this.detail = detail;
    const start = clamp(span.start, 0, query.length);
    this.span = { start, end: clamp(Math.max(span.end, start), start, query.length) };
    this.query = query;
  }

  /**
   * Renders the error like a compiler diagnostic:
   * error[Q2003]: expected ...
   *  --> query:1:17
   *   |
   * 1 | <line>
   *   |                 ^^^
   */
  format(): string {
    const { line, column, lineText, lineStart } = locate(this.query, this.span.start);
    const lineNo = String(line);
    const pad = ' '.repeat(lineNo.length);
    const visible = printable(lineText);
    const caretStart = this.span.start - lineStart;
    const caretEnd = Math.min(this.span.end, lineStart + lineText.length) - lineStart;
    const width = Math.max(1, caretEnd - caretStart);
    return [
      `error[${this.code}]: ${printable(this.detail)}`,
      `${pad}--> query:${lineNo}:${column}`,
      `${pad} |`,
      `${lineNo} | ${visible}`,
      `${pad} | ${' '.repeat(caretStart)}${'^'.repeat(width)}`,
    ].join('\n');
  }
}

function clamp(n: number, lo: number, hi: number): number {
  return Number.isFinite(n) ? Math.min(Math.max(n, lo), hi) : lo;
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
function locate(
  text: string,
  offset: number,
): { line: number; column: number; lineText: string; lineStart: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  let lineEnd = text.indexOf('\n', lineStart);
  if (lineEnd < 0) lineEnd = text.length;
  if (lineEnd > lineStart && text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
  return { line, column: offset - lineStart + 1, lineText: text.slice(lineStart, lineEnd), lineStart };
}

// One output character per input code unit keeps the caret aligned; control characters would move
// the cursor or inject terminal escapes, so they become '?' (tab becomes a space).
function printable(text: string): string {
  // eslint-disable-next-line no-control-regex -- replacing control characters is the point
  return text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, (c) =>
    c === '\t' ? ' ' : '?',
  );
}
