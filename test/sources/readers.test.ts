import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { SourceError } from '../../src/errors.js';
import { EventsArrayScanner } from '../../src/sources/readers/events-array-scanner.js';
import { auditLine, readAll, tempDir, tempFile } from './read-helpers.js';

async function* chunksOf(data: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

describe('kube-apiserver audit logs', () => {
  test('one event per line: @timestamp is stageTimestamp, @logStream kube-apiserver-audit, @message the raw line, @log the path', async () => {
    const line = auditLine();
    const file = tempFile(
      'audit.log',
      `${line}\n${auditLine({ auditID: 'a2', stageTimestamp: '2024-06-14T03:00:01.5Z' })}\n`,
    );
    const { records, skipped, summaries } = await readAll([file]);
    expect(skipped).toEqual([]);
    expect(summaries[0]?.format).toBe('audit');
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({
      timestamp: Date.UTC(2024, 5, 14, 3, 0, 0, 123),
      message: line,
      logStream: 'kube-apiserver-audit',
      log: file,
    });
    expect(records[1]?.timestamp).toBe(Date.UTC(2024, 5, 14, 3, 0, 1, 500));
  });

  test('falls back to requestReceivedTimestamp, then the legacy v1beta1 timestamp', async () => {
    const noStage = auditLine({ stageTimestamp: undefined });
    const legacy = JSON.stringify({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1beta1',
      metadata: { creationTimestamp: '2017-09-11T19:55:05Z' },
      timestamp: '2017-09-11T19:55:06Z',
      verb: 'get',
    });
    const { records, skipped } = await readAll([tempFile('a.log', `${noStage}\n${legacy}\n`)]);
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.timestamp)).toEqual([
      Date.UTC(2024, 5, 14, 3, 0, 0, 0),
      Date.UTC(2017, 8, 11, 19, 55, 6),
    ]);
  });

  test('a stageTimestamp key inside requestObject does not fool the fast path', async () => {
    const line = auditLine({
      requestObject: { data: { stageTimestamp: '1999-01-01T00:00:00Z' } },
      stageTimestamp: undefined,
    });
    // Keep kube-apiserver's field order: requestObject before the event's own timestamps.
    const ordered = line.replace(/,"requestReceivedTimestamp"[^,]*/, '') + '';
    const withOwn = ordered.slice(0, -1) + ',"stageTimestamp":"2024-06-14T03:00:09Z"}';
    const { records } = await readAll([tempFile('a.log', `${withOwn}\n`)]);
    expect(records[0]?.timestamp).toBe(Date.UTC(2024, 5, 14, 3, 0, 9));
  });

  test('\\r\\n line ends, blank lines, and a last line without newline', async () => {
    const { records, skipped } = await readAll([
      tempFile('a.log', `${auditLine()}\r\n\r\n   \n${auditLine({ auditID: 'x' })}`),
    ]);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(2);
    expect(records[0]?.message.endsWith('}')).toBe(true);
  });

  test('malformed lines are counted with file and line number and never stop the run', async () => {
    const file = tempFile(
      'a.log',
      [auditLine(), '{"kind": 0}', 'not json at all', auditLine().slice(0, 50), auditLine(), '[1,2]'].join(
        '\n',
      ),
    );
    const { records, skipped } = await readAll([file]);
    expect(records).toHaveLength(2);
    expect(skipped.map((s) => [s.file, s.line])).toEqual([
      [file, 2],
      [file, 3],
      [file, 4],
      [file, 6],
    ]);
    expect(skipped[0]?.reason).toMatch(/no stageTimestamp/);
    expect(skipped[1]?.reason).toMatch(/invalid JSON/);
  });

  test('invalid UTF-8 is decoded with replacement; valid JSON around it still counts', async () => {
    const good = Buffer.concat([
      Buffer.from(auditLine({ user: { username: 'bob' } }).replace('bob', 'b')),
      Buffer.alloc(0),
    ]);
    const withBadByte = Buffer.from(auditLine({ user: { username: 'bXb' } }));
    withBadByte[withBadByte.indexOf('bXb') + 1] = 0xff;
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x81, 0x7b]);
    const file = tempFile(
      'a.log',
      Buffer.concat([good, Buffer.from('\n'), withBadByte, Buffer.from('\n'), garbage, Buffer.from('\n')]),
    );
    const { records, skipped } = await readAll([file]);
    expect(records).toHaveLength(2);
    expect(records[1]?.message).toContain('b\uFFFDb');
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.line).toBe(3);
  });

  test('a line over the cap is skipped with a reason, the lines around it are read', async () => {
    const long = `{"x":"${'a'.repeat(5000)}"}`;
    const file = tempFile('a.log', `${auditLine()}\n${long}\n${auditLine()}\n`);
    const { records, skipped } = await readAll([file], { maxLineBytes: 1024 });
    expect(records).toHaveLength(2);
    expect(skipped).toEqual([
      { file, line: 2, reason: expect.stringMatching(/longer than 1 KiB/) as unknown as string },
    ]);
  });

  test('a 50 MB single line is skipped without holding it (default 16 MiB cap)', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'huge.log');
    const huge = Buffer.alloc(50 * 1024 * 1024, 0x61);
    huge[0] = 0x7b;
    writeFileSync(
      file,
      Buffer.concat([Buffer.from(`${auditLine()}\n`), huge, Buffer.from(`\n${auditLine()}\n`)]),
    );
    const before = process.memoryUsage().arrayBuffers;
    const { records, skipped } = await readAll([file]);
    expect(records).toHaveLength(2);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      line: 2,
      reason: expect.stringMatching(/longer than 16 MiB/) as unknown as string,
    });
    // Held at most one cap's worth plus chunks, never the 50 MB line.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(40 * 1024 * 1024);
  });

  test('JSON nested 10,000 levels deep is skipped with a reason or read, never a crash', async () => {
    const deep = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const deepArray = `{"x":${'['.repeat(10_000)}${']'.repeat(10_000)}}`;
    const { records, skipped } = await readAll([
      tempFile('a.log', `${deep}\n${deepArray}\n${auditLine()}\n`),
    ]);
    expect(records).toHaveLength(1);
    expect(skipped.map((s) => s.line)).toEqual([1, 2]);
  });

  test('an empty file gives no events and no skipped lines', async () => {
    const { records, skipped, summaries } = await readAll([tempFile('empty.log', '')]);
    expect(records).toEqual([]);
    expect(skipped).toEqual([]);
    expect(summaries[0]?.format).toBe('empty');
  });
});

