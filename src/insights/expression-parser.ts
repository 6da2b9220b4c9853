import type { BinaryOp, Expr, ListExpr, RegexLit, StringLit } from './ast.js';
import { QueryErrorCode, type Span } from './errors.js';
import { compileRegex } from './regex-guard.js';
import { describe, type TokenStream } from './token-stream.js';

/** Parenthesis / prefix-operator nesting allowed before a query is refused. */
export const MAX_NESTING = 64;
/** Depth of the expression tree (long `a or b or c ...` chains grow it without nesting). */
export const MAX_EXPRESSION_DEPTH = 512;

/** Words that are operators, never field names (write `\`in\`` for a field called "in"). */
const RESERVED = new Set(['and', 'or', 'not', 'like', 'in', 'as', 'by']);

// Binding powers, lowest first: or < and < not < comparison < + - < * / % < unary minus.
const BP_OR = 1;
const BP_AND = 2;
const BP_NOT = 3;
const BP_COMPARE = 4;
const BP_ADD = 5;
const BP_MUL = 6;
const BP_UNARY = 7;

const COMPARE_OPS: Record<string, BinaryOp> = {
  '=': '=',
  '==': '=',
  '!=': '!=',
  '<': '<',
  '<=': '<=',
  '>': '>',
  '>=': '>=',
};

/** Parses expressions with a precedence table (Pratt). Tracks depth to refuse absurd nesting. */
export class ExpressionParser {
  private nesting = 0;
  private readonly depth = new WeakMap<Expr, number>();

  constructor(private readonly ts: TokenStream) {}

  parse(minBp = 0): Expr {
    if (++this.nesting > MAX_NESTING) {
      this.ts.fail(QueryErrorCode.TooDeep, `expression nested more than ${MAX_NESTING} levels deep`);
    }
    let left = this.prefix();
    for (;;) {
      const infix = this.infix();
      if (infix === undefined || infix.bp <= minBp) break;
      left = infix.build(left);
    }
    this.nesting--;
    return left;
  }

  private node<T extends Expr>(expr: T, ...children: Expr[]): T {
    let d = 0;
    for (const c of children) d = Math.max(d, this.depth.get(c) ?? 1);
    if (d + 1 > MAX_EXPRESSION_DEPTH) {
      this.ts.fail(
        QueryErrorCode.TooDeep,
        `expression more than ${MAX_EXPRESSION_DEPTH} levels deep`,
        expr.span,
      );
    }
    this.depth.set(expr, d + 1);
    return expr;
  }

  private infix(): { bp: number; build: (left: Expr) => Expr } | undefined {
    const ts = this.ts;
    const t = ts.current;
    if (t.kind === 'ident') {
      const word = t.value.toLowerCase();
      if (word === 'or' || word === 'and') {
        const bp = word === 'or' ? BP_OR : BP_AND;
        return { bp, build: (left) => this.binary(left, word, bp) };
      }
      if (word === 'like') return { bp: BP_COMPARE, build: (left) => this.like(left, false, 1) };
      if (word === 'in') return { bp: BP_COMPARE, build: (left) => this.inList(left, false, 1) };
      if (word === 'not') {
        const next = ts.peek();
        if (ts.isWord('like', next)) return { bp: BP_COMPARE, build: (left) => this.like(left, true, 2) };
        if (ts.isWord('in', next)) return { bp: BP_COMPARE, build: (left) => this.inList(left, true, 2) };
      }
      return undefined;
    }
    if (t.kind !== 'op') return undefined;
    const op = t.value;
    if (op === '=~') return { bp: BP_COMPARE, build: (left) => this.like(left, false, 1) };
    const cmp = COMPARE_OPS[op];
    if (cmp !== undefined) return { bp: BP_COMPARE, build: (left) => this.binary(left, cmp, BP_COMPARE) };
    if (op === '+' || op === '-') return { bp: BP_ADD, build: (left) => this.binary(left, op, BP_ADD) };
    if (op === '*' || op === '/' || op === '%')
      return { bp: BP_MUL, build: (left) => this.binary(left, op, BP_MUL) };
    return undefined;
  }

  private binary(left: Expr, op: BinaryOp, bp: number): Expr {
    this.ts.advance();
    const right = this.parse(bp);
    return this.node({ kind: 'binary', op, left, right, span: join(left.span, right.span) }, left, right);
  }

  private like(subject: Expr, negated: boolean, words: number): Expr {
    for (let i = 0; i < words; i++) this.ts.advance();
    const pattern = this.pattern('after like');
    return this.node(
      { kind: 'like', negated, subject, pattern, span: join(subject.span, pattern.span) },
      subject,
    );
  }

