import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backwardNeedle, lastIndexOfBytes } from '../../src/sources/readers/byte-search.js';

/** Buffer.lastIndexOf kept inside [start, end): what lastIndexOfBytes must answer. */
function reference(buffer: Buffer, needle: Buffer, start: number, end: number): number {
  const from = end - needle.length;
  if (from < start) return -1;
  const at = buffer.lastIndexOf(needle, from);
  return at < start ? -1 : at;
}

describe('lastIndexOfBytes', () => {
  it('finds the last whole occurrence inside the range', () => {
    const line = Buffer.from('{"stageTimestamp":"a","x":{"stageTimestamp":"b"}}', 'latin1');
    const needle = Buffer.from('"stageTimestamp":"', 'latin1');
    const prepared = backwardNeedle(needle);
    expect(lastIndexOfBytes(line, prepared, 0, line.length)).toBe(27);
    // A match that runs past `end`, or starts before `start`, is not in the range.
    expect(lastIndexOfBytes(line, prepared, 0, 27 + needle.length - 1)).toBe(1);
    expect(lastIndexOfBytes(line, prepared, 2, 27 + needle.length - 1)).toBe(-1);
    expect(lastIndexOfBytes(line, prepared, 0, needle.length - 1)).toBe(-1);
  });

  it('refuses needles under 2 or over 255 bytes', () => {
    expect(() => backwardNeedle(new Uint8Array(1))).toThrow(RangeError);
    expect(() => backwardNeedle(new Uint8Array(256))).toThrow(RangeError);
  });

  it('answers as Buffer.lastIndexOf does on random bytes, needles and ranges', () => {
    // A small alphabet makes partial and overlapping matches common.
    const bytes = (max: number) =>
      fc.uint8Array({ minLength: 0, maxLength: max }).map((a) => a.map((b) => 97 + (b % 3)));
    fc.assert(
      fc.property(
        bytes(300),
        bytes(6).filter((n) => n.length > 1),
        fc.nat(),
        fc.nat(),
        (hay, pin, a, b) => {
          const buffer = Buffer.from(hay);
          const needle = Buffer.from(pin);
          const start = hay.length === 0 ? 0 : a % (hay.length + 1);
          const end = start + (hay.length - start === 0 ? 0 : b % (hay.length - start + 1));
          expect(lastIndexOfBytes(buffer, backwardNeedle(needle), start, end)).toBe(
            reference(buffer, needle, start, end),
          );
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('takes needles up to 255 bytes', () => {
    const needle = Buffer.alloc(255, 98);
    const hay = Buffer.concat([Buffer.alloc(10, 97), needle, Buffer.alloc(5, 97), needle.subarray(1)]);
    expect(lastIndexOfBytes(hay, backwardNeedle(needle), 0, hay.length)).toBe(10);
  });
});
