/** Token kinds produced by the Logs Insights lexer. */
export type TokenKind =
  | 'ident' // a bare word: command names, keywords (contextual), field names, function names
  | 'field' // a backticked field name: `annotations.authorization.k8s.io/decision`
  | 'string'
  | 'number'
  | 'duration' // a number glued to a time unit, as in bin(5m)
  | 'regex'
  | 'op' // = == != < <= > >= =~ + - * / %
  | 'lparen'
  | 'rparen'
  | 'lbracket'
  | 'rbracket'
  | 'comma'
  | 'pipe'
  | 'eof';

/** One token with its offsets into the query text (end exclusive). */
export interface Token {
  readonly kind: TokenKind;
  /** The decoded value: the word, the unescaped string, the regex source, the operator text. */
  readonly value: string;
  readonly start: number;
  readonly end: number;
  /** For `number` and `duration` tokens. */
  readonly numberValue?: number;
  /** For `duration` tokens: the unit as written (ms, s, m, min, h, hr, d, w, mo, q, y). */
  readonly unit?: string;
}
