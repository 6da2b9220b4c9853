import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuilt, projectRoot } from '../support/build.js';

const entry = path.join(projectRoot, 'dist/bench/generate-incident.js');
const dir = mkdtempSync(path.join(tmpdir(), 'generate-cli-'));

function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [entry, ...args],
      { encoding: 'utf8', maxBuffer: 64 << 20 },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(ensureBuilt, 300_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bench/generate-incident CLI', () => {
  it('writes a gzipped incident and its ground truth, and reports the speed', async () => {
    const out = path.join(dir, 'incident.jsonl.gz');
    const truthFile = path.join(dir, 'truth.json');
    const result = await run([
      '--seed',
      '4',
      '--shape',
      'user-flood',
      '--outcome',
      'recovered',
      '--duration',
      '2h',
      '--events',
      '8000',
      '--gzip',
      '--out',
      out,
      '--truth',
      truthFile,
    ]);
    expect(result.stderr).toMatch(
      /generated \d+ events, [\d.]+ MB raw, [\d.]+ MB gzipped in [\d.]+ s \([\d.]+ MB\/s raw\)/,
    );
    expect(result.code).toBe(0);
    const lines = gunzipSync(readFileSync(out)).toString('utf8').trimEnd().split('\n');
    const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as {
      events: number;
      outcome: string;
      stillFailing: boolean;
      topWriter: { user: string };
    };
    expect(lines.length).toBe(truth.events);
    expect(lines.length).toBeGreaterThan(6500);
    expect(lines.length).toBeLessThan(9500);
    expect(truth.outcome).toBe('recovered');
    expect(truth.stillFailing).toBe(false);
    expect(truth.topWriter.user).toMatch(/:user\/ci-deployer$/);
  });

  it('writes to stdout by default, identical for the same seed', async () => {
    const args = [
      '--seed',
      '9',
      '--format',
      'cw-jsonl',
      '--duration',
      '30m',
      '--events-per-minute',
      '20',
      '--with-api-stream',
      '--quiet',
    ];
    const [a, b] = await Promise.all([run(args), run(args)]);
    expect(a.code).toBe(0);
    expect(a.stderr).toBe('');
    expect(a.stdout.length).toBeGreaterThan(10_000);
    expect(a.stdout).toBe(b.stdout);
    for (const line of a.stdout.trimEnd().split('\n'))
      expect(Object.keys(JSON.parse(line) as object)).toEqual(['timestamp', 'logStream', 'message']);
  });

  it('rejects bad flags with exit 2', async () => {
    expect((await run(['--format', 'xml'])).code).toBe(2);
    const badSize = await run(['--size', 'huge']);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toMatch(/not a size/);
    expect((await run(['--duration', 'forever'])).code).toBe(2);
    const badDensity = await run(['--events-per-minute', 'many']);
    expect(badDensity.code).toBe(2);
    expect(badDensity.stderr).toMatch(/eventsPerMinute must be positive/);
    expect((await run(['--start', 'yesterday'])).stderr).toMatch(/not an ISO 8601 time/);
    expect((await run(['--help'])).code).toBe(0);
  });
});
