import type { QueryPlan } from './compile-query.js';
import type { LogRecord } from './record.js';
import type { Row } from './row.js';
import type { ShapePlan } from './shape-plan.js';
import type { CapturedRecord, ShapedRecord } from './shaped-record.js';
import { emptyGeneric } from './generic-array.js';
import type { Accumulator } from './aggregates.js';
import { StatsAggregator, type ColumnSource, type StatsPartial } from './stats-aggregator.js';
import { formatValue, type Value } from './value-format.js';

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

/**
 * What a run has seen so far, as plain data that can cross a worker thread (structured clone): the
 * match count and either the stats groups or the raw rows kept.
 */
export interface RunPartial {
  matched: number;
  groups?: StatsPartial;
  rows?: Row[];
}

/** The evaluation state of one run of a compiled query. */
export interface QueryRun {
  add(record: LogRecord): void;
  /**
   * The fast path: the same as add(record.materialize()), but what depends only on the record's
   * shape is evaluated once per shape (shape-plan.ts), and raw rows stay unmaterialised while they may
   * still be dropped.
   */
  addShaped(record: ShapedRecord): void;
  /**
   * The reader is about to move past the bytes of the records given so far: rows waiting as stubs
   * are cut to the top k and the survivors copy their line (CapturedRecord.keep).
   */
  settle(): void;
  finish(): QueryResult;
  /** The state so far, or undefined when merging it could change the result (see Accumulator.saveTo). */
  save(): RunPartial | undefined;
  /**
   * Folds in the saved state of a run of the same query over the records that come AFTER this
   * run's; false when the result might differ from one run fed every record (discard this run).
   */
  merge(partial: RunPartial): boolean;
}

