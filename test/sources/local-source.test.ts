import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { InterruptedError, SourceError } from '../../src/errors.js';
import { QueryError } from '../../src/insights/index.js';
import { createLocalSource } from '../../src/sources/local-source.js';
import { auditLine, tempDir, tempFile } from './read-helpers.js';

const at = (second: number): string => new Date(Date.UTC(2024, 5, 14, 3, 0, second)).toISOString();
const T0 = Date.UTC(2024, 5, 14, 3, 0, 0);

function threeEvents(): string {
  return [
    auditLine({ auditID: 'a', verb: 'create', stageTimestamp: at(0) }),
    auditLine({ auditID: 'b', verb: 'get', stageTimestamp: at(10) }),
    auditLine({ auditID: 'c', verb: 'create', stageTimestamp: at(20) }),
  ].join('\n');
}

describe('createLocalSource', () => {
  test('answers several queries in one pass, each with its own range (inclusive ends) and statistics', async () => {
    const file = tempFile('a.log', threeEvents());
    const source = createLocalSource({ paths: [file] });
    expect(source.kind).toBe('local');
    const [all, windowed, limited] = await source.runAll([
      { name: 'all', queryString: 'filter verb = "create" | stats count(*) as n' },
      {
        name: 'windowed',
        queryString: 'filter verb = "create" | stats count(*) as n',
        range: { startMs: T0 + 10_000, endMs: T0 + 20_000 },
      },
      { name: 'limited', queryString: 'fields auditID | sort @timestamp asc', limit: 2 },
    ]);
    expect(all?.rows).toEqual([{ n: '2' }]);
    expect(all?.statistics).toMatchObject({ recordsScanned: 3, recordsMatched: 2 });
    expect(windowed?.rows).toEqual([{ n: '1' }]);
    expect(windowed?.statistics.recordsScanned).toBe(2);
    const inWindow = [
      auditLine({ auditID: 'b', verb: 'get', stageTimestamp: at(10) }),
      auditLine({ auditID: 'c', verb: 'create', stageTimestamp: at(20) }),
    ];
    expect(windowed?.statistics.bytesScanned).toBe(Buffer.byteLength(inWindow.join('')));
    expect(limited?.rows).toEqual([{ auditID: 'a' }, { auditID: 'b' }]);
    expect(limited?.truncated).toBe(true);
    expect(all?.truncated).toBe(false);
    expect(source.dataRange()).toEqual({ startMs: T0, endMs: T0 + 20_000 });
    expect(source.lastInputs()).toMatchObject([{ label: file, format: 'audit', records: 3, skipped: 0 }]);
    // No query at all: one read, just for the data's time bounds.
    const fresh = createLocalSource({ paths: [file] });
    expect(await fresh.runAll([])).toEqual([]);
    expect(fresh.dataRange()).toEqual({ startMs: T0, endMs: T0 + 20_000 });
  });

  test('truncated means rows were cut by the row cap, not that the result is exactly at it', async () => {
    const source = createLocalSource({ paths: [tempFile('a.log', threeEvents())] });
    const [atCap, overCap, ownLimit, statsOver] = await source.runAll([
      { name: 'at', queryString: 'fields auditID', limit: 3 },
      { name: 'over', queryString: 'fields auditID', limit: 2 },
      { name: 'own', queryString: 'fields auditID | limit 1', limit: 1 },
      { name: 'stats', queryString: 'stats count(*) by auditID', limit: 2 },
    ]);
    expect([atCap?.truncated, atCap?.rows.length]).toEqual([false, 3]);
    expect([overCap?.truncated, overCap?.rows.length]).toEqual([true, 2]);
    expect([ownLimit?.truncated, ownLimit?.rows.length]).toEqual([false, 1]);
    expect([statsOver?.truncated, statsOver?.rows.length]).toEqual([true, 2]);
  });

  test('a query error is a QueryError (exit 3) before anything is read', async () => {
    const source = createLocalSource({ paths: [path.join(tempDir(), 'missing.log')] });
    const error = await source
      .runAll([{ name: 'bad', queryString: 'stats count(*) by' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(QueryError);
    expect((error as QueryError).exitCode).toBe(3);
  });

  test('skipped lines are counted over all files, the first five kept with file and line', async () => {
    const dir = tempDir();
    const a = tempFile('a.log', `${auditLine()}\nbad 1\nbad 2\nbad 3\n`, dir);
    const b = tempFile('b.log', `bad 4\n${auditLine()}\nbad 5\nbad 6\n`, dir);
    const [outcome] = await createLocalSource({ paths: [a, b] }).runAll([
      { name: 'q', queryString: 'stats count(*) as n' },
    ]);
    expect(outcome?.rows).toEqual([{ n: '2' }]);
    expect(outcome?.skipped?.count).toBe(6);
    expect(outcome?.skipped?.samples.map((s) => `${path.basename(s.file)}:${s.line}`)).toEqual([
      'a.log:2',
      'a.log:3',
      'a.log:4',
      'b.log:1',
      'b.log:3',
    ]);
  });

  test('an empty file is a warning, not an error', async () => {
    const dir = tempDir();
    const empty = tempFile('empty.log', '', dir);
    const good = tempFile('good.log', auditLine(), dir);
    const [outcome] = await createLocalSource({ paths: [empty, good] }).runAll([
      { name: 'q', queryString: 'stats count(*) as n' },
    ]);
    expect(outcome?.rows).toEqual([{ n: '1' }]);
    expect(outcome?.warnings).toEqual([`${empty}: empty, no events in it`]);
    const [onlyEmpty] = await createLocalSource({ paths: [empty] }).runAll([
      { name: 'q', queryString: 'fields @message' },
    ]);
    expect(onlyEmpty?.rows).toEqual([]);
  });

  test('a named file with no readable event is a SourceError (exit 4) naming it', async () => {
    const garbage = tempFile('garbage.bin', Buffer.from([0, 1, 2, 255, 10, 0x7b, 10, 3, 4]));
    const error = await createLocalSource({ paths: [garbage] })
      .runAll([{ name: 'q', queryString: 'fields @message' }])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).exitCode).toBe(4);
    expect((error as SourceError).message).toContain(garbage);
    expect((error as SourceError).message).toMatch(/3 malformed lines; line 1: /);
  });

  test('in a directory, a file with no readable event is reported and ignored, a non-log file passed over', async () => {
    const dir = tempDir();
    tempFile('README.md', '# not a log\nsome text\n', dir);
    tempFile('broken.json', '{"kind": 0}\n{"kind":\n', dir);
    tempFile('audit.log', auditLine(), dir);
    const [outcome] = await createLocalSource({ paths: [dir] }).runAll([
      { name: 'q', queryString: 'stats count(*) as n' },
    ]);
    expect(outcome?.rows).toEqual([{ n: '1' }]);
    expect(outcome?.skipped?.count).toBe(2);
    expect(outcome?.skipped?.samples.map((s) => path.basename(s.file))).toEqual([
      'broken.json',
      'broken.json',
    ]);
    expect(outcome?.warnings).toEqual([
      `${path.join(dir, 'README.md')}: not a log file (nothing like a JSON event or a timestamped line at its start); ignored`,
      `${path.join(dir, 'broken.json')}: no event could be read (2 malformed lines); ignored`,
    ]);
  });

  test('a named non-log file is still read line by line and is an error naming it', async () => {
    const readme = tempFile('README.md', '# not a log\nsome text\n');
    await expect(
      createLocalSource({ paths: [readme] }).runAll([{ name: 'q', queryString: 'fields @message' }]),
    ).rejects.toThrow(`No event could be read from ${readme}: 2 malformed lines`);
  });

  test('stdin can be queried twice: the first run keeps a private copy', async () => {
    const source = createLocalSource({ paths: ['-'], stdin: Readable.from([Buffer.from(threeEvents())]) });
    const query = { name: 'q', queryString: 'stats count(*) as n' };
    expect((await source.runAll([query]))[0]?.rows).toEqual([{ n: '3' }]);
    expect((await source.runAll([query]))[0]?.rows).toEqual([{ n: '3' }]);
  });

  test('an aborted signal stops the run with its reason', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'logs'));
    for (let i = 0; i < 3; i++) writeFileSync(path.join(dir, 'logs', `${i}.log`), threeEvents());
    const controller = new AbortController();
    controller.abort(new InterruptedError('Interrupted by SIGINT'));
    const error = await createLocalSource({ paths: [dir] })
      .runAll([{ name: 'q', queryString: 'fields @message' }], { signal: controller.signal })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InterruptedError);
    expect((error as InterruptedError).exitCode).toBe(130);
  });
});
