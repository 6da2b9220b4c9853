import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QUERY_TOKENS } from '../support/query-tokens.js';
import { compileQuery, QueryError, runQuery, type LogRecord } from '../../src/insights/index.js';

/**
 * Any input string yields a result or a QueryError: never another exception, never a hang. Queries
 * are built from the language's own tokens glued at random (so many get deep into the parser and the
 * evaluator), plus raw random text.
 */
const TOKENS = QUERY_TOKENS;

const glued = fc
  .array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 25 })
  .chain((tokens) =>
    fc
      .array(fc.constantFrom(' ', ''), { minLength: tokens.length, maxLength: tokens.length })
      .map((seps) => tokens.map((t, i) => t + (seps[i] ?? '')).join('')),
  );

// Command-shaped segments get past the parser more often, so the evaluator is fuzzed too.
const OPERANDS = [
  'verb',
  'user.username',
  'responseStatus.code',
  '@timestamp',
  '@message',
  '"create"',
  '500',
  '1.5',
  'x',
];
const operand = fc.oneof(
  fc.constantFrom(...OPERANDS),
  fc.constantFrom(...OPERANDS).map((o) => `strlen(${o})`),
  fc.constantFrom(...OPERANDS).map((o) => `tolower(${o})`),
);
const pattern = fc.constantFrom('"a"', '/c.*e/', '/(?i)GET/', '/^\\d+$/');
const comparison = fc
  .tuple(
    operand,
    fc.constantFrom('=', '!=', '<', '>=', 'like', 'not like', '=~', 'in', '+', '*', '/'),
    operand,
    pattern,
  )
  .map(([a, op, b, p]) =>
    op === 'in'
      ? `${a} in [${b}]`
      : op.includes('like') || op === '=~'
        ? `${a} ${op} ${p}`
        : `${a} ${op} ${b}`,
  );
const segment = fc.oneof(
  comparison.map((c) => `filter ${c}`),
  fc.array(operand, { minLength: 1, maxLength: 3 }).map((fs) => `fields ${fs.join(', ')}`),
  fc
    .tuple(
      fc.constantFrom(
        'count(*)',
        'sum(responseStatus.code)',
        'avg(x)',
        'count_distinct(verb)',
        'pct(responseStatus.code, 50)',
        'earliest(verb)',
        'max(@timestamp)',
      ),
      fc.constantFrom('verb', 'bin(5m)', 'bin(1mo)', 'user.username, verb', ''),
    )
    .map(([a, by]) => `stats ${a} as n${by ? ` by ${by}` : ''}`),
  fc.constantFrom(
    'sort n desc',
    'sort verb asc, @timestamp',
    'limit 2',
    'dedup verb',
    'display verb',
    'parse @message "*=*" as a, b',
    'parse @message /(?<w>\\w+)/',
  ),
  glued,
);
const tokenQuery = fc.array(segment, { minLength: 1, maxLength: 5 }).map((segs) => segs.join(' | '));

const records: LogRecord[] = [
  {
    timestamp: Date.parse('2024-06-14T03:00:00Z'),
    message: JSON.stringify({
      verb: 'create',
      user: { username: 'alice' },
      responseStatus: { code: 500 },
      sourceIPs: ['10.0.0.1'],
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    }),
    logStream: 'kube-apiserver-audit-1',
    log: 'l',
  },
  {
    timestamp: Date.parse('2024-06-14T03:01:00Z'),
    message: 'user=bob verb=get *=*',
    logStream: 'kube-apiserver-audit-1',
    log: 'l',
  },
  {
    timestamp: Date.parse('2024-06-14T03:02:00Z'),
    message: `{"verb":"${'a'.repeat(3000)}"}`,
    logStream: 's',
    log: 'l',
  },
];

