import type { Expr } from './ast.js';

/**
 * The names an expression reads from a row: its field references, plus `@timestamp` where it is
 * read without being written (`bin(5m)`, and the aggregates earliest/latest, which pick a value by
 * the record's time). The shaped fast path (shape-plan.ts) uses it to tell what depends only on the
 * message's JSON fields from what depends on the record itself.
 */
export function expressionReads(expr: Expr, into: Set<string> = new Set()): Set<string> {
  switch (expr.kind) {
    case 'field':
      into.add(expr.name);
      break;
    case 'unary':
      expressionReads(expr.operand, into);
      break;
    case 'binary':
      expressionReads(expr.left, into);
      expressionReads(expr.right, into);
      break;
    case 'like':
      expressionReads(expr.subject, into);
      break;
    case 'in':
      expressionReads(expr.subject, into);
      for (const item of expr.list.items) expressionReads(item, into);
      break;
    case 'list':
      for (const item of expr.items) expressionReads(item, into);
      break;
    case 'call':
      if (IMPLICIT_TIMESTAMP.has(expr.name)) into.add('@timestamp');
      for (const arg of expr.args) expressionReads(arg, into);
      break;
    default:
      break;
  }
  return into;
}

/** Functions and aggregates that read the record's @timestamp without naming it. */
const IMPLICIT_TIMESTAMP = new Set(['bin', 'earliest', 'latest']);
