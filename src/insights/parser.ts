import type { Command, Expr, FieldRef, Projection, QueryAst, SortKey } from './ast.js';
import { QueryError, QueryErrorCode, type Span } from './errors.js';
import { ExpressionParser } from './expression-parser.js';
import { describe, TokenStream } from './token-stream.js';

/** StartQuery's `queryString` is at most 10,000 characters (botocore logs model `QueryString`). */
export const MAX_QUERY_LENGTH = 10_000;

/** Commands of the full language that this engine does not implement, named so the error says so. */
const UNSUPPORTED = new Set([
  'source',
  'unmask',
  'pattern',
  'diff',
  'anomaly',
  'unnest',
  'lookup',
  'fieldsummary',
]);

/** Parses a Logs Insights query into an AST; throws QueryError. */
export function parseQuery(text: string): QueryAst {
  if (text.length > MAX_QUERY_LENGTH) {
    throw new QueryError(
      QueryErrorCode.QueryTooLong,
      `the query is ${text.length} characters long; CloudWatch accepts at most ${MAX_QUERY_LENGTH}`,
      { start: MAX_QUERY_LENGTH, end: text.length },
      text,
    );
  }
  return new CommandParser(text).query();
}

class CommandParser {
  private readonly ts: TokenStream;
  private readonly expr: ExpressionParser;

  constructor(private readonly text: string) {
    this.ts = new TokenStream(text);
    this.expr = new ExpressionParser(this.ts);
  }

  query(): QueryAst {
    const ts = this.ts;
    if (ts.current.kind === 'eof') {
      ts.fail(QueryErrorCode.EmptyQuery, 'the query is empty', { start: 0, end: this.text.length });
    }
    const commands: Command[] = [];
    for (;;) {
      commands.push(this.command());
      if (ts.current.kind === 'eof') break;
      if (ts.current.kind !== 'pipe') {
        ts.fail(
          QueryErrorCode.UnexpectedToken,
          `unexpected ${describe(ts.current)}; expected | or the end of the query`,
        );
      }
      ts.advance();
    }
    return { kind: 'query', commands, span: { start: 0, end: this.text.length } };
  }

  private command(): Command {
    const ts = this.ts;
    const t = ts.current;
    if (t.kind !== 'ident') {
      return ts.fail(
        QueryErrorCode.ExpectedCommand,
        `expected a command (fields, filter, stats, sort, limit, display, dedup, parse), found ${describe(t)}`,
      );
    }
    const word = t.value.toLowerCase();
    ts.advance();
    const start = t.start;
    switch (word) {
      case 'fields': {
        const items = this.projections(false);
        return { kind: 'fields', items, span: this.spanFrom(start) };
      }
      case 'display': {
        const items = this.fieldList('display');
        return { kind: 'display', items, span: this.spanFrom(start) };
      }
      case 'filter':
      case 'filterindex': {
        const condition = this.expr.parse();
        return { kind: 'filter', indexOnly: word === 'filterindex', condition, span: this.spanFrom(start) };
      }
      case 'stats': {
        const items = this.projections(false);
        let groupBy: Projection[] = [];
        if (ts.isWord('by')) {
          ts.advance();
          groupBy = this.projections(true);
        }
        return { kind: 'stats', items, groupBy, span: this.spanFrom(start) };
      }
      case 'sort':
        return { kind: 'sort', keys: this.sortKeys(), span: this.spanFrom(start) };
      case 'limit': {
        const n = ts.current;
        if (n.kind !== 'number' || !Number.isInteger(n.numberValue) || (n.numberValue ?? 0) < 1) {
          ts.fail(QueryErrorCode.BadLimit, `limit needs a whole number of at least 1, found ${describe(n)}`);
        }
        ts.advance();
        return { kind: 'limit', count: n.numberValue ?? 1, span: this.spanFrom(start) };
      }
      case 'dedup':
        return { kind: 'dedup', fields: this.fieldList('dedup'), span: this.spanFrom(start) };
      case 'parse':
        return this.parse(start);
      default:
        if (UNSUPPORTED.has(word)) {
          ts.fail(
            QueryErrorCode.UnsupportedCommand,
            `the ${word} command is not supported by this engine`,
            t,
          );
        }
        return ts.fail(QueryErrorCode.UnknownCommand, `unknown command "${t.value}"`, t);
    }
  }

