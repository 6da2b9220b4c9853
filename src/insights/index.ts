/**
 * The Logs Insights query language engine: parse, validate, and evaluate queries over LogRecords
 * with CloudWatch's semantics (docs CWL_QuerySyntax*.html). Pure: no I/O.
 *
 * Decisions where the documentation is silent (each is pinned by a case in test/cases/insights):
 * - Absent fields: a comparison, like, in or =~ with an absent side is false, including the negated
 *   forms (!=, not like, not in); `not (expr)` is plain negation. Absent values are left out of rows.
 * - Values: JSON leaves only (objects/arrays are not values; null is absent); booleans print
 *   "true"/"false"; integers print without decimals, other numbers as JavaScript prints them
 *   (avg keeps full precision); @timestamp, @ingestionTime, bin(), datefloor() print as
 *   "YYYY-MM-DD HH:MM:SS.mmm" UTC. Numeric strings compare as numbers; a number and non-numeric text
 *   never order against each other.
 * - Order: raw rows newest first unless sorted; stats groups in first-seen order, or ascending by
 *   their bin() key; sort uses the documented natural order, absent values last; `sort f` without
 *   a direction is desc. stats over no records returns no rows.
 * - Limits: without a `limit` command at most RunOptions.limit (StartQuery's limit, default 10,000)
 *   rows come back; a `limit N` command decides alone. recordsMatched counts records that passed the
 *   filters before the first stats/sort/limit/dedup.
 */
import type { QueryAst } from './ast.js';
import { compileQuery as compilePlan } from './compile-query.js';
import { parseQuery } from './parser.js';
import { buildMightMatch } from './prefilter.js';
import { referencedFieldNames } from './referenced-fields.js';
import { planShapes } from './shape-plan.js';
import { createQueryRun, type QueryResult, type QueryRun, type RunOptions } from './query-run.js';
import type { LogRecord } from './record.js';

export type { Command, Expr, QueryAst } from './ast.js';
export { QueryError, QueryErrorCode, type Span } from './errors.js';
export { getField } from './field-resolver.js';
export { createJsonProjector, parseJsonObject, type JsonProjector } from './json-projection.js';
export { createJsonByteScanner, type AuditLineRun, type JsonByteScanner } from './json-byte-scanner.js';
export { ShapeTable } from './shape-table.js';
export { unescapeJsonString } from './json-string-bytes.js';
export { MAX_QUERY_LENGTH, parseQuery } from './parser.js';
export { quoteStringLiteral } from './quote.js';
export {
  DEFAULT_RESULT_LIMIT,
  type QueryResult,
  type QueryRun,
  type RunOptions,
  type RunPartial,
} from './query-run.js';
export type { LogRecord } from './record.js';
export type { CapturedRecord, ShapedRecord } from './shaped-record.js';
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
  /** mightMatch can reject lines; false when it passes everything (the query reads every record). */
  readonly prefilters: boolean;
  /**
   * Every field name the query mentions (message fields, system fields, names it creates): with
   * createJsonProjector, the fast path parses only these out of each message.
   */
  readonly fieldNames: readonly string[];
  /**
   * The message fields that decide what the query's memoised parts see (shape-plan.ts): records that
   * agree on these may be handed to QueryRun.addShaped as one shape.
   */
  readonly shapeFields: readonly string[];
  /** QueryRun.addShaped saves work for this query (something is memoised or rows can wait as stubs). */
  readonly memoises: boolean;
}

/** Parses and validates a query; throws QueryError. */
export function compileQuery(text: string): CompiledQuery {
  const ast = parseQuery(text);
  const plan = compilePlan(ast, text);
  const mightMatch = buildMightMatch(plan.requirements);
  const shapes = planShapes(plan);
  return {
    text,
    ast,
    isAggregate: ast.commands.some((c) => c.kind === 'stats'),
    createRun: (options: RunOptions = {}) => createQueryRun(plan, options, shapes),
    mightMatch,
    prefilters: plan.requirements.length > 0,
    fieldNames: referencedFieldNames(
      ast,
      plan.output.map((column) => column.name),
    ),
    shapeFields: shapes.fields,
    memoises: shapes.prefix > 0 || shapes.stats !== undefined || shapes.deferRows,
  };
}

/** Runs a query over records in one call. */
export function runQuery(text: string, records: Iterable<LogRecord>, options: RunOptions = {}): QueryResult {
  const run = compileQuery(text).createRun(options);
  for (const r of records) run.add(r);
  return run.finish();
}
