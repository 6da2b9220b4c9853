import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createJsonByteScanner, type JsonByteScanner } from '../../src/insights/json-byte-scanner.js';
import { ShapeTable } from '../../src/insights/shape-table.js';

/**
 * The shape table must be exact: two lines share an id iff every slot of the subset is absent in
 * both or byte-identical, whatever the hash does. A Map keyed by the tokens is the oracle.
 */

const SLOT_COUNT = 5;

/** A stand-in scanner whose slots point at tokens laid out in a buffer. */
function fakeScan(tokens: readonly (string | null)[]): { buf: Uint8Array; scanner: JsonByteScanner } {
  const slotStart = new Int32Array(SLOT_COUNT).fill(-1);
  const slotEnd = new Int32Array(SLOT_COUNT).fill(-1);
  // Junk between tokens, so that a table reading outside a slot would see it.
  const parts: Buffer[] = [Buffer.from('##')];
  let at = 2;
  tokens.forEach((token, k) => {
    if (token === null) return;
    const bytes = Buffer.from(token, 'utf8');
    slotStart[k] = at;
    slotEnd[k] = at + bytes.length;
    parts.push(bytes, Buffer.from('#'));
    at += bytes.length + 1;
  });
  const scanner: JsonByteScanner = {
    fieldNames: [],
    scan: () => true,
    slotStart,
    slotEnd,
    found: () => false,
  };
  return { buf: Buffer.concat(parts), scanner };
}

// Few distinct tokens, so that shapes repeat; '' is a present empty token, null is absent.
const token = fc.constantFrom<string | null>(
  null,
  '',
  '"get"',
  '"list"',
  '200',
  '"é"',
  '"a\\"b"',
  '2',
  '"2"',
  'true',
);
const lineTokens = fc.array(token, { minLength: SLOT_COUNT, maxLength: SLOT_COUNT });
const subset = fc.uniqueArray(fc.nat(SLOT_COUNT - 1), { maxLength: SLOT_COUNT });

function expectedIds(
  lines: readonly (string | null)[][],
  slots: readonly number[],
  capacity: number,
): number[] {
  const seen = new Map<string, number>();
  return lines.map((tokens) => {
    const key = JSON.stringify(slots.map((k) => tokens[k]));
    let id = seen.get(key);
    if (id === undefined) {
      if (seen.size >= capacity) return -1;
      id = seen.size;
      seen.set(key, id);
    }
    return id;
  });
}

