import type { CallExpr, Expr, FieldRef, InExpr, LikeExpr } from './ast.js';
import { AGGREGATE_FUNCTIONS } from './aggregates.js';
import { QueryError, QueryErrorCode, type Span } from './errors.js';
import { compileFieldGetter } from './field-resolver.js';
import { SCALAR_FUNCTIONS, textGetter } from './functions.js';
import { compileRegex } from './regex-guard.js';
import type { CompiledExpr, Getter, Row, Scope } from './row.js';
import { compareValues, isTruthy, toNumber, toText, type Value } from './value-format.js';

/** What an expression is compiled against. */
export interface ExprContext {
  query: string;
  scope: Scope;
  /** Inside a stats item: turns an aggregate call into a reader of its result. */
  aggregate?: (node: CallExpr) => CompiledExpr;
}

/**
 * Compiles an expression to a closure once, so evaluating it per record allocates nothing.
 *
 * Absent values: a comparison with an absent side is false, and so are the negated forms `!=`,
 * `not like` and `not in` (CloudWatch, like SQL, drops events that lack the field; use
 * `not ispresent(f)` to select them). `not <expr>` is plain boolean negation, so `not (f = "x")`
 * does select events without f.
 */
export function compileExpr(expr: Expr, ctx: ExprContext): CompiledExpr {
  switch (expr.kind) {
    case 'field':
      return compileField(expr, ctx);
    case 'string': {
      const v = expr.value;
      return { kind: 'plain', get: () => v };
    }
    case 'number': {
      const v = expr.value;
      return { kind: 'plain', get: () => v };
    }
    case 'duration':
      return fail(
        ctx,
        QueryErrorCode.BadArgument,
        'a time period like 5m is only valid inside bin(), datefloor() or dateceil()',
        expr.span,
      );
    case 'star':
      return fail(ctx, QueryErrorCode.BadArgument, '* is only valid in count(*)', expr.span);
    case 'regex':
    case 'list':
      return fail(ctx, QueryErrorCode.BadArgument, 'unexpected literal here', expr.span);
    case 'unary': {
      const operand = compileExpr(expr.operand, ctx);
      const g = operand.get;
      if (expr.op === 'not') return { kind: 'plain', get: (row) => !isTruthy(g(row)) };
      return {
        kind: 'plain',
        get: (row) => {
          const n = toNumber(g(row));
          return n === undefined ? undefined : -n;
        },
      };
    }
    case 'binary':
      return compileBinary(expr.op, compileExpr(expr.left, ctx), compileExpr(expr.right, ctx), expr.right);
    case 'like':
      return compileLike(expr, ctx);
    case 'in':
      return compileIn(expr, ctx);
    case 'call':
      return compileCall(expr, ctx);
  }
}

/** Compiles an expression used as a condition. */
export function compilePredicate(expr: Expr, ctx: ExprContext): (row: Row) => boolean {
  const g = compileExpr(expr, ctx).get;
  return (row) => isTruthy(g(row));
}

function fail(ctx: ExprContext, code: string, message: string, span: Span): never {
  throw new QueryError(code, message, span, ctx.query);
}

function compileField(expr: FieldRef, ctx: ExprContext): CompiledExpr {
  const name = expr.name;
  const derivedKind = ctx.scope.derived.get(name);
  if (ctx.scope.afterStats) {
    if (derivedKind === undefined) {
      const known = [...ctx.scope.derived.keys()].join(', ');
      return fail(
        ctx,
        QueryErrorCode.FieldAfterStats,
        `field "${name}" does not exist after stats (available: ${known || 'none'})`,
        expr.span,
      );
    }
    return { kind: derivedKind, get: (row) => row.values?.get(name) };
  }
  const fromRecord = compileFieldGetter(name);
  const recordKind = name === '@timestamp' || name === '@ingestionTime' ? 'timestamp' : 'plain';
  if (derivedKind === undefined) {
    return { kind: recordKind, get: (row) => (row.record === null ? undefined : fromRecord(row.record)) };
  }
  // A created field shadows the record's field of the same name; when the command that creates it
  // did not set it (a parse that did not match), the record's own field shows through.
  return {
    kind: derivedKind,
    get: (row) => {
      const v = row.values?.get(name);
      return v !== undefined || row.record === null ? v : fromRecord(row.record);
    },
  };
}