/** Starts a run: feed records with add() or addShaped(), then finish() once. `shapes`: planShapes(plan). */
export function createQueryRun(plan: QueryPlan, options: RunOptions, shapes: ShapePlan): QueryRun {
  const cap = plan.hasLimitCommand ? Infinity : normalizeLimit(options.limit);
  const stream = plan.stream;
  const aggregator = plan.stats ? new StatsAggregator(plan.stats) : undefined;
  // Raw rows that a sort then a limit (or the default cap) will cut: keep only about 2k of them.
  const first = plan.post[0];
  const second = plan.post[1];
  let topK: { compare: (a: Row, b: Row) => number; k: number; byOwnTime: 1 | -1 | undefined } | undefined;
  if (!aggregator && first?.kind === 'sort') {
    const byOwnTime = first.byOwnTime;
    if (second?.kind === 'limit') topK = { compare: first.compare, k: second.count, byOwnTime };
    else if (second === undefined && Number.isFinite(cap))
      topK = { compare: first.compare, k: cap, byOwnTime };
  }
  const collected: Row[] = emptyGeneric();
  // Stats keeps no rows, so one row object serves every record.
  const shared: Row = { record: null, values: null };
  // Shaped rows carry a shape's memoised values, which the stages of add() must never write into.
  const shapedRow: Row = { record: null, values: null };
  const probeRow: Row = { record: blankStub(), values: null };
  const clearValues = plan.partialWrites;
  let matched = 0;
  /** After a compaction with k rows kept: the k-th; a later row that does not sort before it is out. */
  let threshold: Row | undefined;

  /** Per shape: the values the memoised stages created, or null when they drop the shape. */
  const outcomes: (Map<string, Value> | null | undefined)[] = [];
  /**
   * The record stats rows are read through, pointed at each row's time and shape JSON: the aggregator
   * keeps no row, so one per run serves (one per shape was as fast, 14 alternating runs of the 1 GiB
   * file, and kept an object per shape per query).
   */
  const statsRecord: LogRecord = blankStub();
  let numbering: object | undefined;
  /** Stub rows in `collected` still waiting for their record (deferRows). */
  let waiting = 0;
  /**
   * Stub rows a compaction cut, for the next ones to reuse: a `sort @timestamp desc | limit 1` over
   * an incident's failures keeps every failure as a stub for a moment, and fresh objects for each
   * (hundreds of thousands) lived just long enough to be promoted, doubling the heap.
   */
  const spare: StubRow[] = emptyGeneric();

  /** A row cut from `collected`: a stub still waiting for its record is kept for reuse. */
  const release = (row: Row): void => {
    if (row instanceof StubRow && row.capture !== null) {
      waiting--;
      spare.push(row);
    }
  };

  const compact = (): void => {
    if (!topK) return;
    collected.sort(topK.compare);
    const k = topK.k;
    if (collected.length > k) {
      for (let i = k; i < collected.length; i++) release(collected[i] as Row);
      collected.length = k;
    }
    if (collected.length === k) threshold = collected[k - 1];
  };

  /** Keeps a raw row; past `slack` rows over twice the top k, cuts back to the top k. */
  const collect = (row: Row, slack: number): void => {
    collected.push(row);
    if (topK && collected.length >= 2 * topK.k + slack) compact();
  };

  /** Materialises the waiting stubs: their record, then the stages after the memoised prefix. */
  const resolvePending = (): void => {
    if (waiting === 0) return;
    const from = shapes.prefix;
    for (const row of collected) {
      if (!(row instanceof StubRow) || row.capture === null) continue;
      row.record = row.capture.record();
      row.capture = null;
      row.values = row.values === null ? null : new Map(row.values);
      for (let i = from; i < stream.length; i++) (stream[i] as (r: Row) => boolean)(row);
    }
    waiting = 0;
    spare.length = 0;
  };

  const add = (record: LogRecord): void => {
    let row: Row;
    if (aggregator) {
      row = shared;
      row.record = record;
      // Clearing a Map allocates a new table; overwriting the same names in place does not.
      if (row.values !== null && clearValues) row.values.clear();
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
      collect(row, COMPACT_SLACK);
    }
  };

  return {
    add,
    addShaped(record: ShapedRecord): void {
      if (record.numbering !== numbering) {
        numbering = record.numbering;
        outcomes.length = 0;
        aggregator?.forgetShapes();
      }
      let outcome = outcomes[record.shape];
      if (outcome === undefined) {
        const row: Row = { record: stubOf(record), values: null };
        let passed = true;
        for (let i = 0; i < shapes.prefix && passed; i++) passed = (stream[i] as (r: Row) => boolean)(row);
        outcome = passed ? (row.values ?? EMPTY_VALUES) : null;
        outcomes[record.shape] = outcome;
      }
      if (outcome === null) return;
      if (aggregator) {
        if (shapes.stats === undefined) {
          add(record.materialize());
          return;
        }
        matched++;
        shapedRow.record = fillStub(statsRecord, record);
        shapedRow.values = outcome;
        aggregator.addShaped(shapedRow, record.shape, shapes.stats.timeKeys, shapes.stats.timeAggregates);
        return;
      }
      if (!shapes.deferRows) {
        add(record.materialize());
        return;
      }
      matched++;
      const values = outcome === EMPTY_VALUES ? null : outcome;
      if (topK && threshold !== undefined) {
        // Most rows of a `sort @timestamp asc | limit 1` lose to the one kept: judge them unallocated,
        // by their times alone when the order is the record's time (no getter, no boxed time per row).
        const kept = topK.byOwnTime === undefined ? Number.NaN : (threshold.record as LogRecord).timestamp;
        const time = record.timestamp;
        if (Number.isFinite(kept) && Number.isFinite(time)) {
          // compare(threshold, row) <= 0: the row does not sort before the k-th kept (ties: arrival).
          if ((topK.byOwnTime as number) > 0 ? time >= kept : time <= kept) return;
        } else {
          fillStub(probeRow.record as LogRecord, record);
          probeRow.values = values;
          if (topK.compare(threshold, probeRow) <= 0) return;
        }
      }
      // A top 1 holding only the row it is judged against: the new row takes its place at once. A
      // `sort @timestamp desc | limit 1` over time-ordered failures beats it on every line, and
      // collecting those rows to sort and cut them later cost more than all the rest of the query.
      const replaces = topK?.k === 1 && collected.length === 1 && collected[0] === threshold;
      if (replaces) release(collected[0] as Row);
      const row = spare.pop() ?? new StubRow(blankStub(), null, null);
      fillStub(row.record, record);
      row.values = values;
      row.capture = record.capture(row.capture ?? undefined);
      waiting++;
      if (replaces) {
        collected[0] = row;
        threshold = row;
        return;
      }
      // Stubs hold their reader's chunk until it ends: cut them back sooner.
      collect(row, STUB_COMPACT_SLACK);
    },
    settle(): void {
      if (waiting === 0) return;
      compact();
      for (const row of collected) if (row instanceof StubRow) row.capture?.keep();
    },
    save(): RunPartial | undefined {
      // Only the rows that can still make the top k travel (a worker's partial is copied).
      compact();
      resolvePending();
      if (!aggregator) return { matched, rows: collected };
      const groups = aggregator.save();
      return groups === undefined ? undefined : { matched, groups };
    },
    merge(partial: RunPartial): boolean {
      matched += partial.matched;
      if (aggregator) return partial.groups !== undefined && aggregator.merge(partial.groups);
      // Rows kept by a top-k run are a superset of its share of the final top k, and a stable sort
      // of this run's rows followed by the later run's keeps equal rows in arrival order.
      for (const row of partial.rows ?? []) collect(row, COMPACT_SLACK);
      return true;
    },
    finish(): QueryResult {
      resolvePending();
      const output = plan.output;
      // Per column, the last value and its text: stats rows come bin by bin, so a bin's time (and
      // many a count) repeats from one row to the next and is formatted once.
      const lastValue: Value[] = output.map(() => undefined);
      const lastText: (string | undefined)[] = output.map(() => undefined);
      /** Column c's text for value v (undefined: the column is left out of the row). */
      const text = (c: number, v: Value): string | undefined => {
        if (v === lastValue[c] && v !== undefined) return lastText[c];
        const s = formatValue(v, (output[c] as (typeof output)[number]).kind);
        lastValue[c] = v;
        lastText[c] = s;
        return s;
      };
      const format = (row: Row): Record<string, string> => {
        const o: Record<string, string> = {};
        for (let c = 0; c < output.length; c++) {
          const col = output[c] as (typeof output)[number];
          const s = text(c, col.get(row));
          if (s !== undefined) o[col.name] = s;
        }
        return o;
      };
      const fields = output.map((c) => c.name);
      if (aggregator && plan.post.length === 0) {
        // Groups straight to text: no row object per group (see StatsAggregator.eachRow).
        const out: Record<string, string>[] = [];
        const sources = aggregator.columnSources(fields);
        if (sources === undefined) {
          aggregator.eachRow((row) => {
            out.push(format(row));
            return out.length < cap;
          });
        } else {
          // Every column a key or a lone aggregate: read them off the group, no Map per row (the
          // actors query's tens of thousands of groups, formatted while the report waits).
          aggregator.eachGroup((keyValues, accumulators) => {
            const o: Record<string, string> = {};
            for (let c = 0; c < sources.length; c++) {
              const source = sources[c] as ColumnSource;
              const v =
                source.key === undefined
                  ? (accumulators[source.slot] as Accumulator).result()
                  : keyValues[source.key];
              const s = text(c, v);
              if (s !== undefined) o[(output[c] as (typeof output)[number]).name] = s;
            }
            out.push(o);
            return out.length < cap;
          });
        }
        return { fields, rows: out, recordsMatched: matched };
      }
      let rows = aggregator ? aggregator.rows() : collected;
      for (const stage of plan.post) {
        if (stage.kind === 'sort') rows = rows.slice().sort(stage.compare);
        else if (stage.kind === 'limit') rows = rows.slice(0, stage.count);
        else rows = stage.apply(rows);
      }
      if (rows.length > cap) rows = rows.slice(0, cap);
      return { fields, rows: rows.map(format), recordsMatched: matched };
    },
  };
}

