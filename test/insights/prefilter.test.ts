import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, type LogRecord } from '../../src/insights/index.js';

/**
 * mightMatch(raw) must be exactly conservative: it may say true for a record that does not match,
 * never false for one that does. Random records and random filters compare runs with and without it.
 */
const WORDS = [
  'get',
  'create',
  'alice',
  'a/b',
  'x y',
  'kube-system',
  '500',
  '5e2',
  '500.0',
  ' 500',
  'true',
  'a"b',
  'é',
  'GET',
  '',
];
const value = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.constantFrom(500, 5e2, 1.5, 0, -1, true, false, null),
  fc.string({ maxLength: 6 }),
);
const FIELDS = ['verb', 'user.username', 'code', 'a.b', 'list.0'];
const event = fc.record(
  {
    verb: value,
    user: fc.record({ username: value }, { requiredKeys: [] }),
    code: value,
    'a.b': value,
    list: fc.array(value, { maxLength: 2 }),
  },
  { requiredKeys: [] },
);
const recordArb = fc
  .tuple(event, fc.boolean(), fc.integer({ min: 0, max: 1000 }))
  .map(([e, plain, t]): LogRecord => ({
    timestamp: 1_718_334_000_000 + t,
    // Some messages are plain text that merely contains the words.
    message: plain ? `verb=${String(e.verb)} user=${JSON.stringify(e.user ?? '')}` : JSON.stringify(e),
    logStream: 's',
    log: 'l',
  }));

const literal = fc.oneof(
  fc.constantFrom(...WORDS).map((w) => JSON.stringify(w)),
  fc.constantFrom('500', '1.5', '0'),
);
const field = fc.constantFrom(...FIELDS, '@message', '@logStream');
const atom = fc.oneof(
  fc.tuple(field, fc.constantFrom('=', '!=', '>='), literal).map(([f, op, l]) => `${f} ${op} ${l}`),
  fc
    .tuple(field, fc.constantFrom('like', 'not like'), fc.constantFrom(...WORDS))
    .map(([f, op, w]) => `${f} ${op} ${JSON.stringify(w)}`),
  fc
    .tuple(field, fc.array(literal, { minLength: 1, maxLength: 3 }), fc.boolean())
    .map(([f, ls, not]) => `${f} ${not ? 'not in' : 'in'} [${ls.join(', ')}]`),
  fc
    .tuple(field, fc.constantFrom('/get/', '/^cre/', '/(?i)get/', '/a\\/b/', '/500/'))
    .map(([f, r]) => `${f} like ${r}`),
  field.map((f) => `ispresent(${f})`),
);
const condition: fc.Arbitrary<string> = fc.letrec((tie) => ({
  cond: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atom,
    fc
      .tuple(tie('cond'), fc.constantFrom('and', 'or'), tie('cond'))
      .map(([a, op, b]) => `(${String(a)}) ${op} (${String(b)})`),
    tie('cond').map((c) => `not (${String(c)})`),
  ),
})).cond as fc.Arbitrary<string>;
const prefix = fc.constantFrom(
  '',
  'fields tolower(verb) as verb | ',
  'parse @message "verb=* " as verb | ',
  'fields "create" as code | ',
);
const suffix = fc.constantFrom(
  '| fields verb, code',
  '| stats count(*) as n by verb',
  '| sort code asc | limit 3',
  '| limit 2 | filter verb = "get"',
  '| dedup verb',
);
const query = fc
  .tuple(prefix, fc.array(condition, { minLength: 1, maxLength: 2 }), suffix)
  .map(([p, cs, s]) => `${p}${cs.map((c) => `filter ${c}`).join(' | ')} ${s}`);

describe('mightMatch', () => {
  it('never rejects a record that matches, and never changes a result', () => {
    let rejected = 0;
    fc.assert(
      fc.property(query, fc.array(recordArb, { maxLength: 12 }), (q, records) => {
        const compiled = compileQuery(q);
        const all = compiled.createRun();
        const filtered = compiled.createRun();
        for (const r of records) {
          all.add({ ...r });
          if (compiled.mightMatch(r.message)) filtered.add({ ...r });
          else {
            rejected++;
            // A rejected record alone must not match.
            const alone = compiled.createRun();
            alone.add({ ...r });
            expect(alone.finish().recordsMatched, `${q} rejected ${r.message}`).toBe(0);
          }
        }
        expect(filtered.finish()).toEqual(all.finish());
      }),
      { numRuns: 3000 },
    );
    // The prefilter did reject records, so the property was exercised.
    expect(rejected).toBeGreaterThan(500);
  });

  it('does reject records for the literal shapes it knows', () => {
    const cases: [string, string, boolean][] = [
      ['filter @message like "space exceeded"', '{"m":"database space exceeded"}', true],
      ['filter @message like "space exceeded"', '{"m":"ok"}', false],
      ['filter @message like /mvcc: database space exceeded/', '{"m":"ok"}', false],
      [
        'filter verb = "create" and user.username = "alice"',
        '{"verb":"create","user":{"username":"bob"}}',
        false,
      ],
      ['filter verb in ["create", "patch"]', '{"verb":"get"}', false],
      ['filter verb in ["create", "patch"]', '{"verb":"patch"}', true],
      ['filter verb like "eat"', '{"verb":"get"}', false],
      ['filter verb = "get" or verb = "list"', '{"verb":"watch"}', false],
      // Not provable from the raw line: always true.
      ['filter code = 500', '{"code":5e2}', true],
      ['filter code = "500"', '{"code":5e2}', true],
      ['filter verb != "get"', '{"x":1}', true],
      ['filter @logStream = "s"', '{"x":1}', true],
      ['fields "create" as verb | filter verb = "create"', '{"x":1}', true],
      ['filter verb like /(?i)GET/', '{"verb":"get"}', true],
      ['limit 1 | filter verb = "get"', '{"verb":"list"}', true],
    ];
    for (const [q, raw, expected] of cases)
      expect(compileQuery(q).mightMatch(raw), `${q} on ${raw}`).toBe(expected);
  });
});
