import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, type LogRecord, type QueryRun } from '../../src/insights/index.js';

/**
 * Worker threads each run a query over a slice of the records and the main thread merges their saved
 * runs in order. Whenever merge() says it is exact, the result must be the one a single run fed
 * every record gives: same rows, same order, same recordsMatched.
 */
const VALUES = ['get', 'create', 'alice', 'bob', 'true', '10', '9', '1.5', 'x'];
const value = fc.oneof(
  fc.constantFrom(...VALUES),
  fc.constantFrom(0, -0, 1, 2, 10, 1.5, 0.1, 2 ** 53, true, false),
  fc.constant(undefined),
);
const recordArb = fc
  .tuple(fc.record({ a: value, b: value, n: value }, { requiredKeys: [] }), fc.integer({ min: 0, max: 20 }))
  .map(([e, t]): LogRecord => ({
    timestamp: 1_718_334_000_000 + t * 60_000,
    message: JSON.stringify(e),
    logStream: 's',
    log: 'l',
  }));
const agg = fc.constantFrom(
  'count(*)',
  'count(n)',
  'count_distinct(n)',
  'sum(n)',
  'avg(n)',
  'min(n)',
  'max(n)',
  'sortsfirst(n)',
  'sortslast(n)',
  'earliest(n)',
  'latest(n)',
  'pct(n, 50)',
);
const query = fc.oneof(
  fc
    .tuple(
      fc.array(agg, { minLength: 1, maxLength: 3 }),
      fc.constantFrom('', ' by a', ' by a, b', ' by bin(5m)', ' by b, bin(10m), a'),
    )
    .map(([items, by]) => `stats ${items.map((item, i) => `${item} as x${i}`).join(', ')}${by}`),
  fc.constantFrom(
    'fields a, b',
    'fields a, n | sort n asc | limit 3',
    'sort a desc | limit 2',
    'filter ispresent(a) | fields @timestamp, a | limit 5',
    'fields a | dedup a',
    'stats count(*) as c by a | sort c desc',
  ),
);

/** Runs `q` over the records cut into consecutive slices, merging structured-cloned partials. */
function runSliced(
  q: string,
  records: LogRecord[],
  cuts: number[],
  limit: number,
): { result: unknown; exact: boolean } {
  const compiled = compileQuery(q);
  const merged: QueryRun = compiled.createRun({ limit });
  let start = 0;
  let exact = true;
  for (const cut of [...cuts, records.length]) {
    const part = compiled.createRun({ limit });
    for (const r of records.slice(start, Math.max(start, cut))) part.add({ ...r });
    start = Math.max(start, cut);
    const saved = part.save();
    if (saved === undefined || !merged.merge(structuredClone(saved))) exact = false;
  }
  return { result: merged.finish(), exact };
}

describe('saved runs merged in order', () => {
  it('give the single run result whenever merge says it is exact', () => {
    let exact = 0;
    fc.assert(
      fc.property(
        query,
        fc.array(recordArb, { maxLength: 30 }),
        fc.array(fc.nat(30), { maxLength: 3 }),
        fc.constantFrom(2, 10_000),
        (q, records, cuts, limit) => {
          const single = compileQuery(q).createRun({ limit });
          for (const r of records) single.add({ ...r });
          const sliced = runSliced(
            q,
            records,
            cuts.sort((x, y) => x - y),
            limit,
          );
          if (!sliced.exact) return;
          exact++;
          expect(sliced.result, q).toEqual(single.finish());
        },
      ),
      { numRuns: 3000 },
    );
    expect(exact).toBeGreaterThan(2000);
  });

  it('refuses a float sum and min/max over values without one order', () => {
    const records = [{ n: 0.1 }, { n: 0.2 }, { n: 0.3 }].map((e, i): LogRecord => ({
      timestamp: i,
      message: JSON.stringify(e),
      logStream: 's',
      log: 'l',
    }));
    expect(runSliced('stats sum(n) as s', records, [1], 10).exact).toBe(false);
    expect(
      runSliced(
        'stats sum(n) as s',
        records.slice(0, 1).map((r) => ({ ...r, message: '{"n":3}' })),
        [0],
        10,
      ).exact,
    ).toBe(true);
    const mixed = [{ n: 'x' }, { n: 5 }, { n: '10' }].map((e, i): LogRecord => ({
      timestamp: i,
      message: JSON.stringify(e),
      logStream: 's',
      log: 'l',
    }));
    expect(runSliced('stats max(n) as m', mixed, [1], 10).exact).toBe(false);
  });
});
