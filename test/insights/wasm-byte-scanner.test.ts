import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, parsesAsObject } from './json-bytes-support.js';
import { createJsonByteScanner, type JsonByteScanner } from '../../src/insights/json-byte-scanner.js';

/**
 * The WebAssembly scanner (native/json-scan.c) against the JS reference and JSON.parse, where the
 * two implementations differ in how they work: strings and keys skipped 16 bytes at a time (every
 * special byte at every offset around the 16-byte steps), the copy of each line into wasm memory
 * (bytes left there by a longer line must not count, memory grows for long lines, the longest go to
 * the JS scanner), and slots shifted back to the caller's buffer.
 */

const slots = (s: JsonByteScanner): number[][] => [[...s.slotStart], [...s.slotEnd]];

/** Scans with both; asserts they agree (acceptance and slots) and that acceptance implies JSON.parse. */
function both(names: string[]): (buf: Uint8Array, start?: number, end?: number) => boolean {
  const js = createJsonByteScanner(names, 'js') as JsonByteScanner;
  const wasm = createJsonByteScanner(names, 'wasm') as JsonByteScanner;
  return (buf, start = 0, end = buf.length) => {
    const a = js.scan(buf, start, end);
    const b = wasm.scan(buf, start, end);
    expect(b, Buffer.from(buf.subarray(start, end)).toString('latin1').slice(0, 200)).toBe(a);
    if (a) {
      expect(slots(wasm)).toEqual(slots(js));
      expect(parsesAsObject(buf.subarray(start, end))).toBe(true);
    }
    return a;
  };
}

/** Special bytes and sequences, each put at every offset of strings up to 48 bytes long. */
const SPECIALS: number[][] = [
  [0x00],
  [0x0a],
  [0x1f],
  [0x20],
  [0x22],
  [0x5c],
  [0x5c, 0x22],
  [0x5c, 0x5c],
  [0x5c, 0x2f],
  [0x5c, 0x62],
  [0x5c, 0x66],
  [0x5c, 0x6e],
  [0x5c, 0x72],
  [0x5c, 0x74],
  [0x5c, 0x75, 0x30, 0x30, 0x65, 0x39],
  [0x5c, 0x75, 0x44, 0x38, 0x30, 0x30],
  [0x5c, 0x75, 0x30, 0x30, 0x67, 0x39],
  [0x5c, 0x75, 0x30, 0x30],
  [0x5c, 0x78],
  [0x5c, 0x55],
  [0x5c, 0x61],
  [0x7f],
  [0x80],
  [0xc3, 0xa9],
  [0xff],
];