  private spanFrom(start: number): Span {
    return { start, end: this.lastEnd() };
  }

  // The end of the last consumed token: the start of the current one, minus trailing trivia.
  private lastEnd(): number {
    let end = this.ts.current.start;
    while (end > 0 && /\s/.test(this.text[end - 1] ?? '')) end--;
    return end;
  }

  /** `expr [as alias], ...` */
  private projections(groupKeys: boolean): Projection[] {
    const ts = this.ts;
    const items: Projection[] = [];
    for (;;) {
      const expr: Expr = this.expr.parse();
      let alias: string | undefined;
      let end = expr.span.end;
      if (ts.isWord('as')) {
        ts.advance();
        const a = ts.current;
        if (a.kind !== 'ident' && a.kind !== 'field') {
          ts.fail(QueryErrorCode.Expected, `expected a name after as, found ${describe(a)}`);
        }
        ts.advance();
        alias = a.value;
        end = a.end;
      }
      const name =
        alias ?? (expr.kind === 'field' ? expr.name : this.text.slice(expr.span.start, expr.span.end));
      items.push({ expr, alias, name, span: { start: expr.span.start, end } });
      if (ts.current.kind !== 'comma') break;
      ts.advance();
      if (!groupKeys && ts.isWord('by')) ts.fail(QueryErrorCode.Expected, 'expected an expression after ,');
    }
    return items;
  }

  private fieldRef(context: string): FieldRef {
    const t = this.ts.current;
    if (t.kind !== 'ident' && t.kind !== 'field') {
      return this.ts.fail(
        QueryErrorCode.Expected,
        `expected a field name in ${context}, found ${describe(t)}`,
      );
    }
    this.ts.advance();
    return { kind: 'field', name: t.value, span: { start: t.start, end: t.end } };
  }

  private fieldList(context: string): FieldRef[] {
    const out: FieldRef[] = [this.fieldRef(context)];
    while (this.ts.current.kind === 'comma') {
      this.ts.advance();
      out.push(this.fieldRef(context));
    }
    return out;
  }

  private sortKeys(): SortKey[] {
    const ts = this.ts;
    const keys: SortKey[] = [];
    for (;;) {
      const expr = this.expr.parse();
      // Without a direction we sort descending (UNCONFIRMED: docs CWL_QuerySyntax-Sort.html document
      // asc and desc but not the default; desc matches the default @timestamp order).
      let descending = true;
      let end = expr.span.end;
      if (ts.isWord('asc') || ts.isWord('desc')) {
        descending = ts.isWord('desc');
        end = ts.advance().end;
      }
      keys.push({ expr, descending, span: { start: expr.span.start, end } });
      if (ts.current.kind !== 'comma') break;
      ts.advance();
    }
    return keys;
  }

  private parse(start: number): Command {
    const ts = this.ts;
    let source: FieldRef = { kind: 'field', name: '@message', span: { start, end: start + 5 } };
    if (ts.current.kind === 'ident' || ts.current.kind === 'field') source = this.fieldRef('parse');
    const pattern = this.expr.pattern('in parse');
    const names: string[] = [];
    if (pattern.kind === 'string' && ts.isWord('as')) {
      ts.advance();
      names.push(this.fieldRef('parse ... as').name);
      while (ts.current.kind === 'comma') {
        ts.advance();
        names.push(this.fieldRef('parse ... as').name);
      }
    }
    return { kind: 'parse', source, pattern, names, span: this.spanFrom(start) };
  }
}
