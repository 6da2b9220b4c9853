import { QueryError, QueryErrorCode, type Span } from './errors.js';
import { Lexer } from './lexer.js';
import type { Token, TokenKind } from './tokens.js';

/** The parser's view of the lexer: a current token, one token of lookahead, and error helpers. */
export class TokenStream {
  readonly text: string;
  private readonly lexer: Lexer;
  current: Token;
  private peeked: Token | undefined;

  constructor(text: string) {
    this.text = text;
    this.lexer = new Lexer(text);
    this.current = this.lexer.next();
  }

  /** Consumes the current token and returns it. */
  advance(): Token {
    const t = this.current;
    if (this.peeked) {
      this.current = this.peeked;
      this.peeked = undefined;
    } else if (t.kind !== 'eof') {
      this.current = this.lexer.next();
    }
    return t;
  }

  /** The token after the current one. */
  peek(): Token {
    this.peeked ??= this.lexer.next();
    return this.peeked;
  }

  /** True if the current token is the bare word `word` (keywords are case-insensitive). */
  isWord(word: string, token: Token = this.current): boolean {
    return token.kind === 'ident' && token.value.toLowerCase() === word;
  }

  isOp(op: string): boolean {
    return this.current.kind === 'op' && this.current.value === op;
  }

  /** The current token is a `/` where a regex literal may stand: rescan it as one. */
  rescanRegex(): Token {
    const slash = this.current;
    this.peeked = undefined;
    const regex = this.lexer.regexAt(slash.start);
    this.current = this.lexer.next();
    return regex;
  }

  expect(kind: TokenKind, what: string): Token {
    if (this.current.kind !== kind)
      this.fail(QueryErrorCode.Expected, `expected ${what}, found ${describe(this.current)}`);
    return this.advance();
  }

  /** Throws a QueryError pointing at the current token (or `span`). */
  fail(code: string, message: string, span: Span = this.current): never {
    throw new QueryError(code, message, { start: span.start, end: span.end }, this.text);
  }
}

/** How a token is named in messages. */
export function describe(token: Token): string {
  switch (token.kind) {
    case 'eof':
      return 'the end of the query';
    case 'string':
      return 'a string';
    case 'number':
    case 'duration':
      return `number ${token.value}`;
    case 'regex':
      return 'a regular expression';
    case 'field':
      return `field \`${token.value}\``;
    case 'ident':
      return `"${token.value}"`;
    default:
      return `"${token.value}"`;
  }
}
