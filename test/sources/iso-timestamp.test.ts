import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseIsoTimestampBytes, parseIsoTimestampMs } from '../../src/sources/readers/iso-timestamp.js';

describe('parseIsoTimestampMs', () => {
  test('microseconds are cut to milliseconds, not rounded', () => {
    expect(parseIsoTimestampMs('2023-10-04T12:45:30.850983Z')).toBe(Date.UTC(2023, 9, 4, 12, 45, 30, 850));
  });
  test('no fraction, short fraction, offsets and space separator', () => {
    expect(parseIsoTimestampMs('2017-09-11T19:55:05Z')).toBe(Date.UTC(2017, 8, 11, 19, 55, 5));
    expect(parseIsoTimestampMs('2017-09-11T19:55:05.5Z')).toBe(Date.UTC(2017, 8, 11, 19, 55, 5, 500));
    expect(parseIsoTimestampMs('2017-09-11T21:55:05+02:00')).toBe(Date.UTC(2017, 8, 11, 19, 55, 5));
    expect(parseIsoTimestampMs('2024-05-19 06:10:35.743Z')).toBe(Date.UTC(2024, 4, 19, 6, 10, 35, 743));
  });
  test('garbage is NaN', () => {
    expect(parseIsoTimestampMs('yesterday')).toBeNaN();
    expect(parseIsoTimestampMs('2017-13-11T19:55:05Z')).toBeNaN();
    expect(parseIsoTimestampMs('')).toBeNaN();
  });
  test('agrees with Date.parse on millisecond timestamps', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1971-01-01Z'), max: new Date('2200-01-01Z'), noInvalidDate: true }),
        (date) => {
          const iso = date.toISOString();
          expect(parseIsoTimestampMs(iso)).toBe(date.getTime());
        },
      ),
    );
  });
});

describe('parseIsoTimestampBytes', () => {
  // Timestamps and near misses: every position may hold a digit, a separator or something else.
  const near = fc
    .tuple(
      fc.date({ min: new Date('1971-01-01Z'), max: new Date('2200-01-01Z'), noInvalidDate: true }),
      fc.nat(7),
      fc.array(fc.tuple(fc.nat(30), fc.constantFrom('0', '9', 'T', ' ', ':', '-', '.', 'Z', 'x', '+')), {
        maxLength: 2,
      }),
    )
    .map(([date, fraction, edits]) => {
      let text = date
        .toISOString()
        .replace(/\.\d+Z$/, fraction === 0 ? 'Z' : `.${'1234567'.slice(0, fraction)}Z`);
      for (const [at, c] of edits)
        text = text.slice(0, at % (text.length + 1)) + c + text.slice((at % (text.length + 1)) + 1);
      return text;
    });

  test('gives what the string parser gives, from the bytes inside a larger buffer', () => {
    fc.assert(
      fc.property(fc.oneof(near, fc.string({ maxLength: 30 })), fc.string({ maxLength: 4 }), (text, pad) => {
        const bytes = Buffer.from(`${pad}${text}${pad}`, 'latin1');
        const start = Buffer.byteLength(pad, 'latin1');
        const got = parseIsoTimestampBytes(bytes, start, start + Buffer.byteLength(text, 'latin1'));
        expect(Object.is(got, parseIsoTimestampMs(Buffer.from(text, 'latin1').toString('latin1')))).toBe(
          true,
        );
      }),
      { numRuns: 5000 },
    );
  });

  // The minute of the line before is remembered: lines in a row share it, or a near miss of it.
  test('gives what the string parser gives for runs of times in the same minute', () => {
    const rest = fc.tuple(
      fc.constantFrom('00', '07', '59', '60', '61', '9x'),
      fc.constantFrom('', '.', '.5', '.123', '.1234567', '.12a'),
      fc.constantFrom('Z', 'z', '+00:00'),
    );
    fc.assert(
      fc.property(near, fc.array(rest, { minLength: 1, maxLength: 6 }), (text, rests) => {
        const minute = text.slice(0, 17);
        for (const [second, fraction, zone] of rests) {
          const time = `${minute}${second}${fraction}${zone}`;
          const bytes = Buffer.from(time, 'latin1');
          expect(Object.is(parseIsoTimestampBytes(bytes, 0, bytes.length), parseIsoTimestampMs(time))).toBe(
            true,
          );
        }
      }),
      { numRuns: 3000 },
    );
    for (const time of [
      '2024-06-14T00:61:00Z',
      '2024-06-14T00:61:00Z',
      '2024-02-31T23:59:60.5Z',
      '2024-02-31T23:59:01Z',
    ])
      expect(
        Object.is(parseIsoTimestampBytes(Buffer.from(time), 0, time.length), parseIsoTimestampMs(time)),
      ).toBe(true);
  });
});
