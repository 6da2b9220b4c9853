import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDataset } from '../../bench/local/datasets.js';

const dir = mkdtempSync(path.join(tmpdir(), 'bench-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// A tiny "1 GiB" density so the test stays fast: the cache logic does not care about the size.
let densityCalls = 0;
const density = (): number => {
  densityCalls++;
  return 2;
};
const logs: string[] = [];
const log = (line: string): void => void logs.push(line);

describe('benchmark dataset cache', () => {
  it('generates once, then reuses the cached file', async () => {
    const first = await ensureDataset(
      dir,
      { sizeGiB: 1, format: 'audit-jsonl', gzip: false, eventsPerMinuteFor1GiB: density },
      log,
    );
    expect(path.basename(first.file)).toBe('incident-1GiB.jsonl');
    expect(first.events).toBeGreaterThan(500);
    expect(first.bytes).toBe(statSync(first.file).size);
    expect(first.rawBytes).toBe(first.bytes);
    const truth = JSON.parse(readFileSync(`${first.file}.truth.json`, 'utf8')) as { events: number };
    expect(truth.events).toBe(first.events);
    const mtime = statSync(first.file).mtimeMs;
    const again = await ensureDataset(
      dir,
      { sizeGiB: 1, format: 'audit-jsonl', gzip: false, eventsPerMinuteFor1GiB: density },
      log,
    );
    expect(again).toEqual(first);
    expect(statSync(first.file).mtimeMs).toBe(mtime);
    expect(logs.filter((l) => l.startsWith('generating'))).toHaveLength(1);
  });

  it('writes the same events as a CloudWatch export and gzipped', async () => {
    const raw = await ensureDataset(
      dir,
      { sizeGiB: 1, format: 'audit-jsonl', gzip: false, eventsPerMinuteFor1GiB: density },
      log,
    );
    const cw = await ensureDataset(
      dir,
      { sizeGiB: 1, format: 'cw-jsonl', gzip: false, eventsPerMinuteFor1GiB: density },
      log,
    );
    const gz = await ensureDataset(
      dir,
      { sizeGiB: 1, format: 'audit-jsonl', gzip: true, eventsPerMinuteFor1GiB: density },
      log,
    );
    const rawText = readFileSync(raw.file, 'utf8');
    expect(gunzipSync(readFileSync(gz.file)).toString('utf8')).toBe(rawText);
    expect(gz.rawBytes).toBe(raw.rawBytes);
    const messages = readFileSync(cw.file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => (JSON.parse(line) as { message: string }).message);
    expect(`${messages.join('\n')}\n`).toBe(rawText);
  });

  it('regenerates when the cached recipe does not match', async () => {
    const first = await ensureDataset(
      dir,
      { sizeGiB: 2, format: 'audit-jsonl', gzip: false, eventsPerMinuteFor1GiB: density },
      log,
    );
    const meta = JSON.parse(readFileSync(`${first.file}.meta.json`, 'utf8')) as { fingerprint: string };
    writeFileSync(`${first.file}.meta.json`, JSON.stringify({ ...meta, fingerprint: 'stale' }));
    writeFileSync(first.file, 'not an incident\n');
    const regenerated = await ensureDataset(
      dir,
      { sizeGiB: 2, format: 'audit-jsonl', gzip: false, eventsPerMinuteFor1GiB: density },
      log,
    );
    expect(readFileSync(regenerated.file, 'utf8').startsWith('{"kind":"Event"')).toBe(true);
    expect(regenerated.events).toBe(first.events);
    expect(densityCalls).toBeGreaterThan(0);
  });
});
