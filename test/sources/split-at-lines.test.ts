import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { lineShareOffset, splitAtLines } from '../../src/sources/parallel/split-at-lines.js';
import { auditLine } from './read-helpers.js';

/**
 * The cut between worker threads' ranges (split-at-lines.ts): at a line start, where about equally
 * many lines lie on each side, estimated from probes rather than counted.
 */
const dir = mkdtempSync(path.join(tmpdir(), 'eei-split-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const linesBefore = (file: string, offset: number): number =>
  readFileSync(file)
    .subarray(0, offset)
    .filter((b) => b === 10).length;

describe('splitting a file between threads', () => {
  it('cuts where the lines, not the bytes, are halved', async () => {
    // 6,000 short lines, then 6,000 lines ten times as long: the middle byte is far into the long ones.
    const short = auditLine({ verb: 'get' });
    const long = auditLine({ verb: 'create', requestURI: `/api/v1/${'x'.repeat(short.length * 9)}` });
    const file = path.join(dir, 'skewed.log');
    writeFileSync(file, `${[...Array(6000).fill(short), ...Array(6000).fill(long)].join('\n')}\n`);
    const size = readFileSync(file).length;
    const bounds = await splitAtLines(file, size, 2);
    expect(bounds).toHaveLength(2);
    const [[, firstEnd], [secondStart, secondEnd]] = bounds as [[number, number], [number, number]];
    expect(secondStart).toBe(firstEnd + 1);
    expect(secondEnd).toBe(size - 1);
    expect(readFileSync(file)[secondStart - 1]).toBe(10);
    // About 6,000 lines on each side (the probes read only the start of each stretch).
    expect(Math.abs(linesBefore(file, secondStart) - 6000)).toBeLessThan(300);
    expect(linesBefore(file, Math.floor(size / 2))).toBeGreaterThan(8000);
  });

  it('places a share of the lines by the stretches the probes measured', () => {
    const stretches = [
      { from: 0, to: 100, newlinesPerByte: 0.1 },
      { from: 100, to: 200, newlinesPerByte: 0.01 },
    ];
    // 10 lines in the first stretch, 1 in the second: half of 11 lies at byte 55.
    expect(lineShareOffset(stretches, 0.5)).toBe(55);
    expect(lineShareOffset(stretches, 1)).toBe(200);
    expect(lineShareOffset(stretches, 10.5 / 11)).toBe(150);
    // No newline met: the bytes are halved.
    expect(lineShareOffset([{ from: 0, to: 100, newlinesPerByte: 0 }], 0.5)).toBe(50);
    expect(lineShareOffset([], 0.5)).toBe(0);
  });
});