describe('gzip', () => {
  test('detected by magic bytes whatever the name, content format detected inside', async () => {
    const file = tempFile('audit.log', gzipSync(`${auditLine()}\n${auditLine()}\n`));
    const { records, summaries } = await readAll([file]);
    expect(records).toHaveLength(2);
    expect(summaries[0]).toMatchObject({ gzip: true, format: 'audit' });
  });

  test('concatenated gzip members read as one stream', async () => {
    const file = tempFile(
      'a.gz',
      Buffer.concat([gzipSync(`${auditLine()}\n`), gzipSync(`${auditLine()}\n`)]),
    );
    expect((await readAll([file])).records).toHaveLength(2);
  });

  test('a truncated gzip keeps what was read and reports the cut, naming the file', async () => {
    const lines = Array.from({ length: 3000 }, (_, i) => auditLine({ auditID: `id-${i}` })).join('\n');
    const whole = gzipSync(`${lines}\n`);
    const file = tempFile('cut.log.gz', whole.subarray(0, Math.floor(whole.length * 0.6)));
    const { records, skipped } = await readAll([file]);
    expect(records.length).toBeGreaterThan(100);
    expect(records.length).toBeLessThan(3000);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]).toMatchObject({
      file,
      reason: expect.stringMatching(/gzip stream ends early/) as unknown as string,
    });
    expect(skipped[0]?.line).toBe(records.length + 1);
  });
});

