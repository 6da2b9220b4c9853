import v8 from 'node:v8';
import { describe, expect, it } from 'vitest';
import { emptyGeneric, mapGeneric } from '../../src/insights/generic-array.js';

// V8's own test hook tells whether two objects share a hidden class (map). Parsing `%` calls needs
// the flag at the time the function below is compiled; it changes nothing else in this test file.
v8.setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (
  a: unknown,
  b: unknown,
) => boolean;

describe('mapGeneric', () => {
  it('maps like Array.prototype.map', () => {
    expect(mapGeneric([1, 2, 3], (n) => n * 2)).toEqual([2, 4, 6]);
    expect(mapGeneric(['a', 'b'], (s) => s.toUpperCase())).toEqual(['A', 'B']);
    expect(mapGeneric([], (n: number) => n)).toEqual([]);
    expect(mapGeneric([undefined, null], (v) => v)).toEqual([undefined, null]);
  });

  it('gives arrays of small integers, doubles and strings one hidden class', () => {
    // The check is meaningful: plain map() gives them three.
    const ints = [1, 2].map((n) => n);
    const doubles = [1, 2].map((n) => n + 0.5);
    const texts = [1, 2].map(String);
    expect(haveSameMap(ints, texts)).toBe(false);
    expect(haveSameMap(ints, doubles)).toBe(false);

    const a = mapGeneric<number, unknown>([1, 2], (n) => n);
    const b = mapGeneric([1, 2], (n) => n + 0.5);
    const c = mapGeneric<number, unknown>([1, 2], String);
    expect(haveSameMap(a, b)).toBe(true);
    expect(haveSameMap(a, c)).toBe(true);
    // and keeps it when a slot is overwritten with another kind of value (a time key's bin)
    c[0] = 1.7e12;
    a[1] = 'x';
    expect(haveSameMap(a, c)).toBe(true);
    expect(haveSameMap(c, c.slice())).toBe(true);
  });

  it('gives objects one hidden class however many there are (accumulators, one per aggregate)', () => {
    const objects = [{}, {}, {}];
    expect(
      haveSameMap(
        mapGeneric(objects, (o) => o),
        mapGeneric(objects.slice(1), (o) => o),
      ),
    ).toBe(true);
    expect(
      haveSameMap(
        mapGeneric(objects, (o) => o),
        mapGeneric([1], (n) => n),
      ),
    ).toBe(true);
  });
});

describe('emptyGeneric', () => {
  it('keeps one hidden class from empty to filled, where [] changes at its first object', () => {
    const empty = emptyGeneric<object>();
    const filled = emptyGeneric<object>();
    filled.push({}, {});
    expect(empty).toEqual([]);
    expect(filled).toHaveLength(2);
    expect(haveSameMap(empty, filled)).toBe(true);
    expect(
      haveSameMap(
        empty,
        mapGeneric([1], (n) => n),
      ),
    ).toBe(true);
    // The check is meaningful: a literal [] is not the same before and after.
    const literal: object[] = [];
    const pushed: object[] = [];
    pushed.push({});
    expect(haveSameMap(literal, pushed)).toBe(false);
  });
});