describe('ShapeTable', () => {
  for (const hashMask of [undefined, 0, 1]) {
    it(`numbers shapes in first-seen order and equal iff equal bytes (hash mask ${String(hashMask)})`, () => {
      fc.assert(
        fc.property(
          fc.array(lineTokens, { maxLength: 80 }),
          subset,
          fc.integer({ min: 0, max: 40 }),
          (lines, slots, capacity) => {
            const table = new ShapeTable(slots, capacity, hashMask === undefined ? {} : { hashMask });
            const ids = lines.map((tokens) => {
              const { buf, scanner } = fakeScan(tokens);
              return table.intern(buf, scanner);
            });
            const expected = expectedIds(lines, slots, capacity);
            expect(ids).toEqual(expected);
            expect(table.size).toBe(Math.max(0, ...expected) + (expected.some((id) => id >= 0) ? 1 : 0));
          },
        ),
        { numRuns: 300 },
      );
    });
  }

  it('keeps thousands of colliding shapes apart and grows past its initial sizes', () => {
    const table = new ShapeTable([0, 1], 100_000, { hashMask: 0 });
    const big = new ShapeTable([0, 1], 100_000);
    const before = big.bytes;
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 3000; i++) {
        // Long tokens that share a long prefix and differ at the end.
        const { buf, scanner } = fakeScan([`"${'x'.repeat(40)}${i}"`, i % 3 === 0 ? null : String(i % 7)]);
        expect(big.intern(buf, scanner)).toBe(i);
        if (i < 1500) expect(table.intern(buf, scanner)).toBe(i);
      }
    }
    expect(big.size).toBe(3000);
    expect(table.size).toBe(1500);
    expect(big.bytes).toBeGreaterThan(before);
    expect(big.bytes).toBeGreaterThan(3000 * 40);
  });

  it('when full, answers -1 for new shapes only', () => {
    const table = new ShapeTable([0], 2);
    const id = (t: string | null): number => {
      const { buf, scanner } = fakeScan([t]);
      return table.intern(buf, scanner);
    };
    expect([id('1'), id('2'), id('3'), id('1'), id('2'), id(null), id('3')]).toEqual([
      0, 1, -1, 0, 1, -1, -1,
    ]);
    expect(table.size).toBe(2);
  });

  it('refuses new shapes whose tokens would pass the byte budget, and still finds the kept ones', () => {
    const table = new ShapeTable([0, 1], 100, { maxSignatureBytes: 20 });
    const id = (a: string | null, b: string | null): number => {
      const { buf, scanner } = fakeScan([a, b]);
      return table.intern(buf, scanner);
    };
    expect(id('"abcdefgh"', '1')).toBe(0);
    expect(id('"ijklmnopqrst"', null)).toBe(-1);
    expect(id('"abcdefgh"', '1')).toBe(0);
    expect(id('"ijkl"', '22')).toBe(1);
    expect(id('"x"', '3')).toBe(-1);
    expect(id(null, null)).toBe(2);
    expect(table.size).toBe(3);
  });

  it('interns real scanned lines by the chosen slots', () => {
    const scanner = createJsonByteScanner(['verb', 'user.username', 'objectRef.resource']) as JsonByteScanner;
    const table = new ShapeTable([0, 2], 10);
    const lines = [
      '{"verb":"get","user":{"username":"a"},"objectRef":{"resource":"pods"},"auditID":"1"}',
      '{"auditID":"2", "verb":"get","user":{"username":"b"},"objectRef":{"resource":"pods","name":"x"}}',
      '{"verb":"list","objectRef":{"resource":"pods"}}',
      '{"verb":"get","objectRef":{"resource":null}}',
      '{"verb":"get"}',
      '{"verb":"g\\u0065t","objectRef":{"resource":"pods"}}',
    ];
    const ids = lines.map((text) => {
      const buf = Buffer.from(text);
      expect(scanner.scan(buf, 0, buf.length)).toBe(true);
      return table.intern(buf, scanner);
    });
    // null reads as absent (getField gives undefined for both); a differently spelled value is a new shape.
    expect(ids).toEqual([0, 0, 1, 2, 2, 3]);
  });

  // The WebAssembly scanner interns in a table of its own; with the JS scanner the table does the
  // work. Both must give the oracle's ids, even when every hash collides.
  const FIELDS = ['verb', 'user.username', 'objectRef.resource', 'responseStatus.code'];
  const value = fc.constantFrom<string | null>(
    null,
    '"get"',
    '"list"',
    '"a"',
    '"é"',
    '"a\\"b"',
    '200',
    '2',
    '"2"',
    'true',
    '{}',
  );
  // A few token tuples, each repeated at several offsets and with other keys around it.
  const realLines = fc
    .tuple(
      fc.array(fc.tuple(value, value, value, value), { minLength: 1, maxLength: 6 }),
      fc.array(fc.tuple(fc.nat(), fc.constantFrom('', ' ', '"x":1,', '"auditID":"abcdefghij",')), {
        maxLength: 60,
      }),
    )
    .map(([pool, picks]) =>
      picks.map(([i, filler]) => [...(pool[i % pool.length] as (string | null)[]), filler] as const),
    );
  for (const kind of ['wasm', 'js'] as const) {
    for (const hashMask of [undefined, 0]) {
      it(`interns real lines through the ${kind} scanner exactly (hash mask ${String(hashMask)})`, () => {
        fc.assert(
          fc.property(realLines, (lines) => {
            const scanner = createJsonByteScanner(FIELDS, kind) as JsonByteScanner;
            const table = new ShapeTable([0, 1, 2, 3], 1000, hashMask === undefined ? {} : { hashMask });
            const oracle = new Map<string, number>();
            for (const [verb, user, resource, code, filler] of lines) {
              const text = `{${filler}"verb":${verb ?? 'null'},"user":{"username":${user ?? 'null'}},"objectRef":{"resource":${resource ?? 'null'}},"responseStatus":{"code":${code ?? 'null'}}}`;
              // Offset in a bigger buffer: the hash must depend on the tokens, not where they sit.
              const buf = Buffer.from(`${'#'.repeat(text.length % 7)}${text}`);
              const start = text.length % 7;
              expect(scanner.scan(buf, start, buf.length)).toBe(true);
              const key = JSON.stringify(
                FIELDS.map((_, k) => {
                  const at = scanner.slotStart[k] as number;
                  return at < 0 ? null : buf.toString('utf8', at, scanner.slotEnd[k]);
                }),
              );
              let id = oracle.get(key);
              if (id === undefined) {
                id = oracle.size;
                oracle.set(key, id);
              }
              expect(table.intern(buf, scanner)).toBe(id);
            }
          }),
          { numRuns: 200 },
        );
      });
    }
  }

  it('refuses a line the WebAssembly scanner passed to its JS fallback (its own table cannot take it)', () => {
    const scanner = createJsonByteScanner(['verb'], 'wasm') as JsonByteScanner;
    const table = new ShapeTable([0], 10);
    const short = Buffer.from('{"verb":"get"}');
    expect(scanner.scan(short, 0, short.length)).toBe(true);
    expect(table.intern(short, scanner)).toBe(0);
    // Past the scanner's 4 MiB line area: scanned in JS, valid, but without the scanner's hash.
    const long = Buffer.from(`{"verb":"get","pad":"${'x'.repeat(5 * 1024 * 1024)}"}`);
    expect(scanner.scan(long, 0, long.length)).toBe(true);
    expect(table.intern(long, scanner)).toBe(-1);
    expect(scanner.scan(short, 0, short.length)).toBe(true);
    expect(table.intern(short, scanner)).toBe(0);
  });

  describe("in the WebAssembly scanner's own table", () => {
    const scanned = (scanner: JsonByteScanner, text: string): Buffer => {
      const buf = Buffer.from(text);
      expect(scanner.scan(buf, 0, buf.length)).toBe(true);
      return buf;
    };
    const line = (verb: string, pad = ''): string => `{"verb":"${verb}","pad":"${pad}"}`;

    it('refuses new shapes past its capacity, and still finds the ones it holds', () => {
      const scanner = createJsonByteScanner(['verb'], 'wasm') as JsonByteScanner;
      const table = new ShapeTable([0], 2);
      const ids = ['get', 'list', 'watch', 'get', 'list', 'watch'].map((verb) =>
        table.intern(scanned(scanner, line(verb)), scanner),
      );
      expect(ids).toEqual([0, 1, -1, 0, 1, -1]);
      expect(table.size).toBe(2);
    });

    it('refuses a shape whose tokens would pass maxSignatureBytes', () => {
      const scanner = createJsonByteScanner(['verb'], 'wasm') as JsonByteScanner;
      const table = new ShapeTable([0], 100, { maxSignatureBytes: 20 });
      // Tokens with their quotes: 10 + 9 bytes fit in 20, the next 3 do not; an empty arena's limit holds too.
      const ids = ['12345678', '1234567', 'a', '12345678'].map((verb) =>
        table.intern(scanned(scanner, line(verb)), scanner),
      );
      expect(ids).toEqual([0, 1, -1, 0]);
      expect(table.size).toBe(2);
    });

    it('keeps its shapes when a long line grows the line area past the table', () => {
      const scanner = createJsonByteScanner(['verb', 'pad'], 'wasm') as JsonByteScanner;
      const table = new ShapeTable([0, 1], 1000, { hashMask: 0 });
      const short = line('get');
      const long = line('get', 'x'.repeat(300 * 1024));
      const longer = line('get', 'y'.repeat(900 * 1024));
      const ids = [short, long, short, longer, long, short].map((text) =>
        table.intern(scanned(scanner, text), scanner),
      );
      expect(ids).toEqual([0, 1, 0, 2, 1, 0]);
    });

    it('takes its lines from one scanner', () => {
      const one = createJsonByteScanner(['verb'], 'wasm') as JsonByteScanner;
      const other = createJsonByteScanner(['verb'], 'wasm') as JsonByteScanner;
      const table = new ShapeTable([0], 10);
      expect(table.intern(scanned(one, line('get')), one)).toBe(0);
      expect(() => table.intern(scanned(other, line('get')), other)).toThrow(/one scanner/);
    });
  });
});
