import type { LogRecord } from './record.js';
import type { Value, ValueKind } from './value-format.js';

/**
 * One row flowing through the pipeline: a log record plus the fields that `fields ... as`, `parse`
 * and `stats` created. After `stats` there is no record, only values.
 */
export interface Row {
  record: LogRecord | null;
  values: Map<string, Value> | null;
}

/** Reads one value of a row. Compiled once per query, called per record. */
export type Getter = (row: Row) => Value;

/** A compiled expression: how to read it and how its column prints. */
export interface CompiledExpr {
  get: Getter;
  kind: ValueKind;
}

/** Which names exist at a point in the pipeline, and how each prints. */
export interface Scope {
  /** True after `stats`: rows have no record, only the names in `derived`. */
  afterStats: boolean;
  /** Names created by earlier fields/parse/stats commands, with their kind. */
  derived: Map<string, ValueKind>;
}

/**
 * Whether @timestamp in `scope` is the record's own time: no earlier command made a value of that
 * name, and stats has not replaced the records. Only then may a record's time stand for it.
 */
export function isOwnTime(scope: Scope): boolean {
  return !scope.afterStats && !scope.derived.has('@timestamp');
}