describe('CloudWatch exports', () => {
  const events = [
    {
      timestamp: 1718334000123,
      logStreamName: 'kube-apiserver-audit-0123abcd',
      message: auditLine(),
      ingestionTime: 1718334001000,
      eventId: 'e1',
    },
    {
      timestamp: 1718334000456,
      logStreamName: 'kube-apiserver-0123abcd',
      message: 'I0614 03:00:00 "quote" \\ {brace}',
      ingestionTime: 1718334001000,
      eventId: 'e2',
    },
  ];

  test('aws logs filter-log-events output (pretty-printed document)', async () => {
    const doc = JSON.stringify(
      { events, searchedLogStreams: [{ logStreamName: 'x', searchedCompletely: true }], nextToken: 'abc' },
      null,
      4,
    );
    const file = tempFile('export.json', doc);
    const { records, skipped, summaries } = await readAll([file]);
    expect(skipped).toEqual([]);
    expect(summaries[0]?.format).toBe('filter-log-events');
    expect(records).toEqual([
      {
        timestamp: 1718334000123,
        logStream: 'kube-apiserver-audit-0123abcd',
        message: events[0]?.message,
        log: file,
        ingestionTime: 1718334001000,
        ptr: 'e1',
      },
      {
        timestamp: 1718334000456,
        logStream: 'kube-apiserver-0123abcd',
        message: events[1]?.message,
        log: file,
        ingestionTime: 1718334001000,
        ptr: 'e2',
      },
    ]);
  });

  test('other key order, compact, and a bare events array (--query events)', async () => {
    const compact = JSON.stringify({ searchedLogStreams: [{ events: [1] }], events });
    expect((await readAll([tempFile('a.json', compact)])).records).toHaveLength(2);
    expect((await readAll([tempFile('b.json', JSON.stringify(events, null, 2))])).records).toHaveLength(2);
  });

  test('elements split across chunks at every boundary come out whole (property)', () => {
    const message = fc.string({
      unit: fc.constantFrom('a', '"', '\\', '{', '}', '[', ']', ',', ':', '\n', 'é', '€', ' '),
    });
    fc.assert(
      fc.property(
        fc.array(message, { maxLength: 6 }),
        fc.integer({ min: 1, max: 17 }),
        fc.boolean(),
        (messages, chunkSize, pretty) => {
          const doc = Buffer.from(
            JSON.stringify(
              {
                events: messages.map((m, i) => ({ timestamp: i, logStreamName: 's', message: m })),
                searchedLogStreams: [],
              },
              null,
              pretty ? 2 : 0,
            ),
          );
          const seen: string[] = [];
          const skipped: string[] = [];
          const scanner = new EventsArrayScanner('f', 1 << 20, {
            element: (bytes) =>
              seen.push((JSON.parse(bytes.toString('utf8')) as { message: string }).message),
            skip: (s) => skipped.push(s.reason),
          });
          for (let i = 0; i < doc.length; i += chunkSize) scanner.push(doc.subarray(i, i + chunkSize));
          scanner.end();
          expect(skipped).toEqual([]);
          expect(seen).toEqual(messages);
        },
      ),
    );
  });

  test('a truncated document keeps the complete events and reports the cut', async () => {
    const doc = JSON.stringify({ events }, null, 2);
    const file = tempFile('cut.json', doc.slice(0, doc.indexOf('kube-apiserver-0123abcd')));
    const { records, skipped } = await readAll([file]);
    expect(records).toHaveLength(1);
    expect(skipped).toHaveLength(1);
    expect(skipped[0]?.reason).toMatch(/not closed/);
  });

  test('a bad element is skipped with its line, the others are read', async () => {
    const doc = JSON.stringify(
      { events: [events[0], { timestamp: 'soon', message: 'x' }, 'text', events[1]] },
      null,
      2,
    );
    const { records, skipped } = await readAll([tempFile('a.json', doc)]);
    expect(records).toHaveLength(2);
    expect(skipped.map((s) => s.reason)).toEqual([
      expect.stringMatching(/timestamp/),
      expect.stringMatching(/not an object/),
    ]);
    expect(skipped[0]?.line).toBeGreaterThan(1);
  });

  test('JSON lines with logStream or logStreamName', async () => {
    const lines = [
      JSON.stringify({ timestamp: 1718334000123, logStream: 'kube-apiserver-audit-1', message: auditLine() }),
      JSON.stringify({ timestamp: 1718334000124, logStreamName: 'kube-apiserver-audit-2', message: 'plain' }),
      '{"timestamp": 5}',
    ].join('\n');
    const { records, skipped, summaries } = await readAll([tempFile('a.jsonl', lines)]);
    expect(summaries[0]?.format).toBe('cloudwatch-jsonl');
    expect(records.map((r) => [r.timestamp, r.logStream])).toEqual([
      [1718334000123, 'kube-apiserver-audit-1'],
      [1718334000124, 'kube-apiserver-audit-2'],
    ]);
    expect(records[0]?.message).toBe(auditLine());
    expect(skipped).toHaveLength(1);
  });

  test('the S3 export format: <ISO timestamp> <message>, the stream from the folder name', async () => {
    const dir = path.join(tempDir(), 'exportTask', 'kube-apiserver-audit-0a1b');
    mkdirSync(dir, { recursive: true });
    const file = path.join(dir, '000000.gz');
    writeFileSync(
      file,
      gzipSync(`2024-06-14T03:00:00.123Z ${auditLine()}\n2024-06-14T03:00:01.000Z second message\nbroken\n`),
    );
    const { records, skipped, summaries } = await readAll([file]);
    expect(summaries[0]).toMatchObject({ gzip: true, format: 's3-export' });
    expect(records.map((r) => [r.timestamp, r.logStream, r.message])).toEqual([
      [Date.UTC(2024, 5, 14, 3, 0, 0, 123), 'kube-apiserver-audit-0a1b', auditLine()],
      [Date.UTC(2024, 5, 14, 3, 0, 1), 'kube-apiserver-audit-0a1b', 'second message'],
    ]);
    expect(skipped.map((s) => s.line)).toEqual([3]);
  });
});

