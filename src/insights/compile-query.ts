import type { Command, Expr, QueryAst } from './ast.js';
import { compileExpr, compilePredicate, type ExprContext } from './compile-expression.js';
import { QueryError, QueryErrorCode } from './errors.js';
import { expressionReads } from './expression-reads.js';
import { compileParse } from './parse-command.js';
import { collectRequirements, type Requirement } from './prefilter.js';
import { isOwnTime, type Getter, type Row, type Scope } from './row.js';
import { compareForSort } from './sort-order.js';
import { compileStats, StatsAggregator, type StatsPlan } from './stats-aggregator.js';
import { toText, type Value, type ValueKind } from './value-format.js';

/** A step over a record (or row) while streaming: returns false to drop it. */
export type StreamStage = (row: Row) => boolean;

/** A step over all rows at the end (after the first sort, limit, dedup or stats). */
export type PostStage =
  | {
      kind: 'sort';
      compare: (a: Row, b: Row) => number;
      /**
       * The order is the record's own @timestamp alone, ascending (1) or descending (-1): for two rows
       * whose records' times are finite, compare() is the numeric order of those times.
       */
      byOwnTime?: 1 | -1;
    }
  | { kind: 'limit'; count: number }
  | { kind: 'map'; apply: (rows: Row[]) => Row[] };

/** What one streaming stage reads and writes (for the shaped fast path, shape-plan.ts). */
export interface StageReads {
  kind: 'filter' | 'fields' | 'parse';
  /** Names the stage reads (fields, created names, @timestamp). */
  reads: Set<string>;
  /** Names the stage creates. */
  defines: string[];
}

/** Everything a run needs, compiled once per query. */
export interface QueryPlan {
  stream: StreamStage[];
  /** stream[i] reads and writes streamReads[i]. */
  streamReads: StageReads[];
  /** The names each stats key reads, and all the aggregates together (when there is a streaming stats). */
  statsReads: { keys: Set<string>[]; aggregates: Set<string> } | undefined;
  /** The names the first post stage reads when it is a sort (the order a top-k run keeps). */
  firstSortReads: Set<string> | undefined;
  stats: StatsPlan | undefined;
  post: PostStage[];
  output: { name: string; get: Getter; kind: ValueKind }[];
  hasLimitCommand: boolean;
  requirements: Requirement[];
  /**
   * Some streaming stage sets a created field only sometimes (a parse that did not match). Otherwise
   * every stage that creates a field sets it for every row that reaches it, so a row object reused
   * from one record to the next never shows a stale value and need not be cleared.
   */
  partialWrites: boolean;
}

const TIMESTAMP_DESC = (a: Row, b: Row): number =>
  compareForSort(
    a.record?.timestamp ?? a.values?.get('@timestamp'),
    b.record?.timestamp ?? b.values?.get('@timestamp'),
    true,
  );

