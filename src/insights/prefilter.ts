import type { Expr } from './ast.js';
import { compileRegex } from './regex-guard.js';
import { toNumber, type ValueKind } from './value-format.js';

/**
 * A literal test on the raw message that every matching record passes: at least one of `anyOf`
 * occurs in the raw line. Used to skip JSON parsing of lines that cannot match (issue 5, "push
 * literal predicates down").
 */
export interface Requirement {
  anyOf: string[];
}

// Text JSON writers never escape (JSON.stringify and Go's encoding/json leave these characters alone),
// so if a decoded string value contains it, the raw line contains it byte for byte.
const PLAIN = /^[A-Za-z0-9 _.:/-]+$/;
// A literal made only of these could also be the text of a number written differently in the raw
// JSON (500 vs 5e2, 1.5 vs 1.50), so it is not used.
const NUMBERISH = /^[0-9.eE+-]*$/;

function plainLiteral(s: string): boolean {
  return PLAIN.test(s) && !NUMBERISH.test(s) && toNumber(s) === undefined;
}

/**
 * Requirements implied by a filter condition, from its top-level `and` conjuncts only (an `or` of
 * two requirement-bearing sides becomes one any-of). Anything not understood implies nothing.
 * `derived` holds names created by fields/parse before the filter: their values are not raw JSON.
 */
export function collectRequirements(expr: Expr, derived: ReadonlyMap<string, ValueKind>): Requirement[] {
  if (expr.kind === 'binary' && expr.op === 'and') {
    return [...collectRequirements(expr.left, derived), ...collectRequirements(expr.right, derived)];
  }
  if (expr.kind === 'binary' && expr.op === 'or') {
    const left = single(expr.left, derived);
    const right = single(expr.right, derived);
    return left && right ? [{ anyOf: [...left.anyOf, ...right.anyOf] }] : [];
  }
  const one = single(expr, derived);
  return one ? [one] : [];
}

/** One requirement that covers the whole expression, or undefined. */
function single(expr: Expr, derived: ReadonlyMap<string, ValueKind>): Requirement | undefined {
  if (expr.kind === 'binary' && (expr.op === 'and' || expr.op === 'or')) {
    const parts = collectRequirements(expr, derived);
    if (expr.op === 'and') return parts[0];
    return parts.length === 1 ? parts[0] : undefined;
  }
  const subject =
    expr.kind === 'binary'
      ? expr.left
      : expr.kind === 'like' || expr.kind === 'in'
        ? expr.subject
        : undefined;
  if (subject?.kind !== 'field' || derived.has(subject.name)) return undefined;
  const isMessage = subject.name === '@message';
  // Other system fields (@logStream, @timestamp, ...) are not in the raw message.
  if (!isMessage && subject.name.startsWith('@')) return undefined;
  const usable = (lit: string): boolean => (isMessage ? lit.length > 0 : plainLiteral(lit));

  if (expr.kind === 'like' && !expr.negated) {
    if (expr.pattern.kind === 'string') {
      return usable(expr.pattern.value) ? { anyOf: [expr.pattern.value] } : undefined;
    }
    let literal: string | undefined;
    try {
      literal = compileRegex(expr.pattern.source, expr.pattern.span, '').literal;
    } catch {
      return undefined;
    }
    return literal !== undefined && usable(literal) ? { anyOf: [literal] } : undefined;
  }
  if (isMessage) return undefined; // @message = "x" is rare; keep the rule small
  if (expr.kind === 'binary' && expr.op === '=' && expr.right.kind === 'string' && usable(expr.right.value)) {
    return { anyOf: [expr.right.value] };
  }
  if (expr.kind === 'in' && !expr.negated && expr.list.items.length > 0) {
    const lits: string[] = [];
    for (const item of expr.list.items) {
      if (item.kind !== 'string' || !usable(item.value)) return undefined;
      lits.push(item.value);
    }
    return { anyOf: lits };
  }
  return undefined;
}

/** Builds the raw-line test from requirements: false only if the record cannot match. */
export function buildMightMatch(requirements: readonly Requirement[]): (raw: string) => boolean {
  if (requirements.length === 0) return () => true;
  const reqs = requirements.map((r) => r.anyOf);
  return (raw) => {
    for (const anyOf of reqs) {
      let hit = false;
      for (const lit of anyOf) {
        if (raw.includes(lit)) {
          hit = true;
          break;
        }
      }
      if (!hit) return false;
    }
    return true;
  };
}
