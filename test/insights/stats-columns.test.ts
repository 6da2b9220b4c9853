import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery as compilePlan } from '../../src/insights/compile-query.js';
import { parseQuery } from '../../src/insights/parser.js';
import type { Row } from '../../src/insights/row.js';
import { StatsAggregator, type StatsPlan } from '../../src/insights/stats-aggregator.js';
import type { Value } from '../../src/insights/value-format.js';

/**
 * QueryRun.finish reads a stats row's columns straight off its group (StatsAggregator.columnSources
 * and eachGroup) when every column is a key or an item that is one aggregate alone. Those values must
 * be the ones eachRow()'s rows give under the same names, group by group, in the same order.
 */
const VALUES = ['get', 'create', 'alice', 'bob', 200, 500, 1.5, true, null];
const event = fc.record(
  {
    verb: fc.constantFrom(...VALUES),
    user: fc.record({ username: fc.constantFrom(...VALUES) }, { requiredKeys: [] }),
    code: fc.constantFrom(...VALUES),
  },
  { requiredKeys: [] },
);
const records = fc.array(fc.tuple(event, fc.integer({ min: 0, max: 600_000 })), { maxLength: 50 });

const aggregate = fc.constantFrom(
  'count(*)',
  'count(code)',
  'sum(code)',
  'avg(code)',
  'min(verb)',
  'max(code)',
  'count_distinct(verb)',
  'earliest(verb)',
  'pct(code, 50)',
);
const item = fc.oneof(
  fc.tuple(aggregate, fc.constantFrom('n', 'm', 'verb', 'x')).map(([a, name]) => `${a} as ${name}`),
  aggregate,
  // Not one aggregate alone: the whole query takes eachRow's way.
  fc.constantFrom('sum(code) / count(*) as ratio', 'count(*) + 1 as next'),
);
const query = fc
  .tuple(
    fc.array(item, { minLength: 1, maxLength: 4 }),
    fc.subarray(['verb', 'user.username', 'bin(1m)', 'code'], { minLength: 0 }),
    fc.option(fc.subarray(['n', 'm', 'verb', 'x', 'ratio', 'code', 'count(*)'], { minLength: 1 })),
  )
  .map(
    ([items, keys, display]) =>
      `stats ${items.join(', ')}${keys.length > 0 ? ` by ${keys.join(', ')}` : ''}` +
      (display === null ? '' : ` | display ${display.join(', ')}`),
  );

function run(q: string, input: [unknown, number][]): { aggregator: StatsAggregator; names: string[] } {
  const plan = compilePlan(parseQuery(q), q);
  const aggregator = new StatsAggregator(plan.stats as StatsPlan);
  for (const [event, timestamp] of input) {
    const message = JSON.stringify(event);
    aggregator.add({
      record: { timestamp: 1_718_334_000_000 + timestamp, message, logStream: 's', log: 'l' },
      values: null,
    });
  }
  return { aggregator, names: plan.output.map((column) => column.name) };
}

describe('stats columns read off the groups', () => {
  it('are the values eachRow() gives under the same names', () => {
    let direct = 0;
    fc.assert(
      fc.property(query, records, (q, input) => {
        let parsed;
        try {
          parsed = run(q, input);
        } catch {
          return; // a query the language refuses (e.g. display of a name stats did not make)
        }
        const { aggregator, names } = parsed;
        const sources = aggregator.columnSources(names);
        if (sources === undefined) return;
        direct++;
        const expected: Value[][] = [];
        aggregator.eachRow((row: Row) => {
          expected.push(names.map((name) => row.values?.get(name)));
          return true;
        });
        const actual: Value[][] = [];
        aggregator.eachGroup((keyValues, accumulators) => {
          actual.push(
            sources.map((source) =>
              source.key === undefined ? accumulators[source.slot]?.result() : keyValues[source.key],
            ),
          );
          return true;
        });
        expect(actual, q).toEqual(expected);
      }),
      { numRuns: 800 },
    );
    // The property must have been tried on the direct way, not only skipped.
    expect(direct).toBeGreaterThan(40);
  });

  it('leave expressions over aggregates, and names stats did not make, to eachRow()', () => {
    const sourcesOf = (q: string): unknown => {
      const { aggregator, names } = run(q, []);
      return aggregator.columnSources(names);
    };
    expect(sourcesOf('stats count(*) as n by verb')).toEqual([{ key: 0 }, { slot: 0 }]);
    expect(sourcesOf('stats count(*) as n, sum(code) / count(*) as r by verb')).toBeUndefined();
    // An item named like a key hides it (one column), as eachRow() sets the items after the keys.
    expect(sourcesOf('stats count(*) as verb by verb')).toEqual([{ slot: 0 }]);
  });
});
