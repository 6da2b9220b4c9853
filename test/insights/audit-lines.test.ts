import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonByteScanner, type JsonByteScanner } from '../../src/insights/json-byte-scanner.js';
import { ShapeTable } from '../../src/insights/shape-table.js';
import { auditTimestampFromBytes } from '../../src/sources/readers/audit-line.js';

/**
 * The WebAssembly scanner's run over a chunk of raw audit lines (native/audit-lines.c) against what
 * the reader does one line at a time: the line splitting (line-splitter.ts), the time
 * (auditTimestampFromBytes), the scan and the shape. Every line it takes must have the time and shape
 * the per-line path gives; it may leave a line to the reader only when that path could not take it
 * or its time is not in the layout read by position.
 */

const FIELDS = ['verb', 'user.username', 'objectRef.resource', 'responseStatus.code'];
const LIMITS = { capacity: 20_000, maxSignatureBytes: 1 << 20, hashMask: -1 };

/** The common layout `YYYY-MM-DDTHH:MM:SS[.f+]Z` with in-range fields and a year from 100. */
function positional(value: string): boolean {
  const m = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(\.\d+)?Z$/.exec(value);
  if (m === null) return false;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as number[];
  return (
    (y as number) >= 100 &&
    (mo as number) >= 1 &&
    (mo as number) <= 12 &&
    (d as number) >= 1 &&
    (d as number) <= 31 &&
    (h as number) <= 23 &&
    (mi as number) <= 59 &&
    (s as number) <= 60
  );
}

/** The value auditTimestampFromBytes reads: after the last `"<key>":"` of the first key present. */
function timeValue(line: string): string | undefined {
  for (const key of ['stageTimestamp', 'requestReceivedTimestamp', 'timestamp']) {
    const needle = `"${key}":"`;
    const at = line.lastIndexOf(needle);
    if (at === -1) continue;
    const from = at + needle.length;
    const to = line.indexOf('"', from);
    return to === -1 ? undefined : line.slice(from, to);
  }
  return undefined;
}

interface Expected {
  start: number;
  end: number;
  time: number;
  shape: number;
}

/**
 * Reads `chunk` the way the reader does with a run hook: a run from each position, the line it stops
 * at read one by one. Returns the lines the runs took, and checks every line either way.
 */
function readChunk(chunk: Buffer, maxLineBytes: number): { taken: Expected[]; left: number } {
  const run = createJsonByteScanner(FIELDS, 'wasm') as JsonByteScanner;
  const runTable = new ShapeTable(
    FIELDS.map((_, k) => k),
    LIMITS.capacity,
    LIMITS,
  );
  // The per-line path, fed the lines the runs took in the same order: the ids must agree.
  const single = createJsonByteScanner(FIELDS, 'wasm') as JsonByteScanner;
  const singleTable = new ShapeTable(
    FIELDS.map((_, k) => k),
    LIMITS.capacity,
    LIMITS,
  );
  const taken: Expected[] = [];
  let left = 0;
  let pos = 0;
  for (;;) {
    const lines = runTable.internAuditLines(chunk, 1, pos, maxLineBytes, run);
    if (lines === undefined) throw new Error('no run');
    const before = pos;
    for (let i = 0; i < lines.count; i++) {
      const start = lines.starts[i] as number;
      const end = lines.ends[i] as number;
      const time = lines.times[i] as number;
      expect(auditTimestampFromBytes(chunk, start, end), chunk.toString('utf8', start, end)).toBe(time);
      expect(single.scan(chunk, start, end)).toBe(true);
      expect(singleTable.intern(chunk, single)).toBe(lines.shapes[i]);
      taken.push({ start, end, time, shape: lines.shapes[i] as number });
    }
    // The reader's line numbers go on by the newlines between `before` and the run's stop.
    const passed = chunk.subarray(before, lines.stop).filter((b) => b === 10).length;
    expect(lines.lines).toBe(passed);
    pos = lines.stop;
    const newline = chunk.indexOf(10, pos);
    if (newline === -1) {
      expect(lines.refused).toBe(false);
      break;
    }
    if (!lines.refused) continue;
    // The line left to the reader: one the per-line path cannot take as the run would have.
    left++;
    let end = newline;
    if (end > pos && chunk[end - 1] === 13) end--;
    const text = chunk.toString('utf8', pos, end);
    const fits = newline - pos <= maxLineBytes;
    // Blank lines are passed over, unless too long (the reader reports those).
    if (fits) expect(text.trim()).not.toBe('');
    const time = auditTimestampFromBytes(chunk, pos, end);
    const value = timeValue(chunk.toString('latin1', pos, end));
    const scans = chunk[pos] === 123 && single.scan(chunk, pos, end);
    expect(!fits || !scans || time === undefined || value === undefined || !positional(value), text).toBe(
      true,
    );
    pos = newline + 1;
  }
  return { taken, left };
}

const event = (fields: string): string =>
  `{"kind":"Event","verb":"create","user":{"username":"u"},"objectRef":{"resource":"pods"},${fields}}`;