describe('paths', () => {
  test('a directory is read recursively in sorted order, hidden entries skipped', async () => {
    const dir = tempDir();
    mkdirSync(path.join(dir, 'b'));
    mkdirSync(path.join(dir, '.git'));
    writeFileSync(path.join(dir, 'b', 'z.log'), `${auditLine({ auditID: 'third' })}\n`);
    writeFileSync(path.join(dir, 'a.log'), `${auditLine({ auditID: 'first' })}\n`);
    writeFileSync(path.join(dir, 'b', 'c.log.gz'), gzipSync(`${auditLine({ auditID: 'second' })}\n`));
    writeFileSync(path.join(dir, '.git', 'x.log'), `${auditLine({ auditID: 'hidden' })}\n`);
    const { records } = await readAll([dir]);
    expect(records.map((r) => (JSON.parse(r.message) as { auditID: string }).auditID)).toEqual([
      'first',
      'second',
      'third',
    ]);
  });

  test('stdin (-), read in tiny chunks', async () => {
    const data = Buffer.from(`${auditLine()}\r\n${auditLine()}\n`);
    const { records } = await readAll(['-'], { stdin: () => chunksOf(data, 3) });
    expect(records).toHaveLength(2);
    expect(records[0]?.log).toBe('-');
  });

  test('gzip on stdin', async () => {
    const data = gzipSync(`${auditLine()}\n`);
    expect((await readAll(['-'], { stdin: () => chunksOf(data, 1) })).records).toHaveLength(1);
  });

  test('a missing path is a SourceError (exit 4) naming it, with a hint', async () => {
    const missing = path.join(tempDir(), 'nope.log');
    const error = await readAll([missing]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceError);
    expect((error as SourceError).exitCode).toBe(4);
    expect((error as SourceError).message).toContain(missing);
    expect((error as SourceError).hint).toMatch(/path/);
  });

  // root reads every file whatever its mode, so this can only be checked as another user.
  test.skipIf(process.getuid?.() === 0)('an unreadable file is a SourceError naming it', async () => {
    const file = tempFile('locked.log', auditLine());
    const { chmodSync } = await import('node:fs');
    chmodSync(file, 0o000);
    await expect(readAll([file])).rejects.toThrow(file);
  });
});

describe('byte-order mark', () => {
  test('a BOM before the first CloudWatch JSON line does not make it malformed', async () => {
    const line = JSON.stringify({ timestamp: 5, logStream: 's', message: 'm' });
    const { records, skipped } = await readAll([tempFile('bom.jsonl', `\ufeff${line}\n${line}\n`)]);
    expect(skipped).toEqual([]);
    expect(records).toHaveLength(2);
  });
});

describe('resources', () => {
  // Open descriptors are counted in /proc, which only Linux has.
  test.skipIf(!existsSync('/proc/self/fd'))(
    'a non-log file passed over early is closed at once',
    async () => {
      const { readdirSync } = await import('node:fs');
      const { readLogInput } = await import('../../src/sources/readers/read-log-input.js');
      const { resolveLogInputs } = await import('../../src/sources/readers/log-inputs.js');
      const dir = tempDir();
      tempFile('notes.txt', 'plain text\n'.repeat(100_000), dir);
      const openFds = (): number => readdirSync('/proc/self/fd').length;
      const before = openFds();
      const [input] = await resolveLogInputs([dir]);
      const summary = await readLogInput(
        input!,
        { record: () => undefined, skip: () => undefined },
        { skipUnknown: true },
      );
      expect(summary.format).toBe('unknown');
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(openFds()).toBe(before);
    },
  );
});
