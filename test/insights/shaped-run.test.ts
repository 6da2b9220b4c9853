import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, type LogRecord } from '../../src/insights/index.js';
import { planShapes } from '../../src/insights/shape-plan.js';
import { compileQuery as compilePlan } from '../../src/insights/compile-query.js';
import { parseQuery } from '../../src/insights/parser.js';
import { shapeByValues } from '../support/shaped-records.js';

/**
 * QueryRun.addShaped (each shape's memoised stages evaluated once, stats groups cached per shape,
 * raw rows kept as stubs until they make the top k) against add() on the same records: the results
 * must be identical. Values come from small sets so that shapes repeat, as they do in an incident.
 */
const VALUES = ['get', 'create', 'delete', 'alice', 'kube-system', 'ResponseComplete', 'RequestReceived'];
const fieldValue = fc.oneof(
  fc.constantFrom(...VALUES),
  fc.constantFrom(200, 201, 429, 500, 1.5, true),
  fc.constant(null),
);
const event = fc.record(
  {
    stage: fc.constantFrom('ResponseComplete', 'RequestReceived'),
    verb: fieldValue,
    user: fc.oneof(fc.record({ username: fieldValue }, { requiredKeys: [] }), fieldValue),
    objectRef: fc.record({ resource: fieldValue, namespace: fieldValue }, { requiredKeys: [] }),
    responseStatus: fc.record({ code: fieldValue, message: fieldValue }, { requiredKeys: [] }),
    requestURI: fc.string({ maxLength: 6 }),
  },
  { requiredKeys: [] },
);
/** Records in a rough time order with ties and steps back, as merged streams give. */
const records = (min: number, max: number): fc.Arbitrary<LogRecord[]> =>
  fc
    .array(fc.tuple(event, fc.integer({ min: -2, max: 5 }), fc.nat(30)), {
      minLength: min,
      maxLength: max,
      size: 'max',
    })
    .map((items) => {
      let t = 1_718_334_000_000;
      return items.map(([e, step, cut]) => {
        t += step * 20_000;
        const text = JSON.stringify(e);
        return {
          timestamp: t,
          message: cut === 0 ? text.slice(0, Math.max(1, text.length - 5)) : text,
          logStream: 's',
          log: 'l',
        };
      });
    });
const field = fc.constantFrom(
  'verb',
  'user.username',
  'user',
  'objectRef.resource',
  'responseStatus.code',
  'responseStatus.message',
  'stage',
  'requestURI',
);
const condition = fc.oneof(
  fc.tuple(field, fc.constantFrom(...VALUES)).map(([f, v]) => `${f} = "${v}"`),
  fc.tuple(field, fc.constantFrom('500', '201')).map(([f, v]) => `${f} >= ${v}`),
  field.map((f) => `ispresent(${f})`),
  field.map((f) => `not ispresent(${f}) or ${f} like "e"`),
  fc.constant('@timestamp > 1718334100000'),
  fc.constant('@message like "kube"'),
);
const tail = fc.oneof(
  fc
    .tuple(field, field)
    .map(
      ([a, b]) =>
        `stats count(*) as n, sum(${b}) as s, min(${b}) as lo, earliest(${a}) as e by ${a}, bin(1m)`,
    ),
  fc.tuple(field, field).map(([a, b]) => `stats count_distinct(${b}) as d, latest(${b}) as l by ${a}, ${b}`),
  fc.tuple(field).map(([a]) => `stats count(*) as n by bin(1m), datefloor(@timestamp, 2m), ${a}`),
  // No aggregate reads @timestamp: what they read is read once per shape (AggregateSpec.input).
  fc
    .tuple(field, field)
    .map(
      ([a, b]) =>
        `stats count(${b}) as c, count_distinct(${b}) as d, avg(${b}) as m, max(${b}) as hi, sortsfirst(${b}) as f, pct(${b}, 50) as p by bin(1m), ${a}`,
    ),
  field.map(
    (a) =>
      `fields strcontains("|create|delete|", concat("|", verb, "|")) as w | stats sum(w) as writes by ${a}`,
  ),
  fc
    .tuple(field, fc.constantFrom('asc', 'desc'), fc.integer({ min: 1, max: 3 }))
    .map(([a, dir, k]) => `fields @timestamp, ${a} as x, requestURI | sort @timestamp ${dir} | limit ${k}`),
  fc
    .tuple(field, fc.constantFrom('asc', 'desc'))
    .map(([a, dir]) => `sort ${a} ${dir}, @timestamp asc | limit 2`),
  fc.tuple(field).map(([a]) => `fields ${a} as y | filter ispresent(y) | sort @timestamp asc | limit 2`),
  fc
    .tuple(field)
    .map(
      ([a]) => `parse @message /"verb":"(?<v>[a-z]+)"/ | sort @timestamp desc | limit 3 | display v, ${a}`,
    ),
  fc.constant('fields @timestamp as t | stats count(*) by t'),
  fc.constant('stats count(*) as n by @logStream, verb'),
  fc.constant('dedup verb | limit 5'),
);
const query = fc
  .tuple(fc.array(condition, { maxLength: 2 }), tail)
  .map(([cs, t]) => [...cs.map((c) => `filter ${c}`), t].join(' | '));

