import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

/** Characters that must never reach a terminal from log content. */
const DANGEROUS = ['\u001b', '\u0007', '\u202e', '\r'];
const hasDangerous = (text: string): boolean => DANGEROUS.some((c) => text.includes(c));
import { UsageError } from '../../src/errors.js';
import { writeFileAtomic } from '../../src/cli/write-output.js';
import { renderQueryResultCsv } from '../../src/report/query-result-csv.js';
import { renderQueryResultJson } from '../../src/report/query-result-json.js';
import { renderQueryResultTable } from '../../src/report/query-result-table.js';
import type { QueryOutcome } from '../../src/sources/source.js';

function outcome(
  rows: Record<string, string>[],
  fields: string[],
  extra: Partial<QueryOutcome> = {},
): QueryOutcome {
  return {
    request: { name: 'q', queryString: 'fields a' },
    fields,
    rows,
    statistics: { recordsScanned: 10, recordsMatched: 2, bytesScanned: 2048 },
    truncated: false,
    ...extra,
  };
}

const HOSTILE = '\u001b]8;;http://evil\u0007click\u001b]8;;\u0007 \u001b[2J\u202eevil';

describe('json', () => {
  test('rows keyed by field in column order, absent fields absent, statistics, skipped only when any', () => {
    const text = renderQueryResultJson(outcome([{ b: '2', a: '1' }, { a: '3' }], ['a', 'b']));
    expect(text.endsWith('\n')).toBe(true);
    expect(text.indexOf('"a"')).toBeLessThan(text.indexOf('"b"'));
    expect(JSON.parse(text)).toEqual({
      rows: [{ a: '1', b: '2' }, { a: '3' }],
      statistics: { recordsScanned: 10, recordsMatched: 2, bytesScanned: 2048 },
    });
    const skipped = { count: 7, samples: [{ file: 'f', line: 3, reason: 'invalid JSON' }] };
    expect(JSON.parse(renderQueryResultJson(outcome([], ['a'], { skipped, truncated: true })))).toMatchObject(
      { skipped, truncated: true },
    );
  });
});

describe('json on a terminal', () => {
  test('bidi overrides and C1 controls are written as \\u escapes: same data, nothing invisible', () => {
    const value = `a\u202eb\u009b31mc\u2028d${HOSTILE}`;
    const text = renderQueryResultJson(outcome([{ a: value }], ['a']));
    expect(hasDangerous(text)).toBe(false);
    expect(text).not.toMatch(/[\u0080-\u009f\u2028]/);
    expect((JSON.parse(text) as { rows: { a: string }[] }).rows[0]?.a).toBe(value);
  });
});

describe('csv', () => {
  test('RFC 4180: header, CRLF, quotes doubled, commas and newlines quoted', () => {
    const text = renderQueryResultCsv(
      outcome([{ a: 'x,y', b: 'say "hi"' }, { a: 'two\nlines' }], ['a', 'b']),
    );
    expect(text).toBe('a,b\r\n"x,y","say ""hi"""\r\n"two\nlines",\r\n');
  });

  test.each([
    ['=HYPERLINK("http://evil")', `"'=HYPERLINK(""http://evil"")"`],
    ['+1+2', "'+1+2"],
    ['-2+3', "'-2+3"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tcmd', "'\tcmd"],
  ])('formula injection %j is neutralised', (value, expected) => {
    expect(renderQueryResultCsv(outcome([{ a: value }], ['a']))).toBe(`a\r\n${expected}\r\n`);
  });

  test('plain numbers, negative ones too, stay numbers', () => {
    expect(renderQueryResultCsv(outcome([{ n: '-3' }, { n: '2.5' }], ['n']))).toBe('n\r\n-3\r\n2.5\r\n');
  });

  test('terminal escape sequences are removed', () => {
    expect(hasDangerous(renderQueryResultCsv(outcome([{ a: HOSTILE }], ['a'])).replace(/\r\n/g, '\n'))).toBe(
      false,
    );
  });
});

describe('table', () => {
  test('aligned columns, numbers right-aligned, a statistics line', () => {
    const text = renderQueryResultTable(
      outcome(
        [
          { user: 'alice', writes: '5' },
          { user: 'system:kube-controller-manager', writes: '12' },
        ],
        ['user', 'writes'],
      ),
    );
    const lines = text.split('\n');
    expect(lines[0]).toMatch(/^user\s+writes$/);
    expect(lines[1]).toMatch(/^alice\s+ 5$/);
    expect(lines[1]?.length).toBe(lines[2]?.length);
    expect(text).toContain('2 rows; 2 of 10 records matched, 2.0 KB scanned');
  });

  test('hostile cells cannot reach the terminal: escapes, bidi overrides and newlines are neutralised', () => {
    const text = renderQueryResultTable(outcome([{ a: HOSTILE, b: 'line1\nline2\r\n' }], ['a', 'b']));
    expect(hasDangerous(text)).toBe(false);
    expect(text.split('\n').filter((l) => l.includes('line1'))[0]).toContain('line1 line2');
  });

  test('a narrow terminal cuts long cells with …', () => {
    const text = renderQueryResultTable(outcome([{ a: 'x'.repeat(200), n: '1' }], ['a', 'n']), { width: 40 });
    const table = text.split('\n\n')[0] ?? '';
    expect(table.split('\n')).toHaveLength(2);
    for (const line of table.split('\n')) expect(line.length).toBeLessThanOrEqual(40);
    expect(text).toContain('…');
  });

  test('no rows says so', () => {
    expect(renderQueryResultTable(outcome([], ['a']))).toMatch(/^No rows\.\n0 rows;/);
  });
});

describe('writeFileAtomic', () => {
  test('writes the file and leaves no temporary file behind', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eei-out-'));
    const file = path.join(dir, 'out.json');
    writeFileSync(file, 'old');
    await writeFileAtomic(file, 'new content');
    expect(readFileSync(file, 'utf8')).toBe('new content');
    expect(readdirSync(dir)).toEqual(['out.json']);
  });

  test('a missing directory is a usage error naming the file, and the old file is untouched on failure', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eei-out-'));
    const error = await writeFileAtomic(path.join(dir, 'no/such/dir/out.csv'), 'x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).message).toContain('out.csv');
    // Renaming over a directory fails after the temporary file was written: it must be cleaned up.
    const target = path.join(dir, 'target');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(path.join(target, 'child'), { recursive: true });
    await expect(writeFileAtomic(target, 'x')).rejects.toBeInstanceOf(UsageError);
    expect(readdirSync(dir)).toEqual(['target']);
  });
});