/** Compiles the command pipeline into stages; validates what the parser cannot. */
export function compileQuery(ast: QueryAst, query: string): QueryPlan {
  let scope: Scope = { afterStats: false, derived: new Map() };
  const stream: StreamStage[] = [];
  const streamReads: StageReads[] = [];
  let statsReads: QueryPlan['statsReads'];
  let firstSortReads: Set<string> | undefined;
  const post: PostStage[] = [];
  const requirements: Requirement[] = [];
  let stats: StatsPlan | undefined;
  let streaming = true; // still before the first barrier (sort, limit, dedup, stats)
  let sorted = false; // a sort (explicit or implied) already ordered the rows
  let hasStats = false;
  let displayed: string[] = [];
  let display: string[] | undefined;
  let hasFields = false;
  let partialWrites = false;
  const ctx = (): ExprContext => ({ query, scope });
  const addRowStep = (step: (row: Row) => boolean, reads: StageReads): void => {
    if (streaming) {
      stream.push(step);
      streamReads.push(reads);
    } else post.push({ kind: 'map', apply: (rows) => rows.filter(step) });
  };
  const barrier = (kind: Command['kind']): void => {
    // Raw rows are ordered @timestamp desc unless sorted (docs CWL_QuerySyntax-Dedup.html: "the
    // default descending sort order using @timestamp"); limit and dedup see that order.
    if (!hasStats && !sorted && kind !== 'sort' && kind !== 'stats') {
      if (post.length === 0) firstSortReads = new Set(['@timestamp']);
      post.push({ kind: 'sort', compare: TIMESTAMP_DESC });
      sorted = true;
    }
    streaming = false;
  };

  ast.commands.forEach((cmd, index) => {
    const previous = ast.commands[index - 1];
    if (previous?.kind === 'dedup' && cmd.kind !== 'limit') {
      throw new QueryError(
        QueryErrorCode.AfterDedup,
        `only limit may follow dedup, found ${cmd.kind}`,
        cmd.span,
        query,
      );
    }
    switch (cmd.kind) {
      case 'filter': {
        if (cmd.indexOnly) checkFilterIndex(cmd.condition, query);
        const pred = compilePredicate(cmd.condition, ctx());
        if (streaming) requirements.push(...collectRequirements(cmd.condition, scope.derived));
        addRowStep(pred, { kind: 'filter', reads: expressionReads(cmd.condition), defines: [] });
        break;
      }
      case 'fields': {
        hasFields = true;
        for (const item of cmd.items) {
          if (!displayed.includes(item.name)) displayed.push(item.name);
          if (item.expr.kind === 'field' && item.expr.name === item.name) {
            compileExpr(item.expr, ctx()); // validates the name after stats
            continue;
          }
          const c = compileExpr(item.expr, ctx());
          const name = item.name;
          const get = c.get;
          addRowStep(
            (row) => {
              (row.values ??= new Map<string, Value>()).set(name, get(row));
              return true;
            },
            { kind: 'fields', reads: expressionReads(item.expr), defines: [name] },
          );
          scope = { afterStats: scope.afterStats, derived: new Map(scope.derived).set(name, c.kind) };
        }
        break;
      }
      case 'parse': {
        if (streaming) partialWrites = true;
        const parse = compileParse(cmd, query);
        const source = compileExpr(cmd.source, ctx()).get;
        const names = parse.names;
        addRowStep(
          (row) => {
            const text = toText(source(row));
            const found = text === undefined ? null : parse.extract(text);
            if (found !== null) {
              const values = (row.values ??= new Map<string, Value>());
              found.forEach((v, i) => values.set(names[i] as string, v));
            }
            return true;
          },
          { kind: 'parse', reads: expressionReads(cmd.source), defines: [...names] },
        );
        const derived = new Map(scope.derived);
        for (const n of names) {
          derived.set(n, 'plain');
          if (!displayed.includes(n)) displayed.push(n);
        }
        scope = { afterStats: scope.afterStats, derived };
        break;
      }
      case 'stats': {
        const plan = compileStats(cmd, query, scope);
        if (streaming && !hasStats) {
          stats = plan;
          const aggregates = new Set<string>();
          for (const item of cmd.items) expressionReads(item.expr, aggregates);
          statsReads = { keys: cmd.groupBy.map((key) => expressionReads(key.expr)), aggregates };
        } else {
          post.push({
            kind: 'map',
            apply: (rows) => {
              const agg = new StatsAggregator(plan);
              for (const r of rows) agg.add(r);
              return agg.rows();
            },
          });
        }
        barrier('stats');
        hasStats = true;
        // A display before stats names columns that stats replaces; AWS's own "top writes" query
        // (display ... | stats ...) relies on it being ignored.
        display = undefined;
        scope = plan.outputScope;
        displayed = [...plan.keys.map((k) => k.name), ...plan.items.map((i) => i.name)].filter(
          (n, i, a) => a.indexOf(n) === i,
        );
        hasFields = true;
        break;
      }
      case 'sort': {
        barrier('sort');
        const keys = cmd.keys.map((k) => ({ get: compileExpr(k.expr, ctx()).get, descending: k.descending }));
        if (post.length === 0 && !hasStats) {
          firstSortReads = new Set<string>();
          for (const k of cmd.keys) expressionReads(k.expr, firstSortReads);
        }
        const only = cmd.keys.length === 1 ? cmd.keys[0] : undefined;
        const ownTime = only?.expr.kind === 'field' && only.expr.name === '@timestamp' && isOwnTime(scope);
        post.push({
          kind: 'sort',
          compare: (a, b) => {
            for (const k of keys) {
              const c = compareForSort(k.get(a), k.get(b), k.descending);
              if (c !== 0) return c;
            }
            return 0;
          },
          ...(ownTime ? { byOwnTime: only?.descending === true ? -1 : 1 } : {}),
        });
        sorted = true;
        break;
      }
      case 'limit':
        barrier('limit');
        post.push({ kind: 'limit', count: cmd.count });
        break;
      case 'dedup': {
        barrier('dedup');
        const gets = cmd.fields.map((f) => compileExpr(f, ctx()).get);
        post.push({ kind: 'map', apply: (rows) => dedup(rows, gets) });
        break;
      }
      case 'display':
        for (const f of cmd.items) compileExpr(f, ctx());
        display = cmd.items.map((f) => f.name);
        break;
    }
  });
  if (!hasStats && !sorted) {
    if (post.length === 0) firstSortReads = new Set(['@timestamp']);
    post.push({ kind: 'sort', compare: TIMESTAMP_DESC });
  }

  const names = display ?? (hasFields ? displayed : ['@timestamp', '@message', ...displayed]);
  const output = names.map((name) => {
    const c = compileExpr({ kind: 'field', name, span: ast.span }, { query, scope });
    return { name, get: c.get, kind: c.kind };
  });
  return {
    stream,
    streamReads,
    statsReads,
    firstSortReads,
    stats,
    post,
    output,
    hasLimitCommand: ast.commands.some((c) => c.kind === 'limit'),
    requirements,
    partialWrites,
  };
}

/** Keeps the first row of each combination; rows with an absent dedup field are all kept (docs). */
function dedup(rows: Row[], gets: Getter[]): Row[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    let key = '';
    for (const g of gets) {
      const v = g(row);
      if (v === undefined) return true;
      const t = toText(v) as string;
      key += `${t.length}:${t}|`;
    }
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * filterIndex only accepts what a field index can answer (docs CWL_QuerySyntax-FilterIndex.html):
 * `field = value` and `field in [...]`, possibly joined with and/or.
 */
function checkFilterIndex(expr: Expr, query: string): void {
  const ok = (e: Expr): boolean => {
    if (e.kind === 'binary' && (e.op === 'and' || e.op === 'or')) return ok(e.left) && ok(e.right);
    if (e.kind === 'binary' && e.op === '=')
      return e.left.kind === 'field' && (e.right.kind === 'string' || e.right.kind === 'number');
    if (e.kind === 'in' && !e.negated)
      return (
        e.subject.kind === 'field' && e.list.items.every((i) => i.kind === 'string' || i.kind === 'number')
      );
    return false;
  };
  if (!ok(expr)) {
    throw new QueryError(
      QueryErrorCode.FilterIndexShape,
      'filterIndex accepts only field = "value" or field in ["a", "b"] (joined with and/or)',
      expr.span,
      query,
    );
  }
}
