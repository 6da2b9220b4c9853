import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { baselineCommands } from '../../bench/local/baselines.js';
import { shellQuote } from '../../src/analysis/shell-quote.js';
import { auditEventLine } from '../support/audit-event-line.js';
import { runOnce } from '../../bench/local/measure.js';

const hasJq = spawnSync('jq', ['--version']).status === 0;

let ms = Date.UTC(2024, 5, 14);

/** One audit line; `failed` makes it a write refused with etcd's NOSPACE message. */
function auditLine(verb: string, user: string, failed = false): string {
  ms += 10;
  return auditEventLine({ ms, user, agent: 'bench-test', verb, namespace: 'ns', resource: 'pods', failed });
}

describe('baseline commands', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'baselines-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /**
   * A file whose first line matches and whose other matches come after several of grep's 96 KiB
   * reads: a grep that stopped at the first match would count 1.
   */
  function incident(): { text: string; matches: number } {
    const lines = [auditLine('create', 'kyverno', true)];
    let matches = 1;
    for (let i = 0; i < 6000; i++) {
      const failed = i % 7 === 3;
      if (failed) matches++;
      lines.push(auditLine(i % 3 === 0 ? 'get' : 'create', i % 2 === 0 ? 'kyverno' : 'kubelet', failed));
    }
    return { text: `${lines.join('\n')}\n`, matches };
  }

  const outputs = (): { jq: string; grep: string } => ({
    jq: path.join(dir, 'jq.txt'),
    grep: path.join(dir, 'grep.txt'),
  });

  it('has grep count every match of the whole file, with the child process writing to /dev/null', async () => {
    const { text, matches } = incident();
    expect(text.length).toBeGreaterThan(4 * 96 * 1024);
    const file = path.join(dir, 'audit.jsonl');
    writeFileSync(file, text);
    const output = outputs();
    const { grep } = baselineCommands({ file, format: 'audit-jsonl', gzip: false }, output);
    // runOnce gives the child /dev/null as stdout, as the benchmark does.
    const run = await runOnce(['bash', '-c', grep], { cwd: dir, useGnuTime: false });
    expect(run.exitCode).toBe(0);
    expect(Number(readFileSync(output.grep, 'utf8').trim())).toBe(matches);
  });

  it('has grep count through gunzip for a gzipped file, and quotes paths with spaces and quotes', async () => {
    const { text, matches } = incident();
    const file = path.join(dir, "it's an audit.jsonl.gz");
    writeFileSync(file, gzipSync(text));
    const output = { ...outputs(), grep: path.join(dir, "grep's count.txt") };
    const { grep } = baselineCommands({ file, format: 'audit-jsonl', gzip: true }, output);
    expect(grep).toContain(`gzip -dc ${shellQuote(file)} | grep -c`);
    const run = await runOnce(['bash', '-c', grep], { cwd: dir, useGnuTime: false });
    expect(run.exitCode).toBe(0);
    expect(Number(readFileSync(output.grep, 'utf8').trim())).toBe(matches);
  });

  it.skipIf(!hasJq)(
    'has jq count the writes per user, on raw audit lines and CloudWatch events',
    async () => {
      const lines = [
        auditLine('create', 'kyverno'),
        auditLine('get', 'kyverno'),
        auditLine('patch', 'kubelet'),
        auditLine('deletecollection', 'kyverno'),
        auditLine('list', 'kubelet'),
      ];
      const raw = path.join(dir, 'audit.jsonl');
      writeFileSync(raw, `${lines.join('\n')}\n`);
      const cw = path.join(dir, 'cw.jsonl');
      writeFileSync(
        cw,
        `${lines.map((message, i) => JSON.stringify({ timestamp: 1718323200000 + i, message })).join('\n')}\n`,
      );
      for (const [file, format] of [
        [raw, 'audit-jsonl'],
        [cw, 'cw-jsonl'],
      ] as const) {
        const output = outputs();
        const { jq } = baselineCommands({ file, format, gzip: false }, output);
        const run = await runOnce(['bash', '-c', jq], { cwd: dir, useGnuTime: false });
        expect(run.exitCode).toBe(0);
        const counts = readFileSync(output.jq, 'utf8')
          .trim()
          .split('\n')
          .map((line) => line.trim().split(/\s+/));
        expect(counts).toEqual([
          ['1', 'kubelet'],
          ['2', 'kyverno'],
        ]);
      }
    },
  );

  it('fails when grep finds no input', async () => {
    const output = outputs();
    const { grep } = baselineCommands(
      { file: path.join(dir, 'missing.jsonl'), format: 'audit-jsonl', gzip: false },
      output,
    );
    const run = await runOnce(['bash', '-c', grep], { cwd: dir, useGnuTime: false });
    expect(run.exitCode).toBe(2);
  });
});
