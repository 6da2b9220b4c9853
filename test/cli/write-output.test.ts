import { execFileSync, spawn } from 'node:child_process';
import { lstat, mkdtemp, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../src/cli/write-output.js';

describe('writeFileAtomic on targets that are not plain files', () => {
  it('writes through a FIFO (like /dev/null or /dev/stdout) instead of renaming over it', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eei-out-'));
    const fifo = path.join(dir, 'pipe');
    execFileSync('mkfifo', [fifo]);
    const reader = spawn('cat', [fifo]);
    let received = '';
    reader.stdout.on('data', (chunk: Buffer) => (received += chunk.toString()));
    const done = new Promise((resolve) => reader.on('close', resolve));
    await writeFileAtomic(fifo, 'report\n');
    await done;
    expect(received).toBe('report\n');
    expect((await lstat(fifo)).isFIFO()).toBe(true);
  });

  it('through a symlink, replaces the file it points to and keeps the link', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'eei-out-'));
    const real = path.join(dir, 'real.json');
    const link = path.join(dir, 'link.json');
    await writeFile(real, 'old');
    await symlink(real, link);
    await writeFileAtomic(link, 'new');
    expect((await lstat(link)).isSymbolicLink()).toBe(true);
    expect(await readlink(link)).toBe(real);
    expect(await readFile(real, 'utf8')).toBe('new');
  });
});