function bothWays(q: string, input: LogRecord[], limit?: number): [unknown, unknown] {
  const compiled = compileQuery(q);
  const options = limit === undefined ? {} : { limit };
  const plain = compiled.createRun(options);
  const shaped = compiled.createRun(options);
  const toShaped = shapeByValues(compiled);
  for (const r of input) {
    plain.add({ ...r });
    shaped.addShaped(toShaped(r));
  }
  return [shaped.finish(), plain.finish()];
}

describe('the shaped path of a run', () => {
  it('gives the same result as add() on random queries and records', () => {
    fc.assert(
      fc.property(query, records(0, 60), (q, input) => {
        const [shaped, plain] = bothWays(q, input);
        expect(shaped, q).toEqual(plain);
      }),
      { numRuns: 1500 },
    );
  });

  it('keeps the same top k through compactions (more rows than the top-k buffer)', () => {
    fc.assert(
      fc.property(query, records(1100, 2500), fc.integer({ min: 1, max: 5 }), (q, input, limit) => {
        const [shaped, plain] = bothWays(q, input, limit);
        expect(shaped, q).toEqual(plain);
      }),
      { numRuns: 40 },
    );
  });

  it('gives the same partials to merge as add() does', () => {
    fc.assert(
      fc.property(query, records(0, 80), fc.nat(80), (q, input, cut) => {
        const compiled = compileQuery(q);
        const toShaped = shapeByValues(compiled);
        const whole = compiled.createRun();
        const head = compiled.createRun();
        const rest = compiled.createRun();
        input.forEach((r, i) => {
          whole.add({ ...r });
          (i < cut ? head : rest).addShaped(toShaped(r));
        });
        const partial = rest.save();
        if (partial === undefined || !head.merge(partial)) return;
        expect(head.finish(), q).toEqual(whole.finish());
      }),
      { numRuns: 500 },
    );
  });
});

