/**
 * The real kube-apiserver audit logs in ../shared/real-audit-samples (see its README): every stored
 * query runs on each of them without a crash, and the numbers agree with an independent count made
 * here with JSON.parse. The samples are never copied into the project; point REAL_AUDIT_SAMPLES
 * elsewhere if they live somewhere else.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { AppError, SourceError } from '../../src/errors.js';
import { loadQueryLibrary, renderQuery } from '../../src/queries/library.js';
import { createLocalSource } from '../../src/sources/local-source.js';

const projectRoot = path.resolve(import.meta.dirname, '../..');
const SAMPLES =
  process.env['REAL_AUDIT_SAMPLES'] ?? path.resolve(projectRoot, '../shared/real-audit-samples');
const present = existsSync(path.join(SAMPLES, 'README.md'));
const requests = loadQueryLibrary().map((q) => ({ name: q.name, queryString: renderQuery(q) }));
const WRITE_VERBS = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** Counts write requests per user the slow, obvious way, for comparison. */
function writesPerUser(file: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const event = JSON.parse(line) as { verb?: string; stage?: string; user?: { username?: string } };
    if (
      !WRITE_VERBS.has(event.verb ?? '') ||
      (event.stage !== undefined && event.stage !== 'ResponseComplete')
    )
      continue;
    const user = event.user?.username ?? '';
    counts.set(user, (counts.get(user) ?? 0) + 1);
  }
  return counts;
}

describe.skipIf(!present)(
  `real audit samples${present ? '' : ` (skipped: ${SAMPLES} not found; set REAL_AUDIT_SAMPLES)`}`,
  () => {
    const files = [
      'audit2rbac/demo.raw-2017.log',
      'audit2rbac/demo.v1-2022.log',
      'cluster-logging-operator/audit_in.log',
      'cluster-logging-operator/audit.log',
    ];

    test.each(files)(
      '%s: every stored query runs, nothing skipped, top writers agree with a plain count',
      async (name) => {
        const file = path.join(SAMPLES, name);
        const source = createLocalSource({ paths: [file] });
        const outcomes = await source.runAll(requests);
        expect(outcomes).toHaveLength(requests.length);
        for (const outcome of outcomes) {
          expect(outcome.skipped).toBeUndefined();
          expect(outcome.statistics.recordsScanned).toBe(
            readFileSync(file, 'utf8')
              .split('\n')
              .filter((l) => l.trim() !== '').length,
          );
        }
        const byUser = outcomes[requests.findIndex((r) => r.name === 'top-writers-by-user')]!;
        const expected = writesPerUser(file);
        expect(
          Object.fromEntries(byUser.rows.map((r) => [r['user.username'] ?? '', Number(r['writes'])])),
        ).toEqual(Object.fromEntries(expected));
      },
    );

    test('the 2017 v1beta1 log is dated by its legacy timestamp field', async () => {
      const source = createLocalSource({ paths: [path.join(SAMPLES, 'audit2rbac/demo.raw-2017.log')] });
      await source.runAll([{ name: 'n', queryString: 'stats count(*)' }]);
      const range = source.dataRange();
      expect(new Date(range!.startMs).toISOString().slice(0, 10)).toBe('2017-09-11');
      expect(range!.endMs - range!.startMs).toBeLessThan(60 * 60 * 1000);
    });

    test('the falco directory: 51 events read, the malformed fal_01_003.json reported, not fatal', async () => {
      const source = createLocalSource({ paths: [path.join(SAMPLES, 'falco-k8s_audit')] });
      const outcomes = await source.runAll(requests);
      for (const outcome of outcomes) {
        expect(outcome.statistics.recordsScanned).toBe(51);
        expect(outcome.skipped?.count).toBe(1);
        expect(outcome.skipped?.samples[0]).toMatchObject({
          file: path.join(SAMPLES, 'falco-k8s_audit/fal_01_003.json'),
          line: 1,
        });
        expect(outcome.warnings?.some((w) => w.includes('fal_01_003.json'))).toBe(true);
      }
    });

    test('fal_01_003.json on its own: a clear source error naming it (exit 4)', async () => {
      const file = path.join(SAMPLES, 'falco-k8s_audit/fal_01_003.json');
      const error = await createLocalSource({ paths: [file] })
        .runAll(requests)
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(SourceError);
      expect((error as SourceError).message).toContain('fal_01_003.json');
    });

    test('every other file alone: a result or a source error, never anything else', async () => {
      for (const name of [
        'panther-analysis/eks_audit_panther_normalized.jsonl',
        'etcd-error-evidence/README.md',
        ...files,
      ]) {
        const result = await createLocalSource({ paths: [path.join(SAMPLES, name)] })
          .runAll(requests)
          .catch((e: unknown) => e);
        if (!Array.isArray(result)) {
          expect(result).toBeInstanceOf(AppError);
          expect((result as AppError).exitCode).toBe(4);
        }
      }
    });

    test('the whole directory at once: every query runs, non-log files passed over', async () => {
      const outcomes = await createLocalSource({ paths: [SAMPLES] }).runAll(requests);
      for (const outcome of outcomes) {
        expect(outcome.statistics.recordsScanned).toBe(757 + 37 + 100 + 5 + 51);
        expect(outcome.warnings?.some((w) => w.includes('README.md') && w.includes('not a log file'))).toBe(
          true,
        );
      }
    });
  },
);
