import { describe, expect, it } from 'vitest';
import type { CommandIo } from '../../src/cli/io.js';
import { createProgressLine, renderProgress } from '../../src/cli/progress-line.js';
import { estimateUsd, formatBytes, formatUsd } from '../../src/sources/cloudwatch/cost.js';
import { createQueryPool } from '../../src/sources/cloudwatch/query-pool.js';
import { backoffDelay, REFUSAL_BACKOFF } from '../../src/sources/cloudwatch/clock.js';

function io(tty: boolean): CommandIo & { err: string[] } {
  const err: string[] = [];
  return {
    err,
    stdout: () => {
      throw new Error('nothing may go to stdout');
    },
    stderr: (t) => void err.push(t),
    stdoutIsTTY: false,
    stderrIsTTY: tty,
    color: false,
    verbose: false,
    debug: false,
    env: { COLUMNS: '120' },
    signal: new AbortController().signal,
    confirm: async () => false,
    log: () => undefined,
  };
}

const p = (name: string, status: string, bytes = 2_500_000, elapsedMs = 4_000) => ({
  name,
  status,
  recordsScanned: 12345,
  bytesScanned: bytes,
  elapsedMs,
});

describe('progress line', () => {
  it('draws in place on a TTY, redraws on status changes, and clears at the end', () => {
    let t = 0;
    const terminal = io(true);
    const line = createProgressLine(terminal, () => t);
    line.update(p('first-failure', 'Running'));
    line.update(p('first-failure', 'Running', 3_000_000)); // same status within 100 ms: not redrawn
    t = 500;
    line.update(p('first-failure', 'Complete'));
    line.clear();
    expect(terminal.err).toHaveLength(3);
    expect(terminal.err[0]).toBe(
      '\r\u001b[2Kqueries: 1 running, 0 done, 2.50 MB scanned | first-failure Running 12,345 rec 2.50 MB 4s',
    );
    expect(terminal.err[1]).toContain('0 running, 1 done');
    expect(terminal.err[2]).toBe('\r\u001b[2K');
  });

  it('writes nothing when stderr is not a terminal', () => {
    const piped = io(false);
    const line = createProgressLine(piped);
    line.update(p('q', 'Running'));
    line.clear();
    expect(piped.err).toEqual([]);
  });

  it('cuts the line to the terminal width and strips escape sequences from names', () => {
    const text = renderProgress([p('a\u001b[31mred', 'Running'), p('b'.repeat(100), 'Running')], 60);
    expect(text.length).toBeLessThanOrEqual(59);
    expect(text).not.toContain('\u001b');
    expect(text.endsWith('…')).toBe(true);
  });
});

describe('cost', () => {
  it('prices bytes at $0.005/GB by default', () => {
    expect(estimateUsd(2e9)).toBeCloseTo(0.01, 10);
    expect(estimateUsd(1e9, 0.0076)).toBeCloseTo(0.0076, 10);
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_500_000_000)).toBe('1.50 GB');
    expect(formatUsd(0.0123)).toBe('$0.0123');
    expect(formatUsd(12.5)).toBe('$12.50');
  });
});

describe('query pool and backoff', () => {
  it('runs at most N tasks at once and all of them in order of arrival', async () => {
    const pool = createQueryPool(2);
    let active = 0;
    let peak = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      active += 1;
      peak = Math.max(peak, active);
      order.push(i);
      await new Promise((r) => setTimeout(r, 5));
      active -= 1;
      return i;
    };
    const results = await Promise.all([0, 1, 2, 3, 4].map((i) => pool.run(task(i))));
    expect(results).toEqual([0, 1, 2, 3, 4]);
    expect(peak).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4]);
    expect(pool.active).toBe(0);
  });

  it('releases the slot when a task fails', async () => {
    const pool = createQueryPool(1);
    await expect(pool.run(async () => Promise.reject(new Error('x')))).rejects.toThrow('x');
    await expect(pool.run(async () => 7)).resolves.toBe(7);
  });

  it('backoff grows exponentially with jitter and is capped', () => {
    expect(backoffDelay(REFUSAL_BACKOFF, 0, () => 0)).toBe(250);
    expect(backoffDelay(REFUSAL_BACKOFF, 0, () => 0.999999)).toBe(500);
    expect(backoffDelay(REFUSAL_BACKOFF, 3, () => 0)).toBe(2000);
    expect(backoffDelay(REFUSAL_BACKOFF, 20, () => 1)).toBe(20_000);
  });
});
