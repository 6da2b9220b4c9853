import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileQuery,
  DEFAULT_RESULT_LIMIT,
  formatTimestamp,
  getField,
  QueryError,
  runQuery,
  type LogRecord,
} from '../../src/insights/index.js';

const rec = (timestamp: number, body: unknown): LogRecord => ({
  timestamp,
  message: typeof body === 'string' ? body : JSON.stringify(body),
  logStream: 'kube-apiserver-audit-1',
  log: '111122223333:/aws/eks/prod/cluster',
});

describe('formatTimestamp', () => {
  it('prints UTC with milliseconds like GetQueryResults', () => {
    expect(formatTimestamp(0)).toBe('1970-01-01 00:00:00.000');
    expect(formatTimestamp(Date.parse('2024-05-19T06:10:35.743Z'))).toBe('2024-05-19 06:10:35.743');
  });
  it('does not throw on out-of-range values', () => {
    expect(formatTimestamp(Number.MAX_VALUE)).toBe(String(Number.MAX_VALUE));
    expect(formatTimestamp(Number.NaN)).toBe('NaN');
  });
});

describe('getField', () => {
  it('resolves system fields and JSON paths, parsing the message once', () => {
    const r = rec(42, {
      user: { username: 'alice' },
      sourceIPs: ['10.0.0.1'],
      annotations: { 'authorization.k8s.io/decision': 'allow' },
    });
    expect(r.json).toBeUndefined();
    expect(getField(r, '@timestamp')).toBe(42);
    expect(getField(r, '@logStream')).toBe('kube-apiserver-audit-1');
    expect(getField(r, 'user.username')).toBe('alice');
    expect(r.json).toEqual(JSON.parse(r.message));
    // The cache is what later lookups read: a changed cache shows through.
    r.json = { user: { username: 'cached' } };
    expect(getField(r, 'user.username')).toBe('cached');
    expect(getField(r, 'sourceIPs.0')).toBeUndefined();
  });
  it('marks non-JSON messages with null and finds nothing in them', () => {
    const r = rec(0, 'plain text');
    expect(getField(r, 'verb')).toBeUndefined();
    expect(r.json).toBeNull();
    expect(getField(r, '@message')).toBe('plain text');
  });
});

describe('compileQuery', () => {
  it('reports whether a query aggregates', () => {
    expect(compileQuery('stats count(*)').isAggregate).toBe(true);
    expect(compileQuery('fields verb').isAggregate).toBe(false);
  });
  it('throws QueryError for bad queries', () => {
    expect(() => compileQuery('fields verb |')).toThrow(QueryError);
    expect(() => runQuery('stats verb', [])).toThrow(QueryError);
  });
  it('runs of one compiled query are independent', () => {
    const q = compileQuery('stats count(*) as n by verb');
    const a = q.createRun();
    const b = q.createRun();
    a.add(rec(1, { verb: 'get' }));
    a.add(rec(2, { verb: 'get' }));
    b.add(rec(3, { verb: 'list' }));
    expect(a.finish().rows).toEqual([{ verb: 'get', n: '2' }]);
    expect(b.finish().rows).toEqual([{ verb: 'list', n: '1' }]);
  });
});

describe('result limits', () => {
  const many = Array.from({ length: DEFAULT_RESULT_LIMIT + 50 }, (_, i) => rec(i, { i }));
  it(`returns at most ${DEFAULT_RESULT_LIMIT} rows without a limit command, newest first`, () => {
    const result = runQuery('fields i', many);
    expect(result.rows).toHaveLength(DEFAULT_RESULT_LIMIT);
    expect(result.rows[0]).toEqual({ i: String(DEFAULT_RESULT_LIMIT + 49) });
    expect(result.recordsMatched).toBe(DEFAULT_RESULT_LIMIT + 50);
  });
  it('takes the run limit like StartQuery limit', () => {
    expect(runQuery('fields i', many, { limit: 3 }).rows).toEqual([
      { i: '10049' },
      { i: '10048' },
      { i: '10047' },
    ]);
  });
  it('lets a limit command exceed the default cap', () => {
    expect(runQuery('fields i | limit 20000', many).rows).toHaveLength(DEFAULT_RESULT_LIMIT + 50);
  });
  // More than 2k + 1024 records, so the streaming top-k buffer is compacted several times.
  it('keeping only the top rows while streaming gives the same rows as sorting everything', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 5 }), fc.integer({ min: 0, max: 3 })), {
          minLength: 1100,
          maxLength: 3000,
        }),
        fc.integer({ min: 1, max: 20 }),
        (pairs, k) => {
          const records = pairs.map(([code, t], i) => rec(t, { code, i }));
          const bounded = runQuery(`fields i | sort code asc | limit ${k}`, records);
          const full = runQuery('fields i | sort code asc | limit 100000', records);
          expect(bounded.rows).toEqual(full.rows.slice(0, k));
          const byTime = runQuery(`fields i`, records, { limit: k });
          expect(byTime.rows).toEqual(runQuery('fields i | limit 100000', records).rows.slice(0, k));
        },
      ),
      { numRuns: 60 },
    );
  });
});
