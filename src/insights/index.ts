/**
 * The Logs Insights query language engine: parse, validate, and evaluate queries over LogRecords
 * with CloudWatch's semantics. Pure: no I/O.
 */
import type { QueryAst } from './ast.js';
import { compileQuery as compilePlan } from './compile-query.js';
import { parseQuery } from './parser.js';
import { buildMightMatch } from './prefilter.js';
import { createQueryRun, type QueryResult, type QueryRun, type RunOptions } from './query-run.js';
import type { LogRecord } from './record.js';

export type { Command, Expr, QueryAst } from './ast.js';
export { QueryError, QueryErrorCode, type Span } from './errors.js';
export { getField } from './field-resolver.js';
export { MAX_QUERY_LENGTH, parseQuery } from './parser.js';
export { quoteStringLiteral } from './quote.js';
export { DEFAULT_RESULT_LIMIT, type QueryResult, type QueryRun, type RunOptions } from './query-run.js';
export type { LogRecord } from './record.js';
export { MAX_REGEX_INPUT } from './regex-guard.js';
export { formatTimestamp } from './value-format.js';

/** A parsed and validated query, ready to run any number of times. */
export interface CompiledQuery {
  readonly text: string;
  readonly ast: QueryAst;
  /** The query has a stats command. */
  readonly isAggregate: boolean;
  /** Fresh evaluation state; many runs may share one CompiledQuery. `limit` is StartQuery's limit. */
  createRun(options?: RunOptions): QueryRun;
  /** Conservative raw-line prefilter: false only if the record can NOT match. */
  mightMatch(rawMessage: string): boolean;
}

/** Parses and validates a query; throws QueryError. */
export function compileQuery(text: string): CompiledQuery {
  const ast = parseQuery(text);
  const plan = compilePlan(ast, text);
  const mightMatch = buildMightMatch(plan.requirements);
  return {
    text,
    ast,
    isAggregate: ast.commands.some((c) => c.kind === 'stats'),
    createRun: (options?: RunOptions) => createQueryRun(plan, options),
    mightMatch,
  };
}

/** Runs a query over records in one call. */
export function runQuery(text: string, records: Iterable<LogRecord>, options: RunOptions = {}): QueryResult {
  const run = compileQuery(text).createRun(options);
  for (const r of records) run.add(r);
  return run.finish();
}
