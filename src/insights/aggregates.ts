import type { Expr } from './ast.js';
import type { CompiledExpr, Getter, Row } from './row.js';
import { naturalCompare } from './sort-order.js';
import { compareValues, detach, toNumber, toText, type Value, type ValueKind } from './value-format.js';

/**
 * Aggregate functions of `stats` (docs CWL_QuerySyntax-Stats.html). One accumulator per group per
 * aggregate; values that are absent never count (count(field) counts present values only).
 */
export interface Accumulator {
  add(row: Row): void;
  /**
   * add(row) given `input`, what the spec's input(row) read from it: rows whose values a shape fixes
   * read it once per shape (stats-aggregator.ts addShaped). `row` still gives the record's time.
   */
  addInput(input: unknown, row: Row): void;
  result(): Value;
  /**
   * Appends the state as plain data (it crosses worker threads) to `parts`, as the spec's
   * `stateParts` values; false, appending nothing, when merging it could give a different result
   * than one accumulator fed every row in order (a float sum, min/max over values that do not order
   * consistently). Flat: a worker's tens of thousands of groups cross to the main thread as one
   * array of parts rather than one small array per accumulator.
   */
  saveTo(parts: unknown[]): boolean;
  /**
   * Folds in the state saveTo() appended at parts[at, at + stateParts) by an accumulator fed the rows
   * that come AFTER this one's; false when the merged result might differ from feeding the rows in
   * order (then discard this accumulator).
   */
  mergeFrom(parts: readonly unknown[], at: number): boolean;
}

/** A compiled aggregate: a factory of fresh accumulators plus the result's column kind. */
export interface AggregateSpec {
  create(): Accumulator;
  /** How many values an accumulator's saveTo() appends. */
  stateParts: number;
  kind: ValueKind;
  /** What an accumulator's add() reads from a row's values, for addInput(); never @timestamp. */
  input(row: Row): unknown;
}

/** Names of aggregate functions, lower case. */
export const AGGREGATE_FUNCTIONS: ReadonlySet<string> = new Set([
  'count',
  'count_distinct',
  'sum',
  'avg',
  'min',
  'max',
  'pct',
  'earliest',
  'latest',
  'sortsfirst',
  'sortslast',
]);

const timestampOf = (row: Row): number | undefined => row.record?.timestamp;

/**
 * Builds an aggregate from its (already compiled) argument. `arg` is undefined for count(*).
 * Returns a string describing a bad argument.
 */
export function buildAggregate(
  name: string,
  arg: CompiledExpr | undefined,
  extra: Expr[],
): AggregateSpec | string {
  const g: Getter | undefined = arg?.get;
  const argKind: ValueKind = arg?.kind ?? 'plain';
  const value = (row: Row): Value => (g as Getter)(row);
  const number = (row: Row): number | undefined => toNumber((g as Getter)(row));
  switch (name) {
    case 'count':
      if (g === undefined)
        return { kind: 'plain', stateParts: 1, create: () => new CountAll(), input: () => true };
      return {
        kind: 'plain',
        stateParts: 1,
        create: () => new CountAll(g),
        input: (row) => g(row) !== undefined,
      };
    case 'count_distinct':
      // CloudWatch approximates at high cardinality; we count exactly.
      return g
        ? { kind: 'plain', stateParts: 1, create: () => new CountDistinct(g), input: (row) => toText(g(row)) }
        : 'count_distinct needs a field';
    case 'sum':
      return g
        ? { kind: 'plain', stateParts: 2, create: () => new Sum(g, false), input: number }
        : 'sum needs a field';
    case 'avg':
      return g
        ? { kind: 'plain', stateParts: 2, create: () => new Sum(g, true), input: number }
        : 'avg needs a field';
    case 'min':
    case 'max':
      return g
        ? {
            kind: argKind,
            stateParts: 1,
            create: () => new Extreme(g, name === 'max' ? 1 : -1, false),
            input: value,
          }
        : `${name} needs a field`;
    case 'sortsfirst':
    case 'sortslast':
      return g
        ? {
            kind: argKind,
            stateParts: 1,
            create: () => new Extreme(g, name === 'sortslast' ? 1 : -1, true),
            input: value,
          }
        : `${name} needs a field`;
    case 'earliest':
    case 'latest':
      return g
        ? { kind: argKind, stateParts: 1, create: () => new ByTime(g, name === 'latest'), input: value }
        : `${name} needs a field`;
    case 'pct': {
      const p = extra[0];
      if (!g || p?.kind !== 'number' || p.value < 0 || p.value > 100)
        return 'pct needs a field and a percentile between 0 and 100, e.g. pct(latency, 99)';
      const percentile = p.value;
      return { kind: argKind, stateParts: 1, create: () => new Percentile(g, percentile), input: number };
    }
    default:
      return `unknown aggregate ${name}`;
  }
}

/** count(*) (no getter) and count(field): rows with the field present. */
class CountAll implements Accumulator {
  private n = 0;
  constructor(private readonly g?: Getter) {}
  add(row: Row): void {
    if (this.g === undefined || this.g(row) !== undefined) this.n++;
  }
  addInput(present: unknown): void {
    if (present === true) this.n++;
  }
  result(): Value {
    return this.n;
  }
  saveTo(parts: unknown[]): boolean {
    parts.push(this.n);
    return true;
  }
  mergeFrom(parts: readonly unknown[], at: number): boolean {
    this.n += parts[at] as number;
    return true;
  }
}

