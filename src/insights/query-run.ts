import type { QueryPlan } from './compile-query.js';
import type { LogRecord } from './record.js';
import type { Row } from './row.js';
import { StatsAggregator } from './stats-aggregator.js';
import { formatValue } from './value-format.js';

/**
 * StartQuery's `limit` default: with no `limit` command a query returns at most 10,000 rows
 * (docs CWL_QuerySyntax-Limit.html; botocore `EventsLimitStartQuery`). A run's `limit` option plays
 * the role of StartQuery's `limit` parameter: it caps the rows only when the query itself has no
 * `limit` command; a `limit N` in the query decides on its own.
 */
export const DEFAULT_RESULT_LIMIT = 10_000;

/** Options of one run. */
export interface RunOptions {
  /** StartQuery's `limit`: the most rows when the query has no `limit` command (default 10,000). */
  limit?: number;
}

/** A query's answer: column order, rows of strings (absent fields omitted), records matched. */
export interface QueryResult {
  fields: string[];
  rows: Record<string, string>[];
  /** Records that passed the filters before the first stats/sort/limit/dedup. */
  recordsMatched: number;
}

/** The evaluation state of one run of a compiled query. */
export interface QueryRun {
  add(record: LogRecord): void;
  finish(): QueryResult;
}

/** Starts a run: feed records with add(), then finish() once. */
export function createQueryRun(plan: QueryPlan, options: RunOptions = {}): QueryRun {
  const cap = plan.hasLimitCommand ? Infinity : normalizeLimit(options.limit);
  const stream = plan.stream;
  const aggregator = plan.stats ? new StatsAggregator(plan.stats) : undefined;
  // Raw rows that a sort then a limit (or the default cap) will cut: keep only about 2k of them.
  const first = plan.post[0];
  const second = plan.post[1];
  let topK: { compare: (a: Row, b: Row) => number; k: number } | undefined;
  if (!aggregator && first?.kind === 'sort') {
    if (second?.kind === 'limit') topK = { compare: first.compare, k: second.count };
    else if (second === undefined && Number.isFinite(cap)) topK = { compare: first.compare, k: cap };
  }
  const collected: Row[] = [];
  // Stats keeps no rows, so one row object serves every record.
  const shared: Row = { record: null, values: null };
  let matched = 0;

  const compact = (): void => {
    if (!topK) return;
    collected.sort(topK.compare);
    collected.length = Math.min(collected.length, topK.k);
  };

  return {
    add(record: LogRecord): void {
      let row: Row;
      if (aggregator) {
        row = shared;
        row.record = record;
        if (row.values !== null) row.values.clear();
      } else {
        row = { record, values: null };
      }
      for (let i = 0; i < stream.length; i++) {
        if (!(stream[i] as (r: Row) => boolean)(row)) return;
      }
      matched++;
      if (aggregator) {
        aggregator.add(row);
      } else {
        collected.push(row);
        if (topK && collected.length >= 2 * topK.k + 1024) compact();
      }
    },
    finish(): QueryResult {
      let rows = aggregator ? aggregator.rows() : collected;
      for (const stage of plan.post) {
        if (stage.kind === 'sort') rows = rows.slice().sort(stage.compare);
        else if (stage.kind === 'limit') rows = rows.slice(0, stage.count);
        else rows = stage.apply(rows);
      }
      if (rows.length > cap) rows = rows.slice(0, cap);
      const output = plan.output;
      const out: Record<string, string>[] = rows.map((row) => {
        const o: Record<string, string> = {};
        for (const col of output) {
          const s = formatValue(col.get(row), col.kind);
          if (s !== undefined) o[col.name] = s;
        }
        return o;
      });
      return { fields: output.map((c) => c.name), rows: out, recordsMatched: matched };
    },
  };
}

function normalizeLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit < 1) return DEFAULT_RESULT_LIMIT;
  return Math.floor(limit);
}
