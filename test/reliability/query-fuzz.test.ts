/**
 * Property-based fuzzing of the query language: random strings, token soups, mutated stored queries,
 * absurd nesting and catastrophic regexes. Every input ends as a result or a QueryError with a code and
 * a span inside the query, within a time bound; never another exception (an internal error, exit 70),
 * never a hang.
 *
 * Reused, not repeated here: the error cases with exact codes and spans (test/cases/insights/errors,
 * including the catastrophic regex shapes), the caret layout (test/insights/error-format.test.ts).
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { QUERY_TOKENS } from '../support/query-tokens.js';
import { compileQuery, QueryError, type LogRecord } from '../../src/insights/index.js';
import { loadQueryLibrary, renderQuery } from '../../src/queries/library.js';

/** Generous: one case takes well under a millisecond; only a runaway (backtracking, recursion) passes this. */
const CASE_BOUND_MS = 1500;

const RECORDS: LogRecord[] = [
  {
    timestamp: Date.parse('2024-06-14T04:00:00.000Z'),
    logStream: 'kube-apiserver-audit-0123',
    log: 'g',
    message: JSON.stringify({
      verb: 'create',
      stage: 'ResponseComplete',
      user: { username: 'system:serviceaccount:kyverno:kyverno-admission-controller' },
      userAgent: `${'a'.repeat(40)}!`,
      objectRef: { resource: 'ephemeralreports', namespace: 'ns-1', apiGroup: 'reports.kyverno.io' },
      responseStatus: { code: 500, message: 'etcdserver: mvcc: database space exceeded' },
      requestURI: `/apis/reports.kyverno.io/v1/namespaces/ns-1/ephemeralreports?x=${'a'.repeat(40)}`,
      sourceIPs: ['10.0.0.1'],
    }),
  },
  {
    timestamp: Date.parse('2024-06-14T04:00:01.000Z'),
    logStream: 'kube-apiserver-audit-0123',
    log: 'g',
    message: `${'a'.repeat(5000)}!`,
  },
  {
    timestamp: Date.parse('2024-06-14T04:00:02.000Z'),
    logStream: 'kube-apiserver-audit-0123',
    log: 'g',
    message: '{"verb":"get","n":12.5,"arr":[1,2,{"x":null}]}',
  },
];

/** Compiles and runs `text`; returns 'ok' or the QueryError; anything else propagates and fails the test. */
function evaluate(text: string): 'ok' | QueryError {
  try {
    const compiled = compileQuery(text);
    const run = compiled.createRun({ limit: 100 });
    for (const r of RECORDS) if (compiled.mightMatch(r.message)) run.add(r);
    run.finish();
    return 'ok';
  } catch (error) {
    if (!(error instanceof QueryError)) {
      throw new Error(`not a QueryError for ${JSON.stringify(text.slice(0, 200))}: ${String(error)}`, {
        cause: error,
      });
    }
    expect(error.code).toMatch(/^Q[123]\d{3}$/);
    expect(error.span.start).toBeGreaterThanOrEqual(0);
    expect(error.span.end).toBeGreaterThanOrEqual(error.span.start);
    expect(error.span.start).toBeLessThanOrEqual(text.length);
    expect(error.exitCode).toBe(3);
    expect(() => error.format()).not.toThrow();
    return error;
  }
}

/** evaluate(), within CASE_BOUND_MS. */
function attempt(text: string): 'ok' | QueryError {
  const started = performance.now();
  const outcome = evaluate(text);
  const elapsed = performance.now() - started;
  if (elapsed > CASE_BOUND_MS)
    throw new Error(`took ${Math.round(elapsed)} ms: ${JSON.stringify(text.slice(0, 200))}`);
  return outcome;
}

const TOKENS = QUERY_TOKENS;