describe('the WebAssembly JSON byte scanner', () => {
  it('finds every special byte at every offset of long strings, values and selected keys', () => {
    const scan = both(['v', 'k'.repeat(40)]);
    let accepted = 0;
    let rejected = 0;
    for (let length = 0; length <= 48; length++)
      for (let at = 0; at <= length; at += length > 20 ? 3 : 1)
        for (const special of SPECIALS) {
          const inner = bytes('a'.repeat(at), special, 'b'.repeat(length - at));
          const escaped = special[0] === 0x5c;
          for (const [line, plainOnly] of [
            [bytes('{"v":"', inner, '"}'), false],
            [bytes('{"w":"', inner, '","v":1}'), false],
            // A key at a selected level (refused when escaped) and at an unselected one.
            [bytes('{"', inner, '":1,"v":2}'), true],
            [bytes('{"o":{"', inner, '":1},"v":2}'), false],
          ] as const) {
            const ok = scan(line);
            expect(ok).toBe(parsesAsObject(line) && !(plainOnly && escaped));
            if (ok) accepted++;
            else rejected++;
          }
        }
    expect(accepted).toBeGreaterThan(5000);
    expect(rejected).toBeGreaterThan(5000);
    // A selected key longer than 16 bytes, found or missed by one byte at each end.
    const key = 'k'.repeat(40);
    expect(scan(bytes(`{"${key}":"x"}`))).toBe(true);
    expect(scan(bytes(`{"${key}k":"x","v":"${'y'.repeat(33)}"}`))).toBe(true);
    expect(scan(bytes(`{"j${key.slice(1)}":"x"}`))).toBe(true);
  });

  it('matches selected keys of every length up to 40 bytes only when every byte is equal', () => {
    for (let length = 1; length <= 40; length++) {
      const name = 'k'.repeat(length);
      const scanner = createJsonByteScanner([name, 'k'], 'wasm') as JsonByteScanner;
      const scan = both([name, 'k']);
      expect(scan(bytes(`{"${name}":7}`))).toBe(true);
      expect(scanner.scan(bytes(`{"${name}":7}`), 0, length + 6)).toBe(true);
      expect(scanner.slotStart[0]).toBe(length + 4);
      for (let at = 0; at < length; at++) {
        const key = `${name.slice(0, at)}j${name.slice(at + 1)}`;
        for (const line of [bytes(`{"${key}":7}`), bytes(`{"${key}":7,"${name}":8}`)]) {
          expect(scanner.scan(line, 0, line.length)).toBe(true);
          // Found only in the second line, as its second key.
          expect(scanner.slotStart[0]).toBe(line.indexOf('8'));
          expect(scan(line)).toBe(true);
        }
      }
    }
  });

  it('accepts each escape and rejects each invalid one, at every alignment', () => {
    const scan = both(['v']);
    const good = [
      '\\"',
      '\\\\',
      '\\/',
      '\\b',
      '\\f',
      '\\n',
      '\\r',
      '\\t',
      '\\u0041',
      '\\uD800',
      '\\udfff',
      '\\uAbCd',
    ];
    const bad = ['\\a', '\\x', '\\U0041', '\\u00G0', '\\u12', '\\u', '\\', '\\0', '\\ '];
    for (let pad = 0; pad < 20; pad++) {
      for (const e of good) expect(scan(bytes(`{"v":"${'p'.repeat(pad)}${e}q"}`)), e).toBe(true);
      for (const e of bad) expect(scan(bytes(`{"v":"${'p'.repeat(pad)}${e}q"}`)), e).toBe(false);
    }
  });

  it('allows bytes >= 0x80 inside strings only, and below 0x20 only as whitespace outside them', () => {
    const scan = both(['v']);
    for (let b = 0; b < 256; b++) {
      expect(scan(bytes('{"v":"ab', [b], 'cd"}')), `in string ${b}`).toBe(
        b >= 0x20 && b !== 0x22 && b !== 0x5c,
      );
      const digit = b >= 0x30 && b <= 0x39;
      expect(scan(bytes('{"v":1', [b], '}')), `after value ${b}`).toBe(digit || [9, 10, 13, 32].includes(b));
      expect(scan(bytes('{', [b], '"v":1}')), `before key ${b}`).toBe([9, 10, 13, 32].includes(b));
    }
  });

  it('ignores what a longer line left in wasm memory after the current line', () => {
    const scan = both(['v', 'w']);
    const long = bytes('{"w":"', 'x'.repeat(100), '","v":"', 'y'.repeat(100), '"}');
    expect(scan(long)).toBe(true);
    // Each prefix of the long line: the old bytes after it complete strings and objects.
    for (let cut = 1; cut < long.length; cut++) expect(scan(long, 0, cut)).toBe(false);
    expect(scan(bytes('{"v":"a'), 0, 7)).toBe(false);
  });

  it('grows its memory for long lines and hands the longest to the JS scanner, slots shifted right', () => {
    const wasm = createJsonByteScanner(['v', 'w', 'u'], 'wasm') as JsonByteScanner;
    /** A line of `length` bytes whose long string ends 12 bytes before the line's end. */
    const check = (length: number, lead: number): void => {
      const filler = length - 18;
      const body = bytes('{"w":"', 'x'.repeat(filler), '","v":', '"end"', '}');
      const framed = bytes(' '.repeat(lead), body, '\n{"v":1}');
      expect(wasm.scan(framed, lead, lead + body.length)).toBe(true);
      expect(body.length).toBe(length);
      const v = Buffer.from(framed.subarray(wasm.slotStart[0], wasm.slotEnd[0])).toString();
      expect(v).toBe('"end"');
      expect(wasm.slotStart[1]).toBe(lead + 5);
      expect(wasm.slotEnd[1]).toBe(lead + 5 + filler + 2);
      // found() answers for the line just scanned, by wasm or by the JS scanner.
      expect([wasm.found(0), wasm.found(1), wasm.found(2)]).toEqual([true, true, false]);
      // The string cut one byte before its end, and the object without its last brace.
      expect(wasm.scan(framed, lead, lead + body.length - 2)).toBe(false);
      expect(wasm.scan(framed, lead, lead + body.length - 1)).toBe(false);
    };
    const around = (size: number): number[] => [
      size - 20,
      size - 16,
      size - 15,
      size - 14,
      size - 1,
      size,
      size + 1,
    ];
    for (const size of [...around(64 * 1024), ...around(128 * 1024), 1_000_000, 5_000_000]) check(size, 3);
    // Short lines still right after the memory grew, and another scanner is unaffected.
    check(30, 0);
    const other = both(['v']);
    expect(other(bytes('{"v":"a"}'))).toBe(true);
  });

  it('agrees with the JS scanner on random JSON objects, mangled or not', () => {
    const scan = both(['a', 'b.c', 'b', 'x.y.z', 'é']);
    const key = fc.constantFrom('a', 'b', 'c', 'b.c', 'x', 'y', 'z', 'x.y', 'é', 'q'.repeat(17));
    const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
      v: fc.oneof(
        { depthSize: 'small' },
        fc.oneof(fc.string({ unit: 'binary', maxLength: 40 }), fc.double(), fc.boolean(), fc.constant(null)),
        fc.array(tie('v'), { maxLength: 3 }),
        fc.dictionary(key, tie('v'), { maxKeys: 4 }),
      ),
    })).v;
    const edit = fc.tuple(fc.nat(), fc.constantFrom(0, 1, 2), fc.nat(255));
    let accepted = 0;
    fc.assert(
      fc.property(
        fc.dictionary(key, value, { maxKeys: 6 }),
        fc.array(edit, { maxLength: 2 }),
        (object, edits) => {
          let line: Buffer = Buffer.from(JSON.stringify(object), 'utf8');
          for (const [at, kind, byte] of edits) {
            const i = at % (line.length + 1);
            if (kind === 0) line = line.subarray(0, i);
            else if (kind === 1) line = bytes(line.subarray(0, i), [byte], line.subarray(i));
            else line = bytes(line.subarray(0, i), [byte], line.subarray(i + 1));
          }
          if (scan(line)) accepted++;
        },
      ),
      { numRuns: 3000 },
    );
    expect(accepted).toBeGreaterThan(600);
  });
});
