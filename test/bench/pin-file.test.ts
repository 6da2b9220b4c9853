import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { pinFile } from '../../bench/local/pin-file.js';

const dir = mkdtempSync(path.join(tmpdir(), 'eei-pin-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const hasVmtouch = spawnSync('vmtouch', ['-h'], { stdio: 'ignore' }).error === undefined;

/** /proc/meminfo's Mlocked, in bytes. */
function mlocked(): number {
  const match = /^Mlocked:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
  return Number(match?.[1] ?? Number.NaN) * 1024;
}

describe('pinFile', () => {
  it.runIf(hasVmtouch)('locks the file in memory until released, or says why it cannot', async () => {
    const file = path.join(dir, 'input.jsonl');
    writeFileSync(file, Buffer.alloc(4 * 1024 * 1024, 97));
    const before = mlocked();
    const pinned = await pinFile(file);
    if (typeof pinned === 'string') {
      // mlock refused (no CAP_IPC_LOCK or a small RLIMIT_MEMLOCK): the reason names vmtouch.
      expect(pinned).toMatch(/vmtouch/);
      return;
    }
    expect(mlocked() - before).toBeGreaterThanOrEqual(4 * 1024 * 1024 - 64 * 1024);
    await pinned.release();
    expect(mlocked() - before).toBeLessThan(1024 * 1024);
    // Pinning again right after a release counts only the new lock.
    const again = await pinFile(file);
    expect(typeof again).toBe('object');
    if (typeof again !== 'string') await again.release();
  });

  it.runIf(!hasVmtouch)('says vmtouch is missing', async () => {
    expect(await pinFile(path.join(dir, 'none'))).toMatch(/vmtouch is not installed/);
  });
});
