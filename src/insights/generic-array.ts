/**
 * `items.map(f)`, but the result always has V8's generic element kind, whatever `f` returns.
 *
 * Why: V8 gives an array a hidden class by what its elements are (small integers, doubles, or
 * anything). The stats aggregator keeps an array of key values and one of aggregate inputs per
 * shape and per group, and each query's arrays held different kinds: the hot loop that reads them
 * saw a new hidden class whenever another query's array came by, threw its optimised code away and
 * compiled it again. A 1 GiB run compiled `addShaped` 14 times (284 ms of compile time on one thread).
 * Arrays made here all share one hidden class, so those reads stay monomorphic.
 */
export function mapGeneric<T, U>(items: readonly T[], f: (item: T) => U): U[] {
  // new Array(n) has holes of small integers; filling it with undefined moves it to the generic
  // kind, which later stores of numbers or strings keep.
  const out = new Array<U>(items.length).fill(undefined as U);
  for (let i = 0; i < items.length; i++) out[i] = f(items[i] as T);
  return out;
}

/**
 * An empty array of the generic element kind, for arrays that start empty and fill up later in a hot
 * loop shared by several owners: `[]` starts as small integers and changes hidden class at its first
 * object, so owners that had and had not pushed yet gave the loop two hidden classes.
 */
export function emptyGeneric<T>(): T[] {
  const out = new Array<T>(1).fill(undefined as T);
  out.length = 0;
  return out;
}