/** Runs a query; returns 'ok' or 'query-error', rethrows anything else. */
function attempt(query: string): 'ok' | 'query-error' {
  try {
    const compiled = compileQuery(query);
    const run = compiled.createRun({ limit: 50 });
    for (const r of records) {
      compiled.mightMatch(r.message);
      run.add({ ...r });
    }
    run.finish();
    return 'ok';
  } catch (err) {
    if (err instanceof QueryError) {
      expect(typeof err.format()).toBe('string');
      expect(err.span.start).toBeGreaterThanOrEqual(0);
      expect(err.span.end).toBeLessThanOrEqual(query.length);
      return 'query-error';
    }
    throw new Error(`query ${JSON.stringify(query.slice(0, 300))} threw ${String(err)}`, { cause: err });
  }
}

// A hang guard, not a benchmark: each query gets a generous second.
const PER_QUERY_MS = 1000;

function timed(query: string): void {
  const start = performance.now();
  attempt(query);
  expect(
    performance.now() - start,
    `query ${JSON.stringify(query.slice(0, 120))} took too long`,
  ).toBeLessThan(PER_QUERY_MS);
}

describe('fuzzing the query language', () => {
  it('token soup and command-shaped queries: a result or a QueryError, quickly', () => {
    const outcomes = { ok: 0, 'query-error': 0 };
    fc.assert(
      fc.property(tokenQuery, (q) => {
        timed(q);
        outcomes[attempt(q)]++;
      }),
      { numRuns: 4000 },
    );
    // The generator reaches both outcomes, so the property is not vacuous.
    expect(outcomes.ok).toBeGreaterThan(50);
    expect(outcomes['query-error']).toBeGreaterThan(50);
  });

  it('structured prefixes then garbage', () => {
    const prefix = fc.constantFrom(
      'fields verb | ',
      'filter verb = "a" | ',
      'stats count(*) by ',
      'parse @message ',
      'sort ',
      '',
    );
    fc.assert(
      fc.property(prefix, fc.string({ unit: 'binary', maxLength: 80 }), (p, s) => timed(p + s)),
      { numRuns: 3000 },
    );
  });

  it('random text and bytes', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => timed(s)),
      { numRuns: 3000 },
    );
  });

  it('absurd sizes and nesting', () => {
    for (const q of [
      'filter ' + '('.repeat(5000) + 'verb = "a"' + ')'.repeat(5000),
      'filter ' + 'not '.repeat(3000) + 'verb = "a"',
      'filter ' + '- '.repeat(4000) + '1 = 1',
      'filter ' + Array.from({ length: 1200 }, () => 'verb = "a"').join(' or '),
      'fields ' + Array.from({ length: 2000 }, () => '1').join(' + ') + ' as x',
      'filter verb in [' + Array.from({ length: 2400 }, (_, i) => `"${i}"`).join(',') + ']',
      'fields ' + 'a.'.repeat(4900) + 'b',
      '"'.repeat(10_000),
      '`'.repeat(9_999),
      '/'.repeat(10_000),
      'x'.repeat(10_001),
    ]) {
      timed(q);
    }
  });

  it('catastrophic regexes are refused or run in bounded time', () => {
    const evil = [
      '(a+)+$',
      '(a|a)*$',
      '(a|aa)+$',
      '(.*)*x',
      '(a*)*b',
      '([a-z]+)*$',
      '(\\w+\\s?)+$',
      '(x+x+)+y',
      '(?:a+){2,}$',
    ];
    for (const re of evil) {
      expect(() => compileQuery(`filter @message like /${re}/`), re).toThrow(QueryError);
    }
    // Polynomial shapes are allowed but bounded: an 8 KiB value takes the backtracking engine,
    // a 200 KiB one the linear-time engine.
    for (const re of ['.*x', 'a.*b.*c', '\\w+\\s+x', '(?i)A.*X', '(ab|cd)x']) {
      for (const size of [8 * 1024, 200 * 1024]) {
        const start = performance.now();
        const result = runQuery(`filter @message like /${re}/ | stats count(*) as n`, [
          { timestamp: 0, message: 'a'.repeat(size), logStream: 's', log: 'l' },
        ]);
        expect(result.recordsMatched).toBe(0);
        expect(performance.now() - start, `${re} on ${size}`).toBeLessThan(2000);
      }
    }
  });
});