function compileBinary(op: string, left: CompiledExpr, right: CompiledExpr, rightNode: Expr): CompiledExpr {
  // A time compared with text compares as printed text ("YYYY-MM-DD HH:MM:SS.mmm" sorts like time),
  // so `@timestamp >= "2024-06-14 03:05"` works.
  if (
    left.kind === 'timestamp' &&
    rightNode.kind === 'string' &&
    toNumber(rightNode.value) === undefined &&
    op !== '+' &&
    op !== '-'
  ) {
    left = { kind: 'plain', get: textGetter(left) };
  }
  const l = left.get;
  const r = right.get;
  switch (op) {
    case 'and':
      return { kind: 'plain', get: (row) => isTruthy(l(row)) && isTruthy(r(row)) };
    case 'or':
      return { kind: 'plain', get: (row) => isTruthy(l(row)) || isTruthy(r(row)) };
    case '=':
    case '!=': {
      const eq = equality(left, right, rightNode);
      if (op === '=') return { kind: 'plain', get: eq };
      return {
        kind: 'plain',
        get: (row) => {
          const a = l(row);
          const b = r(row);
          return a !== undefined && b !== undefined && !eq(row);
        },
      };
    }
    case '<':
    case '<=':
    case '>':
    case '>=': {
      const test =
        op === '<'
          ? (c: number) => c < 0
          : op === '<='
            ? (c: number) => c <= 0
            : op === '>'
              ? (c: number) => c > 0
              : (c: number) => c >= 0;
      return {
        kind: 'plain',
        get: (row) => {
          const c = compareValues(l(row), r(row));
          return c !== undefined && test(c);
        },
      };
    }
    default: {
      const f =
        op === '+'
          ? (a: number, b: number) => a + b
          : op === '-'
            ? (a: number, b: number) => a - b
            : op === '*'
              ? (a: number, b: number) => a * b
              : op === '/'
                ? (a: number, b: number) => a / b
                : (a: number, b: number) => a % b;
      // Date arithmetic keeps the timestamp kind: @timestamp - 5000 is still a time.
      const kind =
        (left.kind === 'timestamp') !== (right.kind === 'timestamp') && (op === '+' || op === '-')
          ? 'timestamp'
          : 'plain';
      return {
        kind,
        get: (row) => {
          const a = toNumber(l(row));
          if (a === undefined) return undefined;
          const b = toNumber(r(row));
          if (b === undefined) return undefined;
          const x = f(a, b);
          // Division by zero and other non-finite results are absent, not Infinity.
          return Number.isFinite(x) ? x : undefined;
        },
      };
    }
  }
}

/** `a = b`: numeric if both sides are numeric, else by text; false if either is absent. */
function equality(left: CompiledExpr, right: CompiledExpr, rightNode: Expr): (row: Row) => boolean {
  const l = left.get;
  if (rightNode.kind === 'string' || rightNode.kind === 'number') {
    // The common case `field = "literal"`: precompute the literal's number and text once.
    const lit: Value = rightNode.value;
    const litNum = toNumber(lit);
    const litText = toText(lit) as string;
    return (row) => {
      const a = l(row);
      if (a === undefined) return false;
      if (typeof a === 'string' && a === litText) return true;
      if (litNum !== undefined && typeof a !== 'boolean') {
        const n = toNumber(a);
        if (n !== undefined) return n === litNum;
      }
      return toText(a) === litText;
    };
  }
  const r = right.get;
  return (row) => compareValues(l(row), r(row)) === 0;
}

