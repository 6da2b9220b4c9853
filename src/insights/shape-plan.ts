import type { QueryPlan } from './compile-query.js';

/**
 * Which parts of a query the shaped fast path may evaluate once per shape instead of once per
 * record. A shape is a family of records whose message JSON holds the same values under `fields`
 * (the feed groups records by the raw bytes of those fields, shape-table.ts); everything that reads
 * only those fields gives the same answer for every record of the family. Reading @timestamp is
 * allowed where the run evaluates it per record (stats keys and aggregates, the top-k order); any
 * other system field (@message, @log, ...) is not, and neither is a stage after one that is not.
 */
export interface ShapePlan {
  /** Message fields the memoised parts read: the feed must give every record of a shape equal values here. */
  fields: string[];
  /** Streaming stages [0, prefix) are evaluated once per shape. */
  prefix: number;
  /**
   * The stats may take shaped rows: the whole stream is memoised; keys at `timeKeys` read @timestamp,
   * and so do the aggregates when `timeAggregates`.
   */
  stats: { timeKeys: number[]; timeAggregates: boolean } | undefined;
  /**
   * Raw rows may wait as cheap stubs until the end (or until dropped by the top-k order): the stages
   * after the prefix drop nothing, and the order the run keeps reads only shape fields and @timestamp.
   */
  deferRows: boolean;
}

/** Fields of the record itself (field-resolver.ts); any other name, `@`-prefixed or not, is in the message. */
const SYSTEM_FIELDS = new Set(['@timestamp', '@message', '@logStream', '@log', '@ingestionTime', '@ptr']);

type ReadClass = 0 | 1 | 2;
/** Fixed by the shape. */
const SHAPE: ReadClass = 0;
/** Reads the record's @timestamp. */
const TIME: ReadClass = 1;
/** Reads anything else of the record, or a value made from it. */
const RECORD: ReadClass = 2;

/** Works out the shape plan of a compiled query. */
export function planShapes(plan: QueryPlan): ShapePlan {
  const created = new Map<string, ReadClass>();
  const fields = new Set<string>();
  const classOf = (names: Iterable<string>, collect: boolean): ReadClass => {
    let worst: ReadClass = SHAPE;
    for (const name of names) {
      let c: ReadClass = name === '@timestamp' ? TIME : SYSTEM_FIELDS.has(name) ? RECORD : SHAPE;
      // A created name is read from the row, but where the command left it unset the message's
      // own field of that name shows through (compile-expression.ts compileField): both count.
      const made = created.get(name);
      if (made !== undefined && made > c) c = made;
      if (c > worst) worst = c;
      if (collect && !SYSTEM_FIELDS.has(name)) fields.add(name);
    }
    return worst;
  };

  let prefix = 0;
  for (const stage of plan.streamReads) {
    if (stage.kind === 'parse' || classOf(stage.reads, false) !== SHAPE) break;
    classOf(stage.reads, true);
    for (const name of stage.defines) created.set(name, SHAPE);
    prefix++;
  }
  const rest = plan.streamReads.slice(prefix);
  for (const stage of rest) for (const name of stage.defines) created.set(name, RECORD);

  let stats: ShapePlan['stats'];
  if (plan.stats !== undefined && plan.statsReads !== undefined && rest.length === 0) {
    const keyClasses = plan.statsReads.keys.map((reads) => classOf(reads, false));
    const aggregatesClass = classOf(plan.statsReads.aggregates, false);
    if (keyClasses.every((c) => c !== RECORD) && aggregatesClass !== RECORD) {
      for (const reads of plan.statsReads.keys) classOf(reads, true);
      classOf(plan.statsReads.aggregates, true);
      stats = {
        timeKeys: keyClasses.flatMap((c, i) => (c === TIME ? [i] : [])),
        timeAggregates: aggregatesClass === TIME,
      };
    }
  }

  let deferRows = false;
  const order = plan.firstSortReads;
  if (plan.stats === undefined && rest.every((stage) => stage.kind !== 'filter')) {
    if (order === undefined) deferRows = true;
    else if (classOf(order, false) !== RECORD) {
      classOf(order, true);
      deferRows = true;
    }
  }
  return { fields: [...fields], prefix, stats, deferRows };
}
