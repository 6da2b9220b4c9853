import type { QueryAst } from './ast.js';

/**
 * Every field name a query mentions, found by walking its AST for `field` nodes (whatever command or
 * function holds them), plus the output column names. A superset is harmless: a name that is not in
 * the message (a created field, a system field) only makes the JSON projection keep a key it never
 * finds. Missing one would not be: the projection would drop a key a getter reads.
 */
export function referencedFieldNames(ast: QueryAst, outputNames: readonly string[]): string[] {
  const names = new Set<string>(outputNames);
  const visit = (node: unknown, depth: number): void => {
    if (node === null || typeof node !== 'object' || depth > 10_000) return;
    if (Array.isArray(node)) {
      for (const item of node) visit(item, depth + 1);
      return;
    }
    const record = node as Record<string, unknown>;
    if (record.kind === 'field' && typeof record.name === 'string') names.add(record.name);
    for (const key of Object.keys(record)) {
      if (key !== 'span') visit(record[key], depth + 1);
    }
  };
  visit(ast, 0);
  return [...names];
}
