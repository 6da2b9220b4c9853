import type { Span } from './errors.js';

/** Expression nodes. Every node carries the span of its text in the query. */
export type Expr =
  | FieldRef
  | StringLit
  | NumberLit
  | DurationLit
  | RegexLit
  | StarExpr
  | ListExpr
  | UnaryExpr
  | BinaryExpr
  | LikeExpr
  | InExpr
  | CallExpr;

/** A field: `verb`, `user.username`, `@timestamp`, or a backticked name. */
export interface FieldRef {
  kind: 'field';
  name: string;
  span: Span;
}
/** A string literal. */
export interface StringLit {
  kind: 'string';
  value: string;
  span: Span;
}
/** A number literal. */
export interface NumberLit {
  kind: 'number';
  value: number;
  span: Span;
}
/** `5m` in `bin(5m)`: the amount and the unit as written. */
export interface DurationLit {
  kind: 'duration';
  amount: number;
  unit: string;
  span: Span;
}
/** `/re/`: the source as written (without the slashes). */
export interface RegexLit {
  kind: 'regex';
  source: string;
  span: Span;
}
/** The `*` in `count(*)`. */
export interface StarExpr {
  kind: 'star';
  span: Span;
}
/** `[a, b, c]` on the right of `in`. */
export interface ListExpr {
  kind: 'list';
  items: Expr[];
  span: Span;
}
/** `not x` or `-x`. */
export interface UnaryExpr {
  kind: 'unary';
  op: 'not' | '-';
  operand: Expr;
  span: Span;
}
/** Binary operators, from `or` (loosest) to `*` `/` `%` (tightest); see expression-parser.ts. */
export type BinaryOp = 'and' | 'or' | '=' | '!=' | '<' | '<=' | '>' | '>=' | '+' | '-' | '*' | '/' | '%';
/** A comparison, boolean or arithmetic operation. */
export interface BinaryExpr {
  kind: 'binary';
  op: BinaryOp;
  left: Expr;
  right: Expr;
  span: Span;
}
/** `a like "x"`, `a like /re/`, `a not like ...`, `a =~ /re/`. */
export interface LikeExpr {
  kind: 'like';
  negated: boolean;
  subject: Expr;
  pattern: StringLit | RegexLit;
  span: Span;
}
/** `a in [...]`, `a not in [...]`. */
export interface InExpr {
  kind: 'in';
  negated: boolean;
  subject: Expr;
  list: ListExpr;
  span: Span;
}
/** A function or aggregate call, such as `strlen(x)` or `count(*)`. */
export interface CallExpr {
  kind: 'call';
  /** Lower-cased function name. */
  name: string;
  nameSpan: Span;
  args: Expr[];
  span: Span;
}

/** `expr as alias` in fields and stats. */
export interface Projection {
  expr: Expr;
  alias: string | undefined;
  /** The output column name: the alias, or the expression's text as written. */
  name: string;
  span: Span;
}

/** One `sort` key and its direction. */
export interface SortKey {
  expr: Expr;
  descending: boolean;
  span: Span;
}

/** One command of a `|` pipeline. */
export type Command =
  | FieldsCommand
  | DisplayCommand
  | FilterCommand
  | StatsCommand
  | SortCommand
  | LimitCommand
  | DedupCommand
  | ParseCommand;

/** `fields expr [as alias], ...`. */
export interface FieldsCommand {
  kind: 'fields';
  items: Projection[];
  span: Span;
}
/** `display f, ...` (only the last one counts). */
export interface DisplayCommand {
  kind: 'display';
  items: FieldRef[];
  span: Span;
}
/** `filter` and `filterIndex` (the latter is a plain filter locally; `indexOnly` records which). */
export interface FilterCommand {
  kind: 'filter';
  indexOnly: boolean;
  condition: Expr;
  span: Span;
}
/** `stats agg(...) [as alias], ... [by key, ...]`. */
export interface StatsCommand {
  kind: 'stats';
  items: Projection[];
  groupBy: Projection[];
  span: Span;
}
/** `sort key [asc|desc], ...`. */
export interface SortCommand {
  kind: 'sort';
  keys: SortKey[];
  span: Span;
}
/** `limit N`. */
export interface LimitCommand {
  kind: 'limit';
  count: number;
  span: Span;
}
/** `dedup f, ...`: keeps the first row per key in sort order. */
export interface DedupCommand {
  kind: 'dedup';
  fields: FieldRef[];
  span: Span;
}
/** `parse [field] "glob * pattern" as a, b` or `parse [field] /(?<a>...)/`. */
export interface ParseCommand {
  kind: 'parse';
  source: FieldRef;
  pattern: StringLit | RegexLit;
  names: string[];
  span: Span;
}

/** A parsed query: its commands in pipeline order. */
export interface QueryAst {
  kind: 'query';
  commands: Command[];
  span: Span;
}