/** Rows kept beyond twice the top k before a compaction sorts and cuts them. */
const COMPACT_SLACK = 1024;
const STUB_COMPACT_SLACK = 64;

/** Shared by shapes whose memoised stages create nothing; never written to. */
const EMPTY_VALUES: Map<string, Value> = new Map();

/**
 * A raw row kept as a stub on the shaped path: the shape's JSON and the record's time, and the
 * capture that gives its whole record once it has made it to the end (then capture is null).
 */
class StubRow implements Row {
  constructor(
    public record: LogRecord,
    public values: Map<string, Value> | null,
    public capture: CapturedRecord | null,
  ) {}
}

/** The record a shape's memoised parts are read through: its JSON and time, no message (they read none). */
function stubOf(record: ShapedRecord): LogRecord {
  return fillStub(blankStub(), record);
}

function blankStub(): LogRecord {
  return { timestamp: 0, message: '', logStream: '', log: '', json: null };
}

/** Points a stub (or the probe) at `record`: its time, stream, log and shape JSON; never a message. */
function fillStub(stub: LogRecord, record: ShapedRecord): LogRecord {
  stub.timestamp = record.timestamp;
  stub.logStream = record.logStream;
  stub.log = record.log;
  stub.json = record.json;
  return stub;
}

function normalizeLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit) || limit < 1) return DEFAULT_RESULT_LIMIT;
  return Math.floor(limit);
}
