/**
 * The stored queries against the project's incident generator (bench/incident): the same incident
 * written in every format the local source reads, gzipped or not, must give the generator's ground
 * truth exactly: writes per user, the first NOSPACE failure to the millisecond, the failure count.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, test } from 'vitest';
import { createFormatter, type OutputFormat } from '../../bench/incident/formats.js';
import { generateIncident, type GeneratedEvent } from '../../bench/incident/generate.js';
import { loadQueryLibrary, renderQuery } from '../../src/queries/library.js';
import { createLocalSource } from '../../src/sources/local-source.js';

const events: GeneratedEvent[] = [];
const truth = generateIncident(
  {
    seed: 11,
    start: '2024-06-14T00:00:00Z',
    durationMs: 3 * 3_600_000,
    eventsPerMinute: 6,
    shape: 'user-flood',
    outcome: 'ongoing',
    stages: 'all',
    withApiStream: true,
  },
  (event) => events.push(event),
);
const library = loadQueryLibrary();
const requests = ['top-writers-by-user', 'first-nospace-failure', 'nospace-failures-over-time'].map(
  (name) => ({
    name,
    queryString: renderQuery(library.find((q) => q.name === name)!),
  }),
);

function write(format: OutputFormat, gzip: boolean): string {
  const formatter = createFormatter(format, 11);
  const text = [formatter.header(), ...events.map((e) => formatter.event(e)), formatter.footer()].join('');
  // S3 exports sit in <task id>/<log stream>/000000.gz; the folder names the stream.
  const dir = path.join(
    mkdtempSync(path.join(tmpdir(), 'eei-truth-')),
    'task',
    'kube-apiserver-audit-0a1b2c',
  );
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, gzip ? '000000.gz' : '000000');
  writeFileSync(file, gzip ? gzipSync(text) : text);
  return file;
}

const cwTime = (iso: string): string => iso.replace('T', ' ').replace('Z', '');

describe('stored queries reproduce the generator ground truth in every format', () => {
  test('the incident has what the checks need', () => {
    expect(truth.firstFailure).not.toBeNull();
    expect(truth.failureCount).toBeGreaterThan(10);
    expect(events.some((e) => !e.logStream.startsWith('kube-apiserver-audit-'))).toBe(true);
  });

  const cases = (['audit-jsonl', 'cw-filter-json', 'cw-jsonl', 's3-export'] as const).flatMap((format) => [
    [format, false] as const,
    [format, true] as const,
  ]);
  test.each(cases)('%s (gzip: %s)', async (format, gzip) => {
    const source = createLocalSource({ paths: [write(format, gzip)] });
    const [byUser, first, overTime] = await source.runAll(requests);
    expect(source.lastInputs()[0]).toMatchObject({ gzip, skipped: 0 });
    expect(byUser?.skipped).toBeUndefined();
    expect(Object.fromEntries(byUser!.rows.map((r) => [r['user.username'], Number(r['writes'])]))).toEqual(
      truth.writesPerUser,
    );
    const expected = truth.firstFailure!;
    expect(first?.rows).toEqual([
      expect.objectContaining({
        '@timestamp': cwTime(expected.timestamp),
        'user.username': expected.user,
        userAgent: expected.userAgent,
        verb: expected.verb,
        'objectRef.resource': expected.resource,
        requestURI: expected.requestURI,
      }),
    ]);
    expect(overTime!.rows.reduce((sum, row) => sum + Number(row['failures']), 0)).toBe(truth.failureCount);
  });
});
