import type { CallExpr, Expr, StatsCommand } from './ast.js';
import { AGGREGATE_FUNCTIONS, buildAggregate, type Accumulator, type AggregateSpec } from './aggregates.js';
import { compileExpr, type ExprContext } from './compile-expression.js';
import { QueryError, QueryErrorCode } from './errors.js';
import { isOwnTime, type CompiledExpr, type Getter, type Row, type Scope } from './row.js';
import { mapGeneric } from './generic-array.js';
import { fixedPeriodMs } from './time-units.js';
import { detach, toNumber, type Value, type ValueKind } from './value-format.js';

/** A compiled `stats` command: group keys, aggregate slots and the output columns. */
export interface StatsPlan {
  /**
   * `period`: the key is bin() of a fixed period (ms to w) over the record's own time, so a record
   * whose time is in [v, v + period - 1] has the key value v (timeGroup says why; addShaped then skips
   * reading it).
   */
  keys: { name: string; get: Getter; kind: ValueKind; period?: number }[];
  aggregates: AggregateSpec[];
  /** `slot`: the item is one aggregate alone, its value that accumulator's result. */
  items: { name: string; get: Getter; kind: ValueKind; slot?: number }[];
  /** Index of the first key made by bin()/datefloor(): groups are ordered by it, ascending. */
  binKey: number;
  /** The scope after this stats: only its columns exist. */
  outputScope: Scope;
}

const SLOT_PREFIX = '\u0000agg';

/** Compiles `stats` against the scope before it. */
export function compileStats(cmd: StatsCommand, query: string, scope: Scope): StatsPlan {
  const aggregates: AggregateSpec[] = [];
  const keyCtx: ExprContext = {
    query,
    scope,
    aggregate: (node) => {
      throw new QueryError(
        QueryErrorCode.AggregateOutsideStats,
        `${node.name}() cannot be a group key after by`,
        node.span,
        query,
      );
    },
  };
  // bin() reads @timestamp as the scope has it: the record's own time unless a command created one.
  const ownTime = isOwnTime(scope);
  const keys = cmd.groupBy.map((p) => {
    const c = compileExpr(p.expr, keyCtx);
    const duration = p.expr.kind === 'call' && p.expr.name === 'bin' ? p.expr.args[0] : undefined;
    const period =
      ownTime && duration?.kind === 'duration' ? fixedPeriodMs(duration.amount, duration.unit) : undefined;
    return { name: p.name, get: c.get, kind: c.kind, ...(period === undefined ? {} : { period }) };
  });
  const binKey = cmd.groupBy.findIndex(
    (p) => p.expr.kind === 'call' && (p.expr.name === 'bin' || p.expr.name === 'datefloor'),
  );
  const nested = (node: CallExpr): CompiledExpr => {
    throw new QueryError(
      QueryErrorCode.NestedAggregate,
      `${node.name}() cannot be nested inside another aggregate`,
      node.span,
      query,
    );
  };
  const slotScope: Scope = { afterStats: true, derived: new Map() };
  const items = cmd.items.map((p) => {
    if (!containsAggregate(p.expr)) {
      throw new QueryError(
        QueryErrorCode.NotAnAggregate,
        `"${p.name}" is not an aggregate; stats takes count(*), sum(f), avg(f), ... (group fields go after by)`,
        p.expr.span,
        query,
      );
    }
    let found = 0;
    let last: { compiled: CompiledExpr; slot: number } | undefined;
    const ctx: ExprContext = {
      query,
      scope: slotScope,
      aggregate: (node) => {
        found++;
        const argNode = node.args[0];
        let arg: CompiledExpr | undefined;
        if (argNode !== undefined && argNode.kind !== 'star')
          arg = compileExpr(argNode, { query, scope, aggregate: nested });
        if (argNode?.kind === 'star' && node.name !== 'count') {
          throw new QueryError(
            QueryErrorCode.BadArgument,
            `${node.name}(*) is not valid; only count(*) takes *`,
            argNode.span,
            query,
          );
        }
        const maxArgs = node.name === 'pct' ? 2 : 1;
        const minArgs = node.name === 'count' ? 0 : maxArgs;
        if (node.args.length < minArgs || node.args.length > maxArgs) {
          throw new QueryError(
            QueryErrorCode.WrongArity,
            `${node.name}() takes ${maxArgs === minArgs ? maxArgs : `${minArgs} or ${maxArgs}`} argument${maxArgs === 1 ? '' : 's'}`,
            node.span,
            query,
          );
        }
        const spec = buildAggregate(node.name, arg, node.args.slice(1));
        if (typeof spec === 'string')
          throw new QueryError(QueryErrorCode.BadArgument, spec, node.span, query);
        const key = SLOT_PREFIX + String(aggregates.length);
        const compiled: CompiledExpr = { kind: spec.kind, get: (row: Row) => row.values?.get(key) };
        last = { compiled, slot: aggregates.length };
        aggregates.push(spec);
        return compiled;
      },
    };
    const c = compileExpr(p.expr, ctx);
    if (found === 0) {
      throw new QueryError(
        QueryErrorCode.NotAnAggregate,
        `"${p.name}" is not an aggregate; stats takes count(*), sum(f), avg(f), ... (group fields go after by)`,
        p.expr.span,
        query,
      );
    }
    // An item that is one aggregate alone compiles to that aggregate's own slot reader.
    const slot = found === 1 && last?.compiled === c ? last.slot : undefined;
    return { name: p.name, get: c.get, kind: c.kind, ...(slot === undefined ? {} : { slot }) };
  });
  const derived = new Map<string, ValueKind>();
  for (const k of keys) derived.set(k.name, k.kind);
  for (const i of items) derived.set(i.name, i.kind);
  return { keys, aggregates, items, binKey, outputScope: { afterStats: true, derived } };
}