  /** A string or a /regex/ (validated here so that parseQuery already refuses a bad one). */
  pattern(context: string): StringLit | RegexLit {
    const ts = this.ts;
    const t = ts.current;
    if (t.kind === 'string') {
      ts.advance();
      return { kind: 'string', value: t.value, span: { start: t.start, end: t.end } };
    }
    if (t.kind === 'op' && t.value === '/') {
      const r = ts.rescanRegex();
      const span = { start: r.start, end: r.end };
      compileRegex(r.value, span, ts.text);
      return { kind: 'regex', source: r.value, span };
    }
    return ts.fail(
      QueryErrorCode.Expected,
      `expected a "string" or a /regex/ ${context}, found ${describe(t)}`,
    );
  }

  private inList(subject: Expr, negated: boolean, words: number): Expr {
    for (let i = 0; i < words; i++) this.ts.advance();
    if (this.ts.current.kind !== 'lbracket') {
      this.ts.fail(QueryErrorCode.Expected, `expected [ after in, found ${describe(this.ts.current)}`);
    }
    const list = this.list();
    return this.node(
      { kind: 'in', negated, subject, list, span: join(subject.span, list.span) },
      subject,
      ...list.items,
    );
  }

  private list(): ListExpr {
    const ts = this.ts;
    const open = ts.advance();
    const items: Expr[] = [];
    if (ts.current.kind !== 'rbracket') {
      for (;;) {
        items.push(this.parse(0));
        if (ts.current.kind !== 'comma') break;
        ts.advance();
      }
    }
    const close = ts.expect('rbracket', '] or , in the list');
    return { kind: 'list', items, span: { start: open.start, end: close.end } };
  }

  private prefix(): Expr {
    const ts = this.ts;
    const t = ts.current;
    switch (t.kind) {
      case 'string':
        ts.advance();
        return { kind: 'string', value: t.value, span: spanOf(t) };
      case 'number':
        ts.advance();
        return { kind: 'number', value: t.numberValue ?? Number(t.value), span: spanOf(t) };
      case 'duration':
        ts.advance();
        return { kind: 'duration', amount: t.numberValue ?? 0, unit: t.unit ?? '', span: spanOf(t) };
      case 'field':
        ts.advance();
        return { kind: 'field', name: t.value, span: spanOf(t) };
      case 'lparen': {
        ts.advance();
        const inner = this.parse(0);
        const close = ts.expect('rparen', ') to close the parenthesis');
        // Keep the inner node (no paren node) but widen its span for error messages and column names.
        const widened = { ...inner, span: { start: t.start, end: close.end } } as Expr;
        this.depth.set(widened, this.depth.get(inner) ?? 1);
        return widened;
      }
      case 'op':
        if (t.value === '-') {
          ts.advance();
          const operand = this.parse(BP_UNARY);
          return this.node({ kind: 'unary', op: '-', operand, span: join(spanOf(t), operand.span) }, operand);
        }
        break;
      case 'ident': {
        const word = t.value.toLowerCase();
        if (word === 'not') {
          ts.advance();
          const operand = this.parse(BP_NOT);
          return this.node(
            { kind: 'unary', op: 'not', operand, span: join(spanOf(t), operand.span) },
            operand,
          );
        }
        ts.advance();
        if (ts.current.kind === 'lparen') return this.call(t.value, spanOf(t));
        if (RESERVED.has(word)) {
          ts.fail(
            QueryErrorCode.Expected,
            `expected an expression, found the keyword "${t.value}" (quote a field with that name in backticks)`,
            t,
          );
        }
        return { kind: 'field', name: t.value, span: spanOf(t) };
      }
      default:
        break;
    }
    return ts.fail(QueryErrorCode.Expected, `expected an expression, found ${describe(t)}`);
  }

  private call(name: string, nameSpan: Span): Expr {
    const ts = this.ts;
    ts.advance(); // (
    const args: Expr[] = [];
    if (ts.current.kind !== 'rparen') {
      for (;;) {
        if (ts.isOp('*') && (ts.peek().kind === 'rparen' || ts.peek().kind === 'comma')) {
          const star = ts.advance();
          args.push({ kind: 'star', span: spanOf(star) });
        } else {
          args.push(this.parse(0));
        }
        if (ts.current.kind !== 'comma') break;
        ts.advance();
      }
    }
    const close = ts.expect('rparen', `) or , in the arguments of ${name}()`);
    return this.node(
      {
        kind: 'call',
        name: name.toLowerCase(),
        nameSpan,
        args,
        span: { start: nameSpan.start, end: close.end },
      },
      ...args,
    );
  }
}

function spanOf(t: Span): Span {
  return { start: t.start, end: t.end };
}

function join(a: Span, b: Span): Span {
  return { start: Math.min(a.start, b.start), end: Math.max(a.end, b.end) };
}