describe('random input to the lexer, parser and evaluator', () => {
  test('arbitrary strings (any code unit): a result or a QueryError', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (text) => {
        attempt(text);
      }),
      { numRuns: 3000, seed: 6001 },
    );
  });

  test('token soups close to the grammar: a result or a QueryError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom(...TOKENS), { minLength: 1, maxLength: 30 }),
        fc.array(fc.constantFrom(' ', '', '  '), { minLength: 30, maxLength: 30 }),
        (tokens, gaps) => {
          attempt(tokens.map((t, i) => `${t}${gaps[i] ?? ' '}`).join(''));
        },
      ),
      { numRuns: 4000, seed: 6002 },
    );
  });

  test('random pipelines of well-formed commands with random expressions: a result or a QueryError', () => {
    const field = fc.constantFrom(
      'verb',
      'user.username',
      'objectRef.resource',
      'sourceIPs.0',
      '@timestamp',
      '@message',
      'n',
      'arr.2.x',
      '`odd name`',
      'missing',
    );
    const literal = fc.constantFrom('"create"', "'get'", '0', '-1', '12.5', '1e309', '"a\\"b"', '""');
    const expr: fc.Arbitrary<string> = fc.letrec<{ e: string }>((tie) => ({
      e: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        field,
        literal,
        fc
          .tuple(
            tie('e'),
            fc.constantFrom('=', '!=', '<', '>=', '+', '-', '*', '/', '%', 'and', 'or', 'like', 'not like'),
            tie('e'),
          )
          .map(([a, op, b]) => `${a} ${op} ${b}`),
        fc.tuple(fc.constantFrom('not ', '-', ''), tie('e')).map(([op, a]) => `${op}(${a})`),
        fc
          .tuple(
            fc.constantFrom(
              'strlen',
              'tolower',
              'toupper',
              'ispresent',
              'isempty',
              'abs',
              'floor',
              'concat',
              'coalesce',
              'substr',
              'nosuch',
            ),
            fc.array(tie('e'), { maxLength: 3 }),
          )
          .map(([f, args]) => `${f}(${args.join(', ')})`),
        fc.tuple(field, fc.array(literal, { maxLength: 4 })).map(([f, ls]) => `${f} in [${ls.join(', ')}]`),
        fc
          .tuple(field, fc.constantFrom('/a+/', '/(?i)CREATE/', '/^\\w+$/', '"sub"'))
          .map(([f, p]) => `${f} like ${p}`),
      ),
    })).e;
    const aggregate = fc
      .tuple(
        fc.constantFrom('count', 'sum', 'avg', 'min', 'max', 'count_distinct', 'earliest', 'latest', 'pct'),
        field,
      )
      .map(([a, f]) => (a === 'pct' ? `pct(${f}, 90)` : `${a}(${f})`));
    const command = fc.oneof(
      fc.tuple(expr, fc.constantFrom('a', 'b')).map(([e, alias]) => `fields ${e} as ${alias}`),
      expr.map((e) => `filter ${e}`),
      fc
        .tuple(aggregate, fc.array(field, { maxLength: 2 }), fc.boolean())
        .map(
          ([a, by, binned]) =>
            `stats ${a} as x${by.length > 0 || binned ? ` by ${[...by, ...(binned ? ['bin(5m)'] : [])].join(', ')}` : ''}`,
        ),
      fc.tuple(field, fc.constantFrom('asc', 'desc', '')).map(([f, d]) => `sort ${f} ${d}`),
      fc.integer({ min: -1, max: 20_000 }).map((n) => `limit ${n}`),
      field.map((f) => `display ${f}`),
      field.map((f) => `dedup ${f}`),
      fc.constantFrom('parse @message "* *" as p, q', 'parse @message /(?<w>\\w+)/', 'parse verb "*" as'),
    );
    let compiled = 0;
    fc.assert(
      fc.property(fc.array(command, { minLength: 1, maxLength: 5 }), (commands) => {
        if (attempt(commands.join(' | ')) === 'ok') compiled++;
      }),
      { numRuns: 3000, seed: 6005 },
    );
    // The generator reaches the evaluator, not only the error paths.
    expect(compiled).toBeGreaterThan(300);
  });

  test('mutated stored queries (characters deleted, inserted, replaced): a result or a QueryError', () => {
    const texts = loadQueryLibrary().map((q) => renderQuery(q));
    expect(texts.length).toBeGreaterThan(5);
    const mutation = fc.record({
      query: fc.nat({ max: texts.length - 1 }),
      edits: fc.array(
        fc.record({
          at: fc.nat(),
          kind: fc.constantFrom('delete', 'insert', 'replace'),
          text: fc.constantFrom(...TOKENS),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    });
    fc.assert(
      fc.property(mutation, ({ query, edits }) => {
        let text = texts[query] ?? '';
        for (const edit of edits) {
          const at = text.length === 0 ? 0 : edit.at % text.length;
          if (edit.kind === 'delete') text = text.slice(0, at) + text.slice(at + 1 + (edit.at % 5));
          else if (edit.kind === 'insert') text = text.slice(0, at) + edit.text + text.slice(at);
          else text = text.slice(0, at) + edit.text + text.slice(at + edit.text.length);
        }
        attempt(text);
      }),
      { numRuns: 3000, seed: 6003 },
    );
  });

  test('every stored query itself compiles and runs (the mutation base is sound)', () => {
    for (const q of loadQueryLibrary()) expect(attempt(renderQuery(q)), q.name).toBe('ok');
  });
});

describe('absurd sizes and nesting', () => {
  test.each([
    ['parentheses', `filter ${'('.repeat(100_000)}verb = "x"${')'.repeat(100_000)}`],
    ['unary not', `filter ${'not '.repeat(50_000)}verb = "x"`],
    ['unary minus', `fields ${'-'.repeat(100_000)}1 as n`],
    ['function calls', `fields ${'strlen('.repeat(20_000)}verb${')'.repeat(20_000)} as n`],
    [
      'a long chain of or',
      `filter ${Array.from({ length: 20_000 }, (_, i) => `verb = "v${i}"`).join(' or ')}`,
    ],
    ['many pipes', Array.from({ length: 20_000 }, () => 'filter verb = "x"').join(' | ')],
    ['an unterminated string', `filter verb = "${'a'.repeat(200_000)}`],
    ['an unterminated regex', `filter verb like /${'a'.repeat(200_000)}`],
  ])('%s: a QueryError or a result, no stack overflow', (_name, text) => {
    attempt(text);
  });
});

describe('catastrophic regexes', () => {
  const PATTERNS = [
    '(a+)+$',
    '(a*)*$',
    '(a|a)*$',
    '(a|aa)+$',
    '(.*a){20}',
    '(\\w+\\s?)*$',
    '^(a+)+b',
    '(x+x+)+y',
    '((a+)+)+',
    '(?:a+)+$',
    '(a?){30}a{30}',
    '(?<g>(a+)+)',
    '(.*)*',
    '([a-z]+)*$',
    '(a{1,30}){1,30}$',
    '\\1',
    '(?=a)+',
    '[',
    '(',
    // Polynomial, not exponential: adjacent repetitions. /a+a+$/ alone took 80 s on the 5,001-character
    // message before such patterns were sent to the linear engine.
    'a+a+$',
    'a+a+a+$',
    '\\w+\\s?\\w+\\s?\\w+$',
    'a{1,30}[a-z]+$',
    '.*.*.*x',
    '(?<x>a+)a+$',
  ];
  test.each(PATTERNS)('/%s/ in like, =~ and parse: rejected or answered within the bound', (pattern) => {
    for (const text of [
      `filter userAgent like /${pattern}/`,
      `filter @message =~ /${pattern}/`,
      `parse @message /(?<head>${pattern})/ | fields head`,
      `filter @message like /(?i)${pattern}/`,
    ]) {
      attempt(text);
    }
  });

  test('random regex bodies from backtracking-prone atoms: rejected or answered within the bound', () => {
    const atom = fc.constantFrom(
      'a',
      'a+',
      'a*',
      '(a+)',
      '(a|a)',
      '(a|aa)',
      '.*',
      '\\w+',
      '\\s?',
      '(?:a+)',
      '[a-z]+',
      'a{1,30}',
      '(',
      ')',
      '|',
      '+',
      '*',
      '?',
      '{2}',
    );
    fc.assert(
      fc.property(
        fc.array(atom, { minLength: 1, maxLength: 8 }),
        fc.constantFrom('', '+', '*', '$', '+$'),
        (atoms, tail) => {
          attempt(`filter @message like /${atoms.join('')}${tail}/`);
        },
      ),
      { numRuns: 1500, seed: 6004 },
    );
  });
});
