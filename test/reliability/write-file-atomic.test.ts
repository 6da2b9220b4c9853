/**
 * writeFileAtomic when the write fails part-way: a full disk half-way through the content, a failed
 * flush, a failed rename. Each time the previous report must be intact, no temporary file may be left
 * behind, and the error is a UsageError naming the file.
 *
 * Reused, not repeated here: the happy path and a rename over a directory
 * (test/cli/queries-output.test.ts); an interrupted `analyze --output` over a good file
 * (test/reliability/analyze-cluster-faults.test.ts).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, test, vi } from 'vitest';
import { UsageError } from '../../src/errors.js';

type Failure = 'none' | 'write-half' | 'sync' | 'rename';
const injected = vi.hoisted(() => ({ failure: 'none' as 'none' | 'write-half' | 'sync' | 'rename' }));

vi.mock('node:fs/promises', async (importOriginal) => {
  const real = await importOriginal<typeof import('node:fs/promises')>();
  const fail = (code: string): Error => Object.assign(new Error(`${code}: injected`), { code });
  return {
    ...real,
    async open(...args: Parameters<typeof real.open>): Promise<FileHandle> {
      const handle = await real.open(...args);
      return new Proxy(handle, {
        get(target, key, receiver) {
          if (key === 'writeFile' && injected.failure === 'write-half') {
            return async (content: string | Buffer) => {
              const bytes = Buffer.from(content);
              await target.write(bytes.subarray(0, Math.floor(bytes.length / 2)));
              throw fail('ENOSPC');
            };
          }
          if (key === 'sync' && injected.failure === 'sync') return () => Promise.reject(fail('EIO'));
          const value: unknown = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
        },
      });
    },
    async rename(...args: Parameters<typeof real.rename>): Promise<void> {
      if (injected.failure === 'rename') throw fail('EXDEV');
      return real.rename(...args);
    },
  };
});

const { writeFileAtomic } = await import('../../src/cli/write-output.js');

const dir = mkdtempSync(path.join(tmpdir(), 'eei-rel-atomic-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  injected.failure = 'none';
});

const GOOD = `${JSON.stringify({ complete: true, marker: 'the previous good report' })}\n`;
const NEW = `${JSON.stringify({ complete: true, rows: Array.from({ length: 2000 }, (_, i) => `row ${i}`) })}\n`;

describe('writeFileAtomic: a failure before the rename leaves the original', () => {
  test.each<[Failure, RegExp]>([
    ['write-half', /no space left on the device/],
    ['sync', /EIO/],
    ['rename', /EXDEV/],
  ])(
    '%s: the old file is intact, no temporary file is left, a UsageError names the file',
    async (failure, message) => {
      const sub = mkdtempSync(path.join(dir, `${failure}-`));
      const file = path.join(sub, 'report.json');
      writeFileSync(file, GOOD);
      injected.failure = failure;
      const error = await writeFileAtomic(file, NEW).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(UsageError);
      expect((error as UsageError).message).toContain(file);
      expect((error as UsageError).message).toMatch(message);
      expect(readFileSync(file, 'utf8')).toBe(GOOD);
      expect(readdirSync(sub)).toEqual(['report.json']);
    },
  );

  test('control: without a fault the same call replaces the file whole', async () => {
    const sub = mkdtempSync(path.join(dir, 'ok-'));
    const file = path.join(sub, 'report.json');
    writeFileSync(file, GOOD);
    await writeFileAtomic(file, NEW);
    expect(readFileSync(file, 'utf8')).toBe(NEW);
    expect(readdirSync(sub)).toEqual(['report.json']);
  });

  test('a failure with no previous file leaves no file at all', async () => {
    const sub = mkdtempSync(path.join(dir, 'fresh-'));
    injected.failure = 'write-half';
    await expect(writeFileAtomic(path.join(sub, 'report.json'), NEW)).rejects.toBeInstanceOf(UsageError);
    expect(readdirSync(sub)).toEqual([]);
  });
});