function compileLike(expr: LikeExpr, ctx: ExprContext): CompiledExpr {
  const subject = textGetter(compileExpr(expr.subject, ctx));
  const negated = expr.negated;
  let test: (s: string) => boolean;
  if (expr.pattern.kind === 'string') {
    const needle = expr.pattern.value;
    test = (s) => s.includes(needle);
  } else {
    const re = compileRegex(expr.pattern.source, expr.pattern.span, ctx.query);
    test = re.test;
  }
  return {
    kind: 'plain',
    get: (row) => {
      const s = subject(row);
      return s !== undefined && test(s) !== negated;
    },
  };
}

function compileIn(expr: InExpr, ctx: ExprContext): CompiledExpr {
  const subject = compileExpr(expr.subject, ctx).get;
  const items = expr.list.items.map((item) => compileExpr(item, ctx));
  const constant = expr.list.items.every((i) => i.kind === 'string' || i.kind === 'number');
  const negated = expr.negated;
  if (constant) {
    // Set membership ("complete-string match", docs CWL_QuerySyntax.html), numbers by value.
    const texts = new Set<string>();
    const numbers = new Set<number>();
    for (const i of expr.list.items) {
      const v = (i as { value: string | number }).value;
      texts.add(toText(v) as string);
      const n = toNumber(v);
      if (n !== undefined) numbers.add(n);
    }
    return {
      kind: 'plain',
      get: (row) => {
        const a = subject(row);
        if (a === undefined) return false;
        let hit = typeof a === 'string' && texts.has(a);
        if (!hit && typeof a !== 'boolean' && numbers.size > 0) {
          const n = toNumber(a);
          if (n !== undefined) hit = numbers.has(n);
        }
        if (!hit && typeof a !== 'string') hit = texts.has(toText(a) as string) && toNumber(a) === undefined;
        return hit !== negated;
      },
    };
  }
  const gs = items.map((i) => i.get);
  return {
    kind: 'plain',
    get: (row) => {
      const a = subject(row);
      if (a === undefined) return false;
      let hit = false;
      for (const g of gs) {
        if (compareValues(a, g(row)) === 0) {
          hit = true;
          break;
        }
      }
      return hit !== negated;
    },
  };
}

function compileCall(expr: CallExpr, ctx: ExprContext): CompiledExpr {
  if (AGGREGATE_FUNCTIONS.has(expr.name)) {
    if (ctx.aggregate) return ctx.aggregate(expr);
    return fail(
      ctx,
      QueryErrorCode.AggregateOutsideStats,
      `${expr.name}() is an aggregate function; use it in stats`,
      expr.span,
    );
  }
  const spec = SCALAR_FUNCTIONS[expr.name];
  if (spec === undefined) {
    return fail(ctx, QueryErrorCode.UnknownFunction, `unknown function ${expr.name}()`, expr.nameSpan);
  }
  if (expr.args.length < spec.min || expr.args.length > spec.max) {
    const want =
      spec.min === spec.max
        ? `${spec.min}`
        : spec.max >= 100
          ? `at least ${spec.min}`
          : `${spec.min} to ${spec.max}`;
    return fail(
      ctx,
      QueryErrorCode.WrongArity,
      `${expr.name}() takes ${want} argument${want === '1' ? '' : 's'}, found ${expr.args.length}`,
      expr.span,
    );
  }
  const takesPeriod = expr.name === 'bin' || expr.name === 'datefloor' || expr.name === 'dateceil';
  const args = expr.args.map((a) =>
    a.kind === 'duration' && takesPeriod
      ? { kind: 'plain' as const, get: () => undefined }
      : compileExpr(a, ctx),
  );
  const timestamp = (): CompiledExpr =>
    compileField({ kind: 'field', name: '@timestamp', span: expr.span }, ctx);
  const built = spec.build(args, expr.args, timestamp);
  if (typeof built === 'string')
    return fail(ctx, QueryErrorCode.BadArgument, `${expr.name}(): ${built}`, expr.span);
  return built;
}

export type { Getter };
