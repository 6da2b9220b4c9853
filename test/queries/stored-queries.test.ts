import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { compileQuery } from '../../src/insights/index.js';
import { loadQueryLibrary, renderQuery } from '../../src/queries/library.js';
import { createLocalSource } from '../../src/sources/local-source.js';
import type { QueryOutcome } from '../../src/sources/source.js';
import { STORED_QUERY_CASES, TOP_WRITERS_BY_USER_TOTAL_ROWS } from './fixture-cases.js';

const FIXTURE = path.resolve(import.meta.dirname, '../fixtures/audit/incident-small.jsonl');
const library = loadQueryLibrary();

describe('the stored query library', () => {
  test('holds the queries the issue asks for', () => {
    const names = library.map((q) => q.name);
    for (const name of [
      'first-nospace-failure',
      'nospace-failures-over-time',
      'write-volume-over-time',
      'top-writers-by-user',
      'top-writers-by-user-agent',
      'top-writers-by-resource',
      'top-writers-by-api-group',
      'top-writers-by-namespace',
      'net-object-growth',
      'etcd-timeouts-over-time',
      'server-errors-by-user-agent',
    ]) {
      expect(names).toContain(name);
    }
  });

  test.each(library.map((q) => [q.name, q] as const))(
    '%s parses, with and without its optional parameters',
    (_, query) => {
      expect(query.description.length).toBeGreaterThan(10);
      expect(() => compileQuery(renderQuery(query))).not.toThrow();
      const all = Object.fromEntries(query.params.map((p) => [p.name, 'value']));
      expect(() => compileQuery(renderQuery(query, all))).not.toThrow();
    },
  );

  test('every stored query has a case against the fixture events', () => {
    const covered = new Set(STORED_QUERY_CASES.map((c) => c.query));
    expect(library.map((q) => q.name).filter((name) => !covered.has(name))).toEqual([]);
  });
});

describe('stored queries on the fixture events (one pass of the local source for all of them)', async () => {
  const source = createLocalSource({ paths: [FIXTURE] });
  const requests = [
    ...STORED_QUERY_CASES.map((c, i) => ({
      name: `${i}`,
      queryString: renderQuery(
        library.find((q) => q.name === c.query)!,
        c.params ?? {},
      ),
    })),
  ];
  const outcomes: QueryOutcome[] = await source.runAll(requests);

  test.each(STORED_QUERY_CASES.map((c, i) => [`${c.query}: ${c.title}`, c, i] as const))('%s', (_, c, i) => {
    const outcome = outcomes[i]!;
    const rows = outcome.rows.slice(0, c.rows.length);
    if (c.contains) {
      for (const row of c.rows) expect(outcome.rows).toContainEqual(expect.objectContaining(row));
    } else if (c.unordered) {
      expect(outcome.rows).toHaveLength(c.rows.length);
      expect(sortRows(outcome.rows)).toEqual(sortRows(c.rows));
    } else {
      expect(rows).toEqual(c.rows);
    }
    if (c.query === 'top-writers-by-user' && c.params === undefined)
      expect(outcome.rows).toHaveLength(TOP_WRITERS_BY_USER_TOTAL_ROWS);
  });

  test('statistics are like CloudWatch: every record scanned, its bytes, and the matches', () => {
    const first = outcomes[0]!;
    expect(first.statistics.recordsScanned).toBe(23);
    expect(first.statistics.bytesScanned).toBeGreaterThan(23 * 500);
    expect(first.statistics.recordsMatched).toBe(3);
  });
});

function sortRows(rows: Record<string, string>[]): Record<string, string>[] {
  return [...rows].sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

describe('stored queries on a CloudWatch export holding the api stream too', async () => {
  const { readFileSync, mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const lines = readFileSync(FIXTURE, 'utf8')
    .split('\n')
    .filter((l) => l !== '');
  const events = lines.map((message, i) => ({
    timestamp: Date.parse((JSON.parse(message) as { stageTimestamp: string }).stageTimestamp),
    logStreamName: 'kube-apiserver-audit-0123456789abcdef0123456789abcdef',
    message,
    ingestionTime: 1718334000000,
    eventId: `e${i}`,
  }));
  // The api stream logs etcd's error too, before the first refused request; it is not an audit event.
  events.unshift({
    timestamp: Date.UTC(2024, 5, 14, 3, 19, 0),
    logStreamName: 'kube-apiserver-0123456789abcdef0123456789abcdef',
    message:
      'E0614 03:19:00.000000      10 compact.go:124] etcd: endpoint ([https://10.0.1.2:2379]) compact failed: etcdserver: mvcc: database space exceeded',
    ingestionTime: 1718334000000,
    eventId: 'api-1',
  });
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'eei-cw-')), 'filter-log-events.json');
  writeFileSync(file, JSON.stringify({ events, searchedLogStreams: [] }, null, 4));
  const names = ['first-nospace-failure', 'top-writers-by-user', 'nospace-failures-over-time'];
  const outcomes = await createLocalSource({ paths: [file] }).runAll(
    names.map((name) => ({ name, queryString: renderQuery(library.find((q) => q.name === name)!) })),
  );

  test('the first failure is the audit event, not the api stream line; @timestamp is the CloudWatch time', () => {
    expect(outcomes[0]?.rows[0]).toMatchObject({
      '@timestamp': '2024-06-14 03:20:00.500',
      'user.username': 'system:serviceaccount:kyverno:kyverno-admission-controller',
    });
    expect(outcomes[0]?.statistics.recordsScanned).toBe(24);
  });

  test('counts are the same as from the raw audit log', () => {
    expect(outcomes[1]?.rows.slice(0, 2)).toEqual([
      { 'user.username': 'system:serviceaccount:kyverno:kyverno-admission-controller', writes: '8' },
      { 'user.username': 'alice', writes: '5' },
    ]);
    expect(outcomes[2]?.rows.reduce((sum, r) => sum + Number(r['failures']), 0)).toBe(3);
  });
});
