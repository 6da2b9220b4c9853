/**
 * Shared by the shaped-path tests: the queries (every stored one, analyze's, and some that read the
 * record's own fields), the comparison of the fast path against the ordinary one, and the real
 * audit samples.
 */
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { expect } from 'vitest';
import { loadQueryLibrary, renderQuery } from '../../src/queries/library.js';
import { createLocalSource } from '../../src/sources/local-source.js';
import type { QueryRequest } from '../../src/sources/source.js';
import { auditLine } from './read-helpers.js';

const HOUR = 3_600_000;
/** Where the generated incidents start. */
export const START = '2024-06-14T00:00:00Z';
const library = loadQueryLibrary().map((q) => ({ name: q.name, queryString: renderQuery(q) }));
const extra: QueryRequest[] = [
  { name: 'raw-desc', queryString: 'filter verb = "create" | fields @timestamp, requestURI | limit 7' },
  { name: 'raw-asc', queryString: 'fields @timestamp, @message | sort @timestamp asc | limit 3' },
  { name: 'message', queryString: 'filter @message like "kube-system" | stats count(*) by verb' },
  // Top 1: the row kept is replaced as each later one beats it, and among ties the first stays.
  {
    name: 'last-create',
    queryString:
      'filter verb = "create" | fields @timestamp, requestURI, user.username | sort @timestamp desc | limit 1',
  },
  { name: 'top-verb', queryString: 'fields verb, requestURI | sort verb desc | limit 1' },
  { name: 'dedup', queryString: 'fields verb, user.username | sort @timestamp desc | dedup verb' },
  {
    name: 'time-derived',
    queryString: 'fields datefloor(@timestamp, 1h) as h | stats count(*) as n, earliest(verb) by h, verb',
  },
  {
    name: 'ranged',
    queryString: 'stats count(*) as n, sum(responseStatus.code) as s by bin(10m)',
    range: { startMs: Date.parse(START) + HOUR, endMs: Date.parse(START) + 2 * HOUR },
  },
  // The record's own fields: kept rows (captured), whole records (materialized), ordinary records.
  {
    name: 'record-fields-kept',
    queryString:
      'filter verb = "create" | fields @ptr, @ingestionTime, @logStream, @log, @message | sort @timestamp desc | limit 30',
  },
  {
    name: 'record-fields-listed',
    queryString: 'fields @ptr, @ingestionTime, @logStream, user.username | limit 40',
  },
  { name: 'by-stream', queryString: 'stats count(*) as n, max(@ingestionTime) as last by @logStream, verb' },
  { name: 'stream-filter', queryString: 'filter @logStream like "audit" | stats count(*) by @ptr' },
];
/** The queries every comparison runs. */
export const requests = [...library, ...extra];

/** What a run answers: the outcomes, the data range and the input summaries, or the error. */
async function answer(paths: string[], shapes: boolean): Promise<unknown> {
  try {
    const source = createLocalSource({ paths, workers: 1, shapes });
    const outcomes = await source.runAll(requests);
    return { outcomes, range: source.dataRange(), inputs: source.lastInputs() };
  } catch (error) {
    return String(error);
  }
}

/** Reads `paths` with the shaped fast path and without it: the answers must be the same. */
export async function bothWays(paths: string[]): Promise<void> {
  const fast = await answer(paths, true);
  const plain = await answer(paths, false);
  if (typeof fast === 'string' || typeof plain === 'string') {
    expect(fast).toEqual(plain);
    return;
  }
  const f = fast as { outcomes: unknown[] };
  const p = plain as { outcomes: unknown[] };
  expect(f.outcomes.length).toBe(p.outcomes.length);
  f.outcomes.forEach((outcome, i) => expect(outcome, requests[i]?.name).toEqual(p.outcomes[i]));
  expect(fast).toEqual(plain);
}

/** The real audit samples' folder (shared/real-audit-samples, or REAL_AUDIT_SAMPLES). */
export const SAMPLES =
  process.env['REAL_AUDIT_SAMPLES'] ??
  path.resolve(import.meta.dirname, '../../../shared/real-audit-samples');

/** The sample files, none when the samples are not there. */
export function sampleFiles(): string[] {
  if (!existsSync(path.join(SAMPLES, 'README.md'))) return [];
  return readdirSync(SAMPLES, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile() && /\.(log|jsonl|json)$/.test(d.name))
    .map((d) => path.join(d.parentPath, d.name));
}

/**
 * read-helpers.ts auditLine at this file's times (inside START's window), with `over` merged in
 * (undefined drops a key).
 */
export function auditEvent(over: Record<string, unknown> = {}): string {
  return auditLine({
    objectRef: { resource: 'configmaps', namespace: 'a' },
    requestReceivedTimestamp: '2024-06-14T00:00:01.000000Z',
    stageTimestamp: '2024-06-14T00:00:01.000001Z',
    ...over,
  });
}