function containsAggregate(e: Expr): boolean {
  switch (e.kind) {
    case 'call':
      return AGGREGATE_FUNCTIONS.has(e.name) || e.args.some(containsAggregate);
    case 'unary':
      return containsAggregate(e.operand);
    case 'binary':
      return containsAggregate(e.left) || containsAggregate(e.right);
    case 'like':
      return containsAggregate(e.subject);
    case 'in':
      return containsAggregate(e.subject) || e.list.items.some(containsAggregate);
    default:
      return false;
  }
}

interface Group {
  keyValues: Value[];
  accumulators: Accumulator[];
}

/** Where an output column's value comes from in a group: a key's value or an accumulator's result. */
export type ColumnSource = { key: number; slot?: undefined } | { slot: number; key?: undefined };

/**
 * A StatsAggregator's groups as plain data, in first-seen order, laid out flat. As one small array
 * per group and per accumulator, the bench's 1 GiB file's worker partial (6,545 actor groups) took 35
 * to 50 ms from the worker's last line to the main thread's merge, most of it structured cloning, on
 * the main thread while the report waited; laid out like this, 9 to 16 ms (timelines, 4 runs each).
 */
export interface StatsPartial {
  groups: number;
  /** Per key position, the distinct key values of the groups. */
  values: Value[][];
  /** Per group, per key position: its value's index in `values`. */
  keyIds: Int32Array;
  /** Per group, per aggregate: the accumulator's state parts (Accumulator.saveTo), in order. */
  states: unknown[];
}

/**
 * Groups rows and feeds each group's accumulators; `rows()` returns one row per group.
 *
 * A group of several keys is found by the ids its key values have at their positions, joined into
 * one short string: one small Map per key position (value -> id) and one Map of groups; with a bin
 * key, the other keys' ids name a family and the bin key's id finds the group in it. Nested Maps,
 * one level per key, cost up to a Map per key per group, and the actors query has eight keys and
 * tens of thousands of groups (about 1.5 KB a group, most of the heap that grew with the input).
 * The grouping is the same as comparing the keys' texts tagged with their type: Map keys
 * distinguish numbers from strings, treat -0 as 0 and NaN as NaN as String() does, and booleans
 * (printed "true"/"false", tagged as text) are turned into their text first. A single key is used
 * as it is.
 */
