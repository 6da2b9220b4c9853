import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { parseIsoTimestampMs } from '../../src/sources/readers/iso-timestamp.js';

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