describe("the shaped path's top k by the record's time (rows judged by their times alone)", () => {
  it('keeps what add() keeps, ties and all, once a compaction has set the k-th row', () => {
    // Many rows (compactions start past 2k + 64 stubs), drawn from five times: ties everywhere.
    const input = fc.array(
      fc.tuple(
        fc.constantFrom('get', 'create', 'delete'),
        fc.integer({ min: 0, max: 4 }),
        fc.string({ maxLength: 4 }),
      ),
      { minLength: 150, maxLength: 400 },
    );
    fc.assert(
      fc.property(
        input,
        fc.constantFrom('asc', 'desc'),
        fc.integer({ min: 1, max: 3 }),
        fc.boolean(),
        (items, dir, k, made) => {
          const records: LogRecord[] = items.map(([verb, second, uri]) => ({
            timestamp: 1_718_334_000_000 + second * 1000,
            message: JSON.stringify({ verb, requestURI: uri }),
            logStream: 's',
            log: 'l',
          }));
          // A made @timestamp is not the record's: those rows are compared the general way.
          const q = made
            ? `fields requestURI as @timestamp, verb as x | sort @timestamp ${dir} | limit ${k}`
            : `fields @timestamp, verb as x, requestURI | sort @timestamp ${dir} | limit ${k}`;
          const [shaped, plain] = bothWays(q, records);
          expect(shaped, q).toEqual(plain);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe("the shaped path's bin window (a shape's rows inside its current bin skip bin())", () => {
  // Periods as bin() spells them, with their length in ms.
  const periods: [string, number][] = [
    ['1ms', 1],
    ['1s', 1000],
    ['5m', 300_000],
    ['1w', 604_800_000],
  ];
  // Around bin edges: the last whole ms of a bin, fractions of it, the next bin's first ms, before zero.
  const offsets = [0, 1, 0.5, -1, -0.5, -0.25, -0.0001, -1.5, 1e-9];
  const edgeTimes = (p: number): fc.Arbitrary<number[]> =>
    fc
      .array(
        fc.tuple(
          fc.oneof(
            fc.integer({ min: -5, max: 5 }),
            fc.integer({ min: 5_727_000, max: 5_728_000 }),
            // Bins whose end nears 2^53: the window must not be trusted there.
            fc.constantFrom(
              Math.floor(2 ** 53 / p) - 2,
              Math.floor(2 ** 53 / p) - 1,
              Math.floor(2 ** 53 / p),
            ),
          ),
          fc.constantFrom(...offsets),
        ),
        { minLength: 1, maxLength: 40 },
      )
      .map((pairs) => pairs.map(([k, offset]) => k * p + (offset < 0 ? p : 0) + offset));

  it('puts every time in the group bin() gives it, at the edges of fixed periods', () => {
    for (const [unit, ms] of periods) {
      fc.assert(
        fc.property(
          edgeTimes(ms),
          fc.array(fc.constantFrom('get', 'create'), { minLength: 40, maxLength: 40 }),
          (times, verbs) => {
            const input: LogRecord[] = times.map((timestamp, i) => ({
              timestamp,
              message: JSON.stringify({ verb: verbs[i] }),
              logStream: 's',
              log: 'l',
            }));
            const q = `stats count(*) as n by bin(${unit}), verb`;
            const [shaped, plain] = bothWays(q, input);
            expect(shaped, `${q} ${times.join(' ')}`).toEqual(plain);
          },
        ),
        { numRuns: 300 },
      );
    }
  });

  it('gives the groups add() gives when @timestamp is a value the query made', () => {
    const input: LogRecord[] = [0, 59_999, 60_000, 60_001, 119_999.5].map((timestamp) => ({
      timestamp,
      message: JSON.stringify({ verb: 'get', t: 1_000_000 }),
      logStream: 's',
      log: 'l',
    }));
    const [shaped, plain] = bothWays('fields t as @timestamp | stats count(*) as n by bin(1m)', input);
    expect(shaped).toEqual(plain);
  });
});

describe('the shape plan', () => {
  const plan = (q: string) => planShapes(compilePlan(parseQuery(q), q));

  it("memoises analyze's series and actors queries whole, keyed per time bin", () => {
    const series = plan(
      'filter not ispresent(stage) or stage = "ResponseComplete" | fields strcontains("|create|", concat("|", verb, "|")) as w | stats sum(w) as writes by bin(5m)',
    );
    expect(series.prefix).toBe(2);
    expect(series.stats).toEqual({ timeKeys: [0], timeAggregates: false });
    expect(new Set(series.fields)).toEqual(new Set(['stage', 'verb', 'w']));
    const actors = plan('stats count(*) by bin(5m), user.username, objectRef.namespace');
    expect(actors.stats).toEqual({ timeKeys: [0], timeAggregates: false });
    expect(new Set(actors.fields)).toEqual(new Set(['user.username', 'objectRef.namespace']));
  });

  it('says when the aggregates read @timestamp (then they cannot be read once per shape)', () => {
    expect(plan('stats max(@timestamp) by verb').stats).toEqual({ timeKeys: [], timeAggregates: true });
    expect(plan('stats latest(verb) by bin(1m)').stats).toEqual({ timeKeys: [0], timeAggregates: true });
    expect(plan('stats sum(code) as s, count_distinct(verb) by user').stats).toEqual({
      timeKeys: [],
      timeAggregates: false,
    });
  });

  it('stops at the first stage that reads the record itself', () => {
    const p = plan('filter verb = "create" | filter @message like "x" | filter stage = "y" | stats count(*)');
    expect(p.prefix).toBe(1);
    expect(p.stats).toBeUndefined();
    expect(plan('filter @timestamp > 5 | stats count(*)').prefix).toBe(0);
    expect(plan('fields @logStream as s | stats count(*) by s').stats).toBeUndefined();
    expect(plan('stats count(*) by @log').stats).toBeUndefined();
  });

  it('defers raw rows only when nothing after the prefix drops them and the order reads no record field', () => {
    expect(plan('filter verb = "x" | fields requestURI | sort @timestamp asc | limit 1').deferRows).toBe(
      true,
    );
    expect(plan('filter verb = "x" | sort @message asc | limit 1').deferRows).toBe(false);
    expect(plan('parse @message "a*b" as x | filter x = "1" | limit 3').deferRows).toBe(false);
    expect(plan('parse @message "a*b" as x | sort x asc | limit 3').deferRows).toBe(false);
    expect(plan('parse @message "a*b" as x | limit 3').deferRows).toBe(true);
  });
});