export class StatsAggregator {
  /** One key: its value -> group. */
  private readonly root = new Map<unknown, Group>();
  /** Several keys: per position, value -> id; the ids joined with commas -> group. */
  private readonly ids: Map<unknown, number>[];
  /** Per position, id -> the value first seen (key texts are shared by all groups that have them). */
  private readonly canon: Value[][];
  /** Several keys, none made by bin(): the ids joined with commas -> group. */
  private readonly groups = new Map<string, Group>();
  /** Groups in first-seen order. */
  private readonly order: Group[] = [];

  constructor(private readonly plan: StatsPlan) {
    const several = plan.keys.length > 1;
    this.ids = several ? plan.keys.map(() => new Map()) : [];
    this.canon = several ? plan.keys.map(() => []) : [];
  }

  add(row: Row): void {
    const group = this.groupOf(row);
    const accumulators = group.accumulators;
    for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).add(row);
  }

  /**
   * Per shape: its group when no key reads @timestamp, else the group of the last value its one time
   * key took (in `shapeTime`). An incident's lines come in time order, so a shape moves from one bin
   * to the next and rarely back: one entry per shape catches nearly every line, whatever the number
   * of bins, and the cache never outgrows the shape table.
   */
  private readonly shapeGroups: (Group | undefined)[] = [];
  private readonly shapeTime: unknown[] = [];
  /** Per shape: its key values (the time key's slot is filled per lookup), read once per shape. */
  private readonly shapeKeys: (Value[] | undefined)[] = [];

  /**
   * add() for a row of a shape (query-run.ts addShaped): the keys not in `timeKeys` read only what the
   * shape fixes, so a shape's group is found once, or once per value of its one time key; and unless
   * `timeAggregates` (an aggregate reads @timestamp), what the aggregates read is read once per shape.
   */
  addShaped(row: Row, shape: number, timeKeys: readonly number[], timeAggregates: boolean): void {
    let group: Group | undefined;
    if (timeKeys.length === 0) {
      group = this.shapeGroups[shape];
      if (group === undefined) {
        group = this.groupOf(row);
        this.shapeGroups[shape] = group;
      }
    } else if (timeKeys.length === 1) {
      const time = (row.record as { timestamp: number }).timestamp;
      group = this.shapeGroups[shape];
      // Inside the shape's current bin (never true before one is known: comparisons with undefined
      // are false), the group is the same: bin() is not read, nor its boxed double made, per row.
      if (
        group === undefined ||
        !(time >= (this.binLo[shape] as number) && time <= (this.binLast[shape] as number))
      )
        group = this.timeGroup(row, shape, timeKeys[0] as number);
    } else {
      this.add(row);
      return;
    }
    const accumulators = group.accumulators;
    if (timeAggregates) {
      for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).add(row);
      return;
    }
    let inputs = this.shapeInputs[shape];
    if (inputs === undefined) {
      inputs = mapGeneric(this.plan.aggregates, (spec) => spec.input(row));
      this.shapeInputs[shape] = inputs;
    }
    for (let i = 0; i < accumulators.length; i++) (accumulators[i] as Accumulator).addInput(inputs[i], row);
  }

  /** Per shape: what each aggregate reads from its rows (when no aggregate reads @timestamp). */
  private readonly shapeInputs: (unknown[] | undefined)[] = [];

  /**
   * Per shape whose time key is a fixed bin() (StatsPlan `period`): times in [lo, last] have the key
   * value of shapeGroups[shape] (timeGroup says why).
   */
  private readonly binLo: number[] = [];
  private readonly binLast: number[] = [];

  /** The group of a shape's row whose time is outside the shape's known bin: its time key is read. */
  private timeGroup(row: Row, shape: number, t: number): Group {
    const key = this.plan.keys[t] as StatsPlan['keys'][number];
    const v = key.get(row);
    let group = this.shapeGroups[shape];
    if (group === undefined || this.shapeTime[shape] !== v) {
      let keys = this.shapeKeys[shape];
      if (keys === undefined) {
        keys = mapGeneric(this.plan.keys, (k) => detach(k.get(row)));
        this.shapeKeys[shape] = keys;
      }
      keys[t] = detach(v);
      group =
        this.findOfShape(shape, keys, t) ??
        this.create(keys.slice(), t === this.plan.binKey ? this.shapeFamily[shape] : undefined);
      this.shapeGroups[shape] = group;
      this.shapeTime[shape] = v;
    }
    // bin() is Math.floor(time / p) * p, and v = k * p. A time in [v, v + p - 1] floors to v:
    // time / p >= k, and a correctly rounded division is monotonic, so it is not below k; and
    // time / p <= k + 1 - 1/p, which rounds up to k + 1 only if 1/p is at most half a unit in the last
    // place of k + 1, that is, only if (k + 1) * p reaches 2^53. Safe integers v and v + p rule that out.
    // Times in (v + p - 1, v + p), fractions of the bin's last ms, read the key as before.
    const period = key.period;
    const bounded =
      period !== undefined &&
      typeof v === 'number' &&
      Number.isSafeInteger(v) &&
      Number.isSafeInteger(v + period);
    this.binLo[shape] = bounded ? v : Number.NaN;
    this.binLast[shape] = bounded ? v + (period as number) - 1 : Number.NaN;
    return group;
  }

  /**
   * Several keys, one of them made by bin() or datefloor() (plan.binKey): per family, the value
   * combination of the other keys (their ids, each followed by a comma), the groups by the bin key's
   * id. A shape's rows move to a new bin thousands of times in an incident: the shape's family is
   * found once, and each move is then one number lookup (findOfShape).
   */
  private readonly families = new Map<string, Map<number, Group>>();
  /** Per shape: its family, once one exists (shapes of one family share it). */
  private readonly shapeFamily: (Map<number, Group> | undefined)[] = [];

  /** find(keys) for a shape's key values whose time key is at `t`. */
  private findOfShape(shape: number, keys: Value[], t: number): Group | undefined {
    if (t !== this.plan.binKey || keys.length < 2) return this.find(NO_ROW, keys);
    let family = this.shapeFamily[shape];
    if (family === undefined) {
      // A value never seen at its position, or a combination never grouped: no group has it yet.
      if (!this.lookUpIds(NO_ROW, keys)) return undefined;
      family = this.families.get(this.familyName(this.keyIds));
      if (family === undefined) return undefined;
      this.shapeFamily[shape] = family;
    }
    const time = (this.ids[t] as Map<unknown, number>).get(mapKey(keys[t]));
    return time === undefined ? undefined : family.get(time);
  }

  /** The family name of a group's key ids: all but the bin key's, each followed by a comma. */
  private familyName(ids: readonly number[]): string {
    const binKey = this.plan.binKey;
    let name = '';
    for (let i = 0; i < ids.length; i++) if (i !== binKey) name = `${name}${ids[i] as number},`;
    return name;
  }

  /** lookUpIds() puts each key position's id here. */
  private readonly keyIds: number[] = [];

  /**
   * Puts the ids of a row's key values (or of given values) in keyIds; false when some value has
   * none, and then no group can have it.
   */
  private lookUpIds(row: Row, values: readonly Value[] | undefined): boolean {
    const keys = this.plan.keys;
    const keyIds = this.keyIds;
    for (let i = 0; i < keys.length; i++) {
      const v = values === undefined ? (keys[i] as { get: Getter }).get(row) : values[i];
      const id = (this.ids[i] as Map<unknown, number>).get(mapKey(v));
      if (id === undefined) return false;
      keyIds[i] = id;
    }
    return true;
  }

  /** Drops the per-shape group cache (the shapes of another numbering follow). */
  forgetShapes(): void {
    this.shapeGroups.length = 0;
    this.shapeTime.length = 0;
    this.shapeKeys.length = 0;
    this.shapeInputs.length = 0;
    this.binLo.length = 0;
    this.binLast.length = 0;
    this.shapeFamily.length = 0;
  }

  /** The group of a row, made when new. */
  private groupOf(row: Row): Group {
    return (
      this.find(row, undefined) ?? this.create(mapGeneric(this.plan.keys, (key) => detach(key.get(row))))
    );
  }

  /** The group of a row (or of given key values), undefined when new. */
  private find(row: Row, values: Value[] | undefined): Group | undefined {
    const keys = this.plan.keys;
    const n = keys.length;
    if (n === 0) return this.order[0];
    if (n === 1)
      return this.root.get(values === undefined ? (keys[0] as { get: Getter }).get(row) : values[0]);
    if (!this.lookUpIds(row, values)) return undefined;
    const keyIds = this.keyIds;
    const binKey = this.plan.binKey;
    if (binKey < 0) return this.groups.get(keyIds.join(','));
    return this.families.get(this.familyName(keyIds))?.get(keyIds[binKey] as number);
  }

  /** Makes a group; `family`, when known, is the family its key values belong to (families). */
  private create(keyValues: Value[], family?: Map<number, Group>): Group {
    // mapGeneric: Array.prototype.map gives packed arrays once V8 has optimised the caller and holey
    // ones before, and addShaped's loop over them met both (generic-array.ts says what that costs).
    const group: Group = { keyValues, accumulators: mapGeneric(this.plan.aggregates, (a) => a.create()) };
    const n = keyValues.length;
    if (n === 1) this.root.set(keyValues[0], group);
    else if (n > 1) {
      const idList: number[] = [];
      for (let i = 0; i < n; i++) {
        const v = keyValues[i];
        const k = mapKey(v);
        const ids = this.ids[i] as Map<unknown, number>;
        const canon = this.canon[i] as Value[];
        let id = ids.get(k);
        if (id === undefined) {
          id = canon.length;
          ids.set(k, id);
          canon.push(v);
        } else if (typeof v === 'string' && typeof canon[id] === 'string') keyValues[i] = canon[id] as Value;
        idList.push(id);
      }
      const binKey = this.plan.binKey;
      // join() makes one flat string; concatenation would keep a rope per group.
      if (binKey < 0) this.groups.set(idList.join(','), group);
      else {
        let members = family;
        if (members === undefined) {
          const name = this.familyName(idList);
          members = this.families.get(name);
          if (members === undefined) {
            members = new Map();
            this.families.set(name, members);
          }
        }
        members.set(idList[binKey] as number, group);
      }
    }
    this.order.push(group);
    return group;
  }

  /** The groups as plain data (StatsPartial), or undefined when an accumulator cannot be merged exactly. */
  save(): StatsPartial | undefined {
    const width = this.plan.keys.length;
    const tables = this.plan.keys.map(() => ({ index: new Map<unknown, number>(), values: [] as Value[] }));
    const keyIds = new Int32Array(this.order.length * width);
    const states: unknown[] = [];
    let at = 0;
    for (const group of this.order) {
      for (let i = 0; i < width; i++) {
        const v = group.keyValues[i];
        const table = tables[i] as (typeof tables)[number];
        // The group's own value travels, not its position's first (a boolean is not its text): the
        // merge makes the group from these, as one aggregator fed the rows would have. (The Map takes
        // -0 for 0; both print 0.)
        let id = table.index.get(v);
        if (id === undefined) {
          id = table.values.length;
          table.index.set(v, id);
          table.values.push(v);
        }
        keyIds[at++] = id;
      }
      for (const acc of group.accumulators) if (!acc.saveTo(states)) return undefined;
    }
    return { groups: this.order.length, values: tables.map((table) => table.values), keyIds, states };
  }

  /**
   * Folds in the groups of an aggregator fed the rows after this one's: groups new to this one come
   * after its own, so first-seen order is what one aggregator fed every row would have. False when
   * an accumulator cannot promise the same result.
   */
  merge(partial: StatsPartial): boolean {
    let exact = true;
    const width = this.plan.keys.length;
    const parts = this.plan.aggregates.map((spec) => spec.stateParts);
    const { values, keyIds, states } = partial;
    let at = 0;
    for (let g = 0; g < partial.groups; g++) {
      const keyValues: Value[] = [];
      for (let i = 0; i < width; i++) keyValues.push((values[i] as Value[])[keyIds[g * width + i] as number]);
      const group = this.find(NO_ROW, keyValues) ?? this.create(keyValues);
      const accumulators = group.accumulators;
      for (let i = 0; i < accumulators.length; i++) {
        if (!(accumulators[i] as Accumulator).mergeFrom(states, at)) exact = false;
        at += parts[i] as number;
      }
    }
    return exact;
  }

  /** Groups in first-seen order, or ascending by the bin() key when there is one. */
  rows(): Row[] {
    const out: Row[] = [];
    this.eachRow((row) => {
      out.push({ record: null, values: new Map(row.values) });
      return true;
    });
    return out;
  }

  /**
   * The rows of rows(), in the same order, one at a time through one reused Row whose values change
   * after each call: `visit` copies what it keeps and returns false to stop. A Map per group costs
   * about 500 bytes, and the actors query's tens of thousands of groups made finishing the run the
   * peak of the heap.
   */
  eachRow(visit: (row: Row) => boolean): void {
    const plan = this.plan;
    const keys = plan.keys;
    const items = plan.items;
    const slotNames = plan.aggregates.map((_, i) => SLOT_PREFIX + String(i));
    // One slot map for every group: the items read it at once and keep nothing of it.
    const slots = new Map<string, Value>();
    const slotRow: Row = { record: null, values: slots };
    const values = new Map<string, Value>();
    const row: Row = { record: null, values };
    for (const group of this.ordered()) {
      const accumulators = group.accumulators;
      for (let i = 0; i < accumulators.length; i++)
        slots.set(slotNames[i] as string, (accumulators[i] as Accumulator).result());
      for (let i = 0; i < keys.length; i++)
        values.set((keys[i] as { name: string }).name, group.keyValues[i]);
      for (const item of items) values.set(item.name, item.get(slotRow));
      if (!visit(row)) return;
    }
  }

  /**
   * Where each of `names` (the output columns) comes from in a group, when each is a key or an item
   * that is one aggregate alone: then eachGroup() gives rows without the per-row Maps of eachRow(),
   * the same values by the same names (an item hides a key of its name, as eachRow sets items last).
   * Undefined when some name is anything else.
   */
  columnSources(names: readonly string[]): ColumnSource[] | undefined {
    const byName = new Map<string, ColumnSource | undefined>();
    this.plan.keys.forEach((key, i) => byName.set(key.name, { key: i }));
    for (const item of this.plan.items)
      byName.set(item.name, item.slot === undefined ? undefined : { slot: item.slot });
    const sources: ColumnSource[] = [];
    for (const name of names) {
      const source = byName.get(name);
      if (source === undefined) return undefined;
      sources.push(source);
    }
    return sources;
  }

  /** The groups in eachRow()'s order: `visit` reads them and returns false to stop. */
  eachGroup(visit: (keyValues: readonly Value[], accumulators: readonly Accumulator[]) => boolean): void {
    for (const group of this.ordered()) if (!visit(group.keyValues, group.accumulators)) return;
  }

  /** The groups in row order: first seen, or stably ascending by the bin() key. */
  private ordered(): Group[] {
    const groups = this.order;
    const binKey = this.plan.binKey;
    if (binKey < 0) return groups;
    // Each group's bin read once, not once per comparison; the sort is stable.
    const at = groups.map((group) => toNumber(group.keyValues[binKey]) ?? Number.POSITIVE_INFINITY);
    const order = groups.map((_, i) => i);
    order.sort((a, b) => {
      const x = at[a] as number;
      const y = at[b] as number;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    return order.map((i) => groups[i] as Group);
  }
}

/** The row find() is given when it is given key values (it reads none). */
const NO_ROW: Row = { record: null, values: null };

/** A key value as a Map key: booleans are grouped with their text (see StatsAggregator). */
function mapKey(v: unknown): unknown {
  return typeof v === 'boolean' ? (v ? 'true' : 'false') : v;
}