describe('a run of raw audit lines in WebAssembly', () => {
  it('takes lines with the per-line time and shape, and leaves the others to the reader', () => {
    const lines = [
      event('"stageTimestamp":"2024-06-14T00:00:01.123456Z"'),
      event('"requestReceivedTimestamp":"2024-06-14T00:00:02Z","stageTimestamp":"2024-06-14T00:00:03.5Z"'),
      event('"requestReceivedTimestamp":"2024-06-14T00:00:04.1Z"'),
      event('"timestamp":"2024-06-14T00:00:05.123456789Z"'),
      // The last occurrence wins, at any depth; a key with space before its colon is no occurrence.
      event(
        '"stageTimestamp":"2024-06-14T00:00:06Z","annotations":{"stageTimestamp":"2024-06-14T09:00:00Z"}',
      ),
      event(
        '"annotations":{"stageTimestamp":"2024-06-14T09:00:01Z"},"stageTimestamp" :"2024-06-14T00:00:07Z"',
      ),
      event('"stageTimestamp": "2024-06-14T00:00:08Z","requestReceivedTimestamp":"2024-06-14T00:00:08.5Z"'),
      event('"stage\\u0054imestamp":"2024-06-14T00:00:09Z","timestamp":"2024-06-14T00:00:09.9Z"'),
      // Calendar edges Date.UTC rolls over, and layouts only the string parser reads.
      event('"stageTimestamp":"2024-02-30T23:59:60.999Z"'),
      event('"stageTimestamp":"1969-12-31T23:59:59.999Z"'),
      event('"stageTimestamp":"0050-01-01T00:00:00Z"'),
      event('"stageTimestamp":"9999-12-31T23:59:59Z"'),
      event('"stageTimestamp":"2024-06-14 00:00:10Z"'),
      event('"stageTimestamp":"2024-06-14T00:00:11+00:00"'),
      event('"stageTimestamp":"2024-06-14T00:00:12.Z"'),
      event('"stageTimestamp":"2024-13-14T00:00:13Z"'),
      event('"stageTimestamp":"2024-06-14T24:00:00Z"'),
      event('"stageTimestamp":"2024-06-14T00:60:00Z"'),
      event('"stageTimestamp":"2024-06-14T00:00:61Z"'),
      event(`"stageTimestamp":"2024-06-14T00:00:14.${'1'.repeat(60)}Z"`),
      event('"stageTimestamp":"2024-06-14T00:00:15\u00e9Z"'),
      event('"stageTimestamp":"yesterday"'),
      event('"stageTimestamp":7'),
      event('"other":1'),
      // Splitting: CR, blank and space-only lines, text after the object, broken JSON.
      `${event('"stageTimestamp":"2024-06-14T00:00:16Z"')}\r`,
      '',
      '  \t ',
      '\r',
      `${event('"stageTimestamp":"2024-06-14T00:00:17Z"')} \t`,
      `${event('"stageTimestamp":"2024-06-14T00:00:18Z"')} x`,
      ` ${event('"stageTimestamp":"2024-06-14T00:00:19Z"')}`,
      event('"stageTimestamp":"2024-06-14T00:00:20Z"').slice(0, -1),
      'not json "stageTimestamp":"2024-06-14T00:00:21Z"',
    ];
    const chunk = Buffer.from(`${[...lines, ...lines].join('\n')}\n${lines[0]}`);
    const { taken, left } = readChunk(chunk, 1 << 20);
    expect(taken.length).toBeGreaterThan(20);
    expect(left).toBeGreaterThan(20);
    expect(new Set(taken.map((t) => t.shape)).size).toBeLessThan(taken.length);
    // A line longer than the limit is the reader's, even a blank one.
    const long = readChunk(Buffer.from(`${lines[0]}\n${' '.repeat(300)}\n${lines[0]}\n`), 200);
    expect([long.taken.length, long.left]).toEqual([2, 1]);
  });

  it('agrees with the per-line path on random lines', () => {
    const digit = (n: number) =>
      fc.integer({ min: 0, max: 10 ** n - 1 }).map((v) => String(v).padStart(n, '0'));
    const time = fc
      .tuple(
        digit(4),
        digit(2),
        digit(2),
        digit(2),
        digit(2),
        digit(2),
        fc.option(digit(9).map((d) => d.slice(0, 1 + (d.charCodeAt(0) % 9)))),
      )
      .map(([y, mo, d, h, mi, s, f]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${f === null ? '' : `.${f}`}Z`);
    const key = fc.constantFrom('stageTimestamp', 'requestReceivedTimestamp', 'timestamp', 'stage', 'verb');
    const member = fc
      .tuple(key, time, fc.constantFrom(':', ': ', ' :'), fc.boolean())
      .map(([k, t, colon, nested]) => (nested ? `"o":{"${k}"${colon}"${t}"}` : `"${k}"${colon}"${t}"`));
    const line = fc
      .tuple(
        fc.array(member, { maxLength: 4 }),
        fc.constantFrom('', '\r', ' ', '}'),
        fc.constantFrom('get', 'list'),
      )
      .map(([members, tail, verb]) => `{"verb":"${verb}"${members.map((m) => `,${m}`).join('')}}${tail}`);
    fc.assert(
      fc.property(
        fc.array(fc.oneof(line, fc.constantFrom('', ' ')), { minLength: 1, maxLength: 30 }),
        (lines) => {
          readChunk(Buffer.from(`${lines.join('\n')}\n`), 1 << 20);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('takes as many lines as the output holds, then goes on from the next', () => {
    const lines = Array.from({ length: 2500 }, (_, i) =>
      event(
        `"stageTimestamp":"2024-06-14T00:${String(Math.floor(i / 60) % 60).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}Z"`,
      ),
    );
    const { taken, left } = readChunk(Buffer.from(`${lines.join('\n')}\n`), 1 << 20);
    expect(taken.length).toBe(2500);
    expect(left).toBe(0);
  });
});
