/**
 * An input the source cannot read to its end (a truncated gzip) makes the report incomplete: the
 * events after the cut are missing, so the timeline may stop early and the counts are too small.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { analyzeIncident } from '../../src/analysis/incident.js';
import { createLocalSource } from '../../src/sources/local-source.js';
import { analysisQueryTexts } from './analysis-support.js';

const sample = path.resolve(__dirname, '../../examples/sample-incident.jsonl.gz');
const dir = mkdtempSync(path.join(tmpdir(), 'cut-short-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const analyse = (file: string) =>
  analyzeIncident({
    source: createLocalSource({ paths: [file] }),
    queries: analysisQueryTexts(),
    now: Date.parse('2025-01-01T00:00:00Z'),
  });

describe('an input cut short', () => {
  test('a truncated gzip: the findings before the cut, complete false, and a warning naming the file', async () => {
    const whole = readFileSync(sample);
    const cut = path.join(dir, 'cut.jsonl.gz');
    writeFileSync(cut, whole.subarray(0, Math.floor(whole.length * 0.8)));
    const report = await analyse(cut);
    expect(report.complete).toBe(false);
    expect(report.verdict).toMatch(/incomplete/);
    const warning = report.warnings.find((w) => w.includes('could not be read to its end'));
    expect(warning).toContain(cut);
    expect(warning).toMatch(/gzip stream ends early/);
    expect(report.skippedLines.count).toBe(1);
    expect(report.failures.count).toBeGreaterThan(0);
  });

  test('the whole file: complete, no such warning', async () => {
    const report = await analyse(sample);
    expect(report.complete).toBe(true);
    expect(report.warnings.some((w) => w.includes('could not be read to its end'))).toBe(false);
  });
});