class CountDistinct implements Accumulator {
  private readonly seen = new Set<string>();
  constructor(private readonly g: Getter) {}
  add(row: Row): void {
    this.addInput(toText(this.g(row)));
  }
  addInput(text: unknown): void {
    const t = text as string | undefined;
    if (t !== undefined && !this.seen.has(t)) this.seen.add(detach(t) as string);
  }
  result(): Value {
    return this.seen.size;
  }
  saveTo(parts: unknown[]): boolean {
    parts.push([...this.seen]);
    return true;
  }
  mergeFrom(parts: readonly unknown[], at: number): boolean {
    for (const t of parts[at] as string[]) this.seen.add(t);
    return true;
  }
}

/** sum and avg over numeric values (numeric strings count; other values are ignored). */
class Sum implements Accumulator {
  private total = 0;
  private n = 0;
  /** Every value and every running total so far was an integer a double holds exactly. */
  private integral = true;
  constructor(
    private readonly g: Getter,
    private readonly average: boolean,
  ) {}
  add(row: Row): void {
    this.addInput(toNumber(this.g(row)));
  }
  addInput(number: unknown): void {
    const x = number as number | undefined;
    if (x !== undefined) {
      this.total += x;
      this.n++;
      if (this.integral && !(Number.isInteger(x) && Number.isSafeInteger(this.total))) this.integral = false;
    }
  }
  result(): Value {
    if (this.n === 0) return undefined;
    const r = this.average ? this.total / this.n : this.total;
    return Number.isFinite(r) ? r : undefined;
  }
  saveTo(parts: unknown[]): boolean {
    // Float addition is not associative: partial sums add up to the running sum's exact value only
    // when every addition on both sides was exact, i.e. integers within 2^53.
    if (!this.integral) return false;
    parts.push(this.total, this.n);
    return true;
  }
  mergeFrom(parts: readonly unknown[], at: number): boolean {
    this.total += parts[at] as number;
    this.n += parts[at + 1] as number;
    if (!Number.isSafeInteger(this.total)) this.integral = false;
    return this.integral;
  }
}

/** min/max compare numerically when both sides are numbers, else as text; sortsFirst/Last by text. */
class Extreme implements Accumulator {
  private best: Value;
  /** Two values compared without an order of their own (number vs text): merging might differ. */
  private mixed = false;
  constructor(
    private readonly g: Getter,
    private readonly sign: 1 | -1,
    private readonly byText: boolean,
  ) {}
  add(row: Row): void {
    this.addInput(this.g(row));
  }
  addInput(value: unknown): void {
    const v = value as Value;
    if (v === undefined) return;
    if (this.best === undefined) {
      this.best = detach(v);
      return;
    }
    this.offer(v);
  }
  private offer(v: Value): void {
    if (this.best === undefined) {
      this.best = v;
      return;
    }
    let c: number;
    if (this.byText) c = textCompare(v, this.best);
    else {
      const numeric = compareValues(v, this.best);
      if (numeric === undefined) this.mixed = true;
      c = numeric ?? naturalCompare(v, this.best);
    }
    if (c * this.sign > 0) this.best = detach(v);
  }
  result(): Value {
    return this.best;
  }
  saveTo(parts: unknown[]): boolean {
    if (this.mixed) return false;
    parts.push(this.best);
    return true;
  }
  mergeFrom(parts: readonly unknown[], at: number): boolean {
    const best = parts[at] as Value;
    if (best !== undefined) this.offer(best);
    return !this.mixed;
  }
}

function textCompare(a: Value, b: Value): number {
  const ta = toText(a) ?? '';
  const tb = toText(b) ?? '';
  return ta < tb ? -1 : ta > tb ? 1 : 0;
}

/**
 * earliest/latest: the value from the record with the smallest/largest @timestamp. On equal
 * timestamps earliest keeps the first record added and latest the last one.
 */
class ByTime implements Accumulator {
  private ts = 0;
  private value: Value;
  private has = false;
  constructor(
    private readonly g: Getter,
    private readonly latest: boolean,
  ) {}
  add(row: Row): void {
    this.addInput(this.g(row), row);
  }
  addInput(value: unknown, row: Row): void {
    const t = timestampOf(row);
    if (t === undefined) return;
    const v = value as Value;
    if (v === undefined) return;
    if (!this.has || (this.latest ? t >= this.ts : t < this.ts)) {
      this.ts = t;
      this.value = detach(v);
      this.has = true;
    }
  }
  result(): Value {
    return this.value;
  }
  saveTo(parts: unknown[]): boolean {
    parts.push(this.has ? { ts: this.ts, value: this.value } : null);
    return true;
  }
  mergeFrom(parts: readonly unknown[], at: number): boolean {
    const state = parts[at];
    if (state === null) return true;
    const { ts, value } = state as { ts: number; value: Value };
    // The same rule as add(): later rows win ties for latest, earlier ones for earliest.
    if (!this.has || (this.latest ? ts >= this.ts : ts < this.ts)) {
      this.ts = ts;
      this.value = value;
      this.has = true;
    }
    return true;
  }
}

/** pct(f, p): nearest-rank percentile over numeric values (CloudWatch's is approximate). */
class Percentile implements Accumulator {
  private readonly values: number[] = [];
  constructor(
    private readonly g: Getter,
    private readonly p: number,
  ) {}
  add(row: Row): void {
    this.addInput(toNumber(this.g(row)));
  }
  addInput(number: unknown): void {
    const x = number as number | undefined;
    if (x !== undefined) this.values.push(x);
  }
  result(): Value {
    const n = this.values.length;
    if (n === 0) return undefined;
    const sorted = Float64Array.from(this.values).sort();
    const rank = Math.min(n, Math.max(1, Math.ceil((this.p / 100) * n)));
    return sorted[rank - 1];
  }
  saveTo(parts: unknown[]): boolean {
    parts.push(this.values);
    return true;
  }
  mergeFrom(parts: readonly unknown[], at: number): boolean {
    for (const x of parts[at] as number[]) this.values.push(x);
    return true;
  }
}
