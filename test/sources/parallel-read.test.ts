import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, test } from 'vitest';
import { createIncident } from '../../bench/incident/generate.js';
import { createFormatter, type OutputFormat } from '../../bench/incident/formats.js';
import type { LocalLogSource, LocalSourceOptions } from '../../src/sources/local-source.js';
import type { QueryRequest } from '../../src/sources/source.js';
import { ensureBuilt, projectRoot } from '../support/build.js';
import { tempDir } from './read-helpers.js';

/**
 * Worker threads over byte ranges must answer exactly what one thread answers: rows, order, the
 * statistics, skipped-line samples (with file line numbers), warnings, the data range and the input
 * summaries. The worker script exists only in the build, so these tests run the built local source.
 */
type CreateLocalSource = (options: LocalSourceOptions) => LocalLogSource;
let createLocalSource: CreateLocalSource;

beforeAll(async () => {
  await ensureBuilt();
  const url = pathToFileURL(path.join(projectRoot, 'dist/src/sources/local-source.js')).href;
  ({ createLocalSource } = (await import(url)) as { createLocalSource: CreateLocalSource });
}, 300_000);

function stored(name: string): string {
  return readFileSync(path.join(projectRoot, 'queries', `${name}.insights`), 'utf8');
}

const START = '2024-06-14T00:00:00Z';

/** A generated incident in `format`, with broken lines spliced in at the given line indexes. */
function incidentFile(dir: string, format: OutputFormat, broken: number[] = []): string {
  const formatter = createFormatter(format, 7);
  const run = createIncident({
    seed: 7,
    start: START,
    durationMs: 3 * 3_600_000,
    eventsPerMinute: 40,
    shape: 'operator-flood',
    outcome: 'recovered',
  });
  const parts: string[] = [formatter.header()];
  let index = 0;
  for (const event of run.events) {
    if (broken.includes(index))
      parts.push(index % 2 === 0 ? '{"kind":"Event","cut here\n' : 'not json at all\n');
    parts.push(formatter.event(event));
    index++;
  }
  parts.push(formatter.footer());
  const file = path.join(dir, `incident-${format}.log`);
  writeFileSync(file, parts.join(''));
  return file;
}

const T0 = Date.parse(START);
const requests = (): QueryRequest[] => [
  { name: 'series', queryString: stored('incident-series') },
  { name: 'actors', queryString: stored('incident-actors-by-bin'), limit: 50 },
  { name: 'first', queryString: stored('incident-first-failure') },
  { name: 'last', queryString: stored('incident-last-failure') },
  { name: 'timeout', queryString: stored('incident-first-timeout') },
  {
    name: 'windowed',
    queryString:
      'filter verb in ["create", "update", "patch", "delete"] | stats count(*) as writes by user.username | sort writes desc',
    range: { startMs: T0 + 3_600_000, endMs: T0 + 7_200_000 },
  },
  {
    name: 'raw',
    queryString:
      'filter verb = "create" | fields @timestamp, user.username, objectRef.name | sort @timestamp desc',
    limit: 25,
  },
  {
    name: 'distinct',
    queryString:
      'stats count_distinct(user.username) as users, earliest(verb) as first, latest(verb) as last, max(responseStatus.code) as worst by objectRef.resource',
  },
  { name: 'dedup', queryString: 'fields objectRef.namespace as ns | dedup ns | limit 5' },
];

/** The single-thread and the three-thread answers, and whether the latter really used threads. */
async function both(paths: string[], reqs: QueryRequest[]): Promise<[unknown, unknown, boolean]> {
  let threads = false;
  const answer = async (workers: number): Promise<unknown> => {
    const source = createLocalSource({ paths, workers, minParallelBytes: 1 });
    const outcomes = await source.runAll(reqs, { onVerbose: (line) => (threads ||= / threads$/.test(line)) });
    return { outcomes, range: source.dataRange(), inputs: source.lastInputs() };
  };
  const single = await answer(1);
  expect(threads).toBe(false);
  return [single, await answer(3), threads];
}

describe('reading one file with worker threads', () => {
  test.each(['audit-jsonl', 'cw-jsonl', 's3-export'] as const)(
    'gives the single-thread answer on %s',
    async (format) => {
      const file = incidentFile(tempDir(), format);
      const [single, parallel, threads] = await both([file], requests());
      expect(threads).toBe(true);
      expect(parallel).toEqual(single);
      expect((single as { outcomes: { rows: unknown[] }[] }).outcomes[0]?.rows.length).toBeGreaterThan(10);
    },
    120_000,
  );

  test('keeps skipped-line samples with their line numbers in the whole file', async () => {
    const file = incidentFile(tempDir(), 'audit-jsonl', [5, 4000, 4001, 9000, 9001, 9002]);
    const [single, parallel, threads] = await both([file], requests().slice(0, 2));
    expect(threads).toBe(true);
    expect(parallel).toEqual(single);
    const skipped = (single as { outcomes: { skipped?: { count: number; samples: { line: number }[] } }[] })
      .outcomes[0]?.skipped;
    expect(skipped?.count).toBe(6);
    expect(skipped?.samples.map((s) => s.line)).toEqual([6, 4002, 4004, 9004, 9006]);
  }, 120_000);

  test('several inputs (one split, one gzip-free small one) merge in file order', async () => {
    const dir = tempDir();
    const big = incidentFile(dir, 'audit-jsonl');
    const small = path.join(dir, 'z-small.log');
    writeFileSync(small, readFileSync(big, 'utf8').split('\n').slice(0, 50).join('\n'));
    const [single, parallel, threads] = await both([big, small], requests());
    expect(threads).toBe(true);
    expect(parallel).toEqual(single);
  }, 120_000);

  test('a float sum falls back to one thread and still answers exactly', async () => {
    const file = incidentFile(tempDir(), 'audit-jsonl');
    const reqs: QueryRequest[] = [
      {
        name: 'avg',
        queryString: 'stats avg(responseStatus.code / 7) as a, sum(responseStatus.code / 3) as s by verb',
      },
    ];
    const [single, parallel, threads] = await both([file], reqs);
    expect(threads).toBe(false);
    expect(parallel).toEqual(single);
  }, 120_000);
});
