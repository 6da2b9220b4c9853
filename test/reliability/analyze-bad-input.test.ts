/**
 * Bad input through the built CLI: `analyze --log-file` on malformed JSON lines, a truncated gzip,
 * binary garbage, invalid UTF-8, an empty file, a 50 MB single line and JSON nested 10,000 levels deep.
 * Each is counted and reported with file:line, or is a clear exit 4 naming the file; never a crash.
 * The two huge inputs run with a 256 MB heap cap and their peak RSS is compared with a run on the
 * same good lines alone, so a reader that buffered the whole line would fail here.
 *
 * Reused, not repeated here: the reader-level tests of the same inputs (test/sources/readers.test.ts,
 * test/sources/local-source.test.ts) and `queries run` with malformed lines (test/cli/queries-cli.test.ts).
 */
import {
  closeSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, test } from 'vitest';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { runCli, type RunCliResult } from '../support/run-cli.js';
import { smallIncident, spawnCli } from './reliability-kit.js';

const incident = smallIncident(43);
const GOOD = incident.events.filter((e) => e.logStream.startsWith('kube-apiserver-audit')).map((e) => e.line);
const dir = mkdtempSync(path.join(tmpdir(), 'eei-rel-input-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const p = path.join(dir, name);
  writeFileSync(p, content);
  return p;
}

function report(result: RunCliResult): IncidentReport {
  return JSON.parse(result.stdout) as IncidentReport;
}

/** A run that ended on its own with an expected exit code and no stack trace. */
function expectNoCrash(result: RunCliResult): void {
  expect(result.signal, result.stderr).toBeNull();
  expect(result.timedOut).toBe(false);
  expect([0, 1, 4], result.stderr).toContain(result.exitCode);
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toMatch(/internal error/i);
}

describe('analyze --log-file: malformed input is counted and reported, never fatal', () => {
  test('malformed JSON lines: skipped with file:line and reason, the rest analysed exactly', async () => {
    const lines = [...GOOD.slice(0, 100), '{"kind":', 'not json at all', '[1,2,3]', '42', ...GOOD.slice(100)];
    const p = file('malformed.jsonl', `${lines.join('\n')}\n`);
    const result = await runCli(['analyze', '--log-file', p, '--format', 'json']);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stderr).toMatch(/^note: 4 malformed input lines were skipped/m);
    const r = report(result);
    expect(r.skippedLines.count).toBe(4);
    expect(r.skippedLines.samples.map((s) => `${path.basename(s.file)}:${s.line}`)).toEqual([
      'malformed.jsonl:101',
      'malformed.jsonl:102',
      'malformed.jsonl:103',
      'malformed.jsonl:104',
    ]);
    for (const s of r.skippedLines.samples) expect(s.reason.length).toBeGreaterThan(0);
    expect(r.firstFailure).toEqual(incident.truth.firstFailure);
    expect(r.failures.count).toBe(incident.truth.failureCount);
    // The terminal report shows the same file:line list.
    const text = await runCli(['analyze', '--log-file', p]);
    expect(text.exitCode).toBe(0);
    expect(text.stdout).toMatch(/malformed\.jsonl:101: /);
  });

  test('a truncated gzip: what was read is analysed, the cut reported naming the file', async () => {
    const gz = gzipSync(`${GOOD.join('\n')}\n`);
    const p = file('cut.jsonl.gz', gz.subarray(0, Math.floor(gz.length * 0.6)));
    const result = await runCli(['analyze', '--log-file', p, '--format', 'json']);
    expectNoCrash(result);
    expect(result.exitCode).toBe(0);
    const r = report(result);
    const cut = r.skippedLines.samples.find((s) => s.file === p);
    expect(cut?.reason).toMatch(/gzip/i);
    // Part of the file was read: writes were found.
    expect(r.topWriters.length).toBeGreaterThan(0);
  });

  test('binary garbage alone: exit 4 naming the file, no report', async () => {
    let seed = 7;
    const bytes = Buffer.from(
      Buffer.alloc(64 * 1024, 0).map(() => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) & 0xff),
    );
    const p = file('garbage.bin', bytes);
    const result = await runCli(['analyze', '--log-file', p, '--format', 'json']);
    expectNoCrash(result);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toMatch(new RegExp(`^error: .*${p.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}`, 'm'));
    expect(result.stderr).toMatch(/^hint: /m);
    expect(result.stdout).toBe('');
  });

  test('binary garbage next to a good log: the good one is analysed, the garbage file named', async () => {
    const good = file('good-for-mix.jsonl', `${GOOD.join('\n')}\n`);
    const garbage = file('garbage-mix.bin', Buffer.from([0, 1, 2, 255, 254, 10, 0x7b, 0x22, 10, 3, 4, 10]));
    const result = await runCli(['analyze', '--log-file', good, '--log-file', garbage, '--format', 'json']);
    expectNoCrash(result);
    // A named file that holds no event at all is an error naming it (issue 2: exit 4).
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(garbage);
  });

  test('invalid UTF-8: decoded with replacement inside a good event; a line of pure invalid bytes is skipped', async () => {
    // A good event whose userAgent holds bytes that are not UTF-8.
    const line = GOOD[0] ?? '';
    const at = line.indexOf('"userAgent":"') + '"userAgent":"'.length;
    expect(at).toBeGreaterThan(20);
    const jsonWithBad = Buffer.concat([
      Buffer.from(line.slice(0, at)),
      Buffer.from([0xff, 0xfe, 0xc3]),
      Buffer.from(line.slice(at)),
    ]);
    const p = file(
      'invalid-utf8.jsonl',
      Buffer.concat([
        Buffer.from(`${GOOD.slice(0, 50).join('\n')}\n`),
        jsonWithBad,
        Buffer.from('\n'),
        Buffer.from([0xff, 0xfe, 0xfd, 0x80, 0x81, 0x0a]),
        Buffer.from(`${GOOD.slice(50).join('\n')}\n`),
      ]),
    );
    const result = await runCli(['analyze', '--log-file', p, '--format', 'json']);
    expectNoCrash(result);
    expect(result.exitCode).toBe(0);
    const r = report(result);
    expect(r.skippedLines.samples.map((s) => s.line)).toEqual([52]);
    expect(r.firstFailure).toEqual(incident.truth.firstFailure);
    // Nothing undecodable reaches the JSON report as a raw byte: it is valid UTF-8 by construction.
    expect(Buffer.from(result.stdout, 'utf8').toString('utf8')).toBe(result.stdout);
  });

  test('an empty file: no crash, and the report says the file was empty', async () => {
    const p = file('empty.jsonl', '');
    const result = await runCli(['analyze', '--log-file', p, '--format', 'json']);
    expectNoCrash(result);
    expect(result.exitCode).toBe(0);
    const r = report(result);
    expect(r.firstFailure).toBeNull();
    expect(r.warnings.join('\n')).toContain(`${p}: empty`);
    const text = await runCli(['analyze', '--log-file', p]);
    expect(text.stdout).toMatch(/empty\.jsonl: empty/);
  });

  test('an unreadable path (a missing file, a directory of nothing readable) is exit 4 naming it', async () => {
    const missing = path.join(dir, 'no-such.jsonl');
    const result = await runCli(['analyze', '--log-file', missing]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(missing);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});

/** Peak RSS (KiB) written at exit by a preloaded module, so the child measures itself. */
function peakRssEnv(outFile: string): Record<string, string> {
  const code = `import{writeFileSync}from'node:fs';process.on('exit',()=>writeFileSync(${JSON.stringify(outFile)},String(process.resourceUsage().maxRSS)));`;
  return {
    NODE_OPTIONS: `--max-old-space-size=256 --import=data:text/javascript,${encodeURIComponent(code)}`,
  };
}

async function analyzeWithPeak(p: string, name: string): Promise<{ result: RunCliResult; peakMb: number }> {
  const rssFile = path.join(dir, `${name}.rss`);
  const result = await runCli(['analyze', '--log-file', p, '--format', 'json'], {
    env: peakRssEnv(rssFile),
    timeoutMs: 120_000,
  });
  return { result, peakMb: Number(readFileSync(rssFile, 'utf8')) / 1024 };
}

describe('analyze --log-file: huge and deep lines, memory bounded', () => {
  const head = GOOD.slice(0, 200);
  const tail = GOOD.slice(200);
  let baselinePeakMb = 0;

  test('baseline: the same good lines around 50 MB of short junk lines (the same size, read the same way)', async () => {
    // Over 32 MB a file is read on worker threads; the baseline must be read the same way as the
    // 50 MB line below, or the threads' own memory would count as the line's.
    const p = path.join(dir, 'baseline.jsonl');
    const fd = openSync(p, 'w');
    writeSync(fd, `${head.join('\n')}\n`);
    const junk = Buffer.from(`${'not an event '.repeat(787)}\n`.repeat(80));
    for (let written = 0; written < 50 * 1024 * 1024; written += junk.length) writeSync(fd, junk);
    writeSync(fd, `${tail.join('\n')}\n`);
    closeSync(fd);
    const { result, peakMb } = await analyzeWithPeak(p, 'baseline');
    expect(result.exitCode, result.stderr).toBe(0);
    expect(report(result).firstFailure).toEqual(incident.truth.firstFailure);
    expect(peakMb).toBeGreaterThan(10);
    baselinePeakMb = peakMb;
  });

  test('a 50 MB single line is skipped with a reason; peak memory stays near the baseline', async () => {
    const p = path.join(dir, 'huge-line.jsonl');
    const fd = openSync(p, 'w');
    writeSync(
      fd,
      `${head.join('\n')}\n{"kind":"Event","apiVersion":"audit.k8s.io/v1","stage":"ResponseComplete","userAgent":"`,
    );
    const block = Buffer.alloc(1024 * 1024, 'a');
    for (let i = 0; i < 50; i++) writeSync(fd, block);
    writeSync(fd, `"}\n${tail.join('\n')}\n`);
    closeSync(fd);
    const { result, peakMb } = await analyzeWithPeak(p, 'huge');
    expectNoCrash(result);
    expect(result.exitCode).toBe(0);
    const r = report(result);
    expect(r.skippedLines.count).toBe(1);
    expect(r.skippedLines.samples[0]).toMatchObject({ file: p, line: head.length + 1 });
    expect(r.skippedLines.samples[0]?.reason).toMatch(/long|MiB|MB|bytes/i);
    expect(r.firstFailure).toEqual(incident.truth.firstFailure);
    // Holding the line even once (as a Buffer or a string) would add 50 MB or more.
    expect(
      peakMb - baselinePeakMb,
      `peak ${Math.round(peakMb)} MB, baseline ${Math.round(baselinePeakMb)} MB`,
    ).toBeLessThan(30);
  });

  test('JSON nested 10,000 levels deep (objects and arrays): read or skipped with a reason, never a crash', async () => {
    const deepObject = `${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`;
    const deepArray = `${'['.repeat(10_000)}${']'.repeat(10_000)}`;
    const deepInEvent = GOOD[0]?.replace('"kind":"Event"', `"kind":"Event","deep":${deepObject}`) ?? '';
    expect(deepInEvent).toContain('"deep":');
    const p = file('deep.jsonl', `${[...head, deepObject, deepArray, deepInEvent, ...tail].join('\n')}\n`);
    const { result, peakMb } = await analyzeWithPeak(p, 'deep');
    expectNoCrash(result);
    expect(result.exitCode).toBe(0);
    const r = report(result);
    // The two bare documents are not audit events; the event with a deep field may be read or skipped.
    const lines = r.skippedLines.samples.map((s) => s.line);
    expect(lines).toContain(head.length + 1);
    expect(lines).toContain(head.length + 2);
    for (const s of r.skippedLines.samples) expect(s.reason.length).toBeGreaterThan(0);
    expect(r.firstFailure).toEqual(incident.truth.firstFailure);
    expect(
      peakMb - baselinePeakMb,
      `peak ${Math.round(peakMb)} MB, baseline ${Math.round(baselinePeakMb)} MB`,
    ).toBeLessThan(30);
  });
});

describe('analyze --log-file interrupted', () => {
  test.each(['SIGINT', 'SIGTERM'] as const)(
    '%s while reading a stdin pipe that never ends: exit 130, the old --output file intact',
    async (signal) => {
      const out = path.join(dir, `interrupted-${signal}.json`);
      writeFileSync(out, '{"previous":"good report"}\n');
      const cli = await spawnCli(
        ['analyze', '--log-file', '-', '--format', 'json', '--output', out],
        undefined,
        {},
        { keepStdinOpen: true },
      );
      try {
        // Some events arrive, then the pipe goes quiet, as a stalled `kubectl logs | ...` would.
        cli.child.stdin.write(`${GOOD.slice(0, 200).join('\n')}\n`);
        await new Promise((r) => setTimeout(r, 1500));
        cli.child.kill(signal);
        expect(await cli.exit(20_000), cli.stderr()).toBe(130);
      } finally {
        cli.kill();
      }
      expect(cli.stderr()).not.toMatch(/\n\s+at /);
      expect(cli.stdout()).toBe('');
      const text = readFileSync(out, 'utf8');
      // Either untouched or replaced by a whole partial report: never a half file.
      if (text !== '{"previous":"good report"}\n')
        expect((JSON.parse(text) as IncidentReport).complete).toBe(false);
      expect(readdirSync(dir).filter((f) => f.startsWith('.interrupted-'))).toEqual([]);
    },
  );
});
