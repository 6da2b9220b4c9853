import { randomBytes } from 'node:crypto';
import { access, constants, open, realpath, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { UsageError } from '../errors.js';

/**
 * Writes a report file atomically: the content goes to a temporary file in the same directory (so the
 * rename stays on one file system), is flushed to disk, and is renamed over the target. An interrupted
 * write leaves the previous file intact and no half-written one in its place.
 */
export async function writeFileAtomic(file: string, content: string | Buffer): Promise<void> {
  const existing = await stat(file).catch(() => undefined);
  if (existing !== undefined && !existing.isFile() && !existing.isDirectory()) {
    // /dev/null, /dev/stdout, a FIFO: nothing to protect, and renaming a temp file over a device node
    // (as root) would replace the device itself. Write straight through.
    try {
      await writeFile(file, content);
      return;
    } catch (error) {
      throw new UsageError(`Cannot write ${file}: ${describe(error)}.`, { cause: error });
    }
  }
  // Through a symlink, replace the file it points to and keep the link.
  const target = existing === undefined ? path.resolve(file) : await realpath(file);
  const temp = path.join(
    path.dirname(target),
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  let handle;
  try {
    handle = await open(temp, 'wx', 0o644);
  } catch (error) {
    throw new UsageError(`Cannot write ${file}: ${describe(error)}.`, {
      cause: error,
      hint: 'Check that the directory exists and that you can write to it.',
    });
  }
  try {
    await handle.writeFile(content);
    await handle.sync();
    await handle.close();
    handle = undefined;
    await rename(temp, target);
  } catch (error) {
    await handle?.close().catch(() => undefined);
    await rm(temp, { force: true }).catch(() => undefined);
    throw new UsageError(`Cannot write ${file}: ${describe(error)}.`, {
      cause: error,
      hint: 'Check the free space and the permissions of the target.',
    });
  }
}

function describe(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'the directory does not exist';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'ENOSPC') return 'no space left on the device';
  return error instanceof Error ? error.message : String(error);
}

/**
 * Checks, before any work starts, that `file` can be written: its directory exists and is writable
 * and it is not a directory. A run that scans CloudWatch for minutes (and bills for it) must not
 * find out at the end that its report has nowhere to go.
 */
export async function checkOutputWritable(file: string): Promise<void> {
  try {
    const existing = await stat(file).catch(() => undefined);
    if (existing?.isDirectory() === true)
      throw Object.assign(new Error('it is a directory'), { code: 'EISDIR' });
    if (existing !== undefined && !existing.isFile()) {
      // A device or FIFO is written straight through (see writeFileAtomic): it must be writable itself.
      await access(file, constants.W_OK);
      return;
    }
    // A file is replaced by a rename in its directory (through a symlink, the directory of its target).
    const target = existing === undefined ? path.resolve(file) : await realpath(file);
    await access(path.dirname(target), constants.W_OK);
  } catch (error) {
    throw new UsageError(`Cannot write ${file}: ${describe(error)}.`, {
      cause: error,
      hint: 'Check that the directory exists and that you can write to it.',
    });
  }
}
