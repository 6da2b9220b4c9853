import { createReadStream } from 'node:fs';
import { access, constants, readdir, stat } from 'node:fs/promises';
import path from 'node:path';
import { SourceError, UsageError } from '../../errors.js';
import type { LogInput } from './read-log-input.js';

/** Files are read in 1 MiB chunks: few syscalls and few `indexOf` restarts per line. */
const READ_CHUNK_BYTES = 1024 * 1024;

/** An input plus how it was named: a file the user named is held to a stricter rule than one found in a directory. */
export interface ResolvedInput extends LogInput {
  /** Named on the command line (a file or `-`), not found by walking a directory. */
  explicit: boolean;
}

/**
 * Expands `--log-file` arguments into inputs: a file, a directory (walked recursively, sorted by
 * path, hidden entries skipped), or `-` for stdin. A missing or unreadable path is a SourceError
 * (exit 4) naming it, raised before anything is read.
 */
export async function resolveLogInputs(
  paths: string[],
  openStdin?: () => AsyncIterable<Buffer>,
): Promise<ResolvedInput[]> {
  if (paths.length === 0)
    throw new UsageError('No log files given.', {
      hint: 'Pass --log-file PATH (a file, a directory, or - for stdin).',
    });
  const inputs: ResolvedInput[] = [];
  let stdinUsed = false;
  for (const given of paths) {
    if (given === '-') {
      if (stdinUsed) throw new UsageError('stdin (-) can be read only once; give - a single time.');
      if (openStdin === undefined) throw new SourceError('Reading from stdin (-) is not available here.');
      stdinUsed = true;
      inputs.push({ label: '-', explicit: true, open: openStdin });
      continue;
    }
    const info = await statOrThrow(given);
    if (info.isDirectory()) {
      const files = await walk(given);
      if (files.length === 0) {
        throw new SourceError(`The directory ${given} holds no files to read.`, {
          hint: 'Point --log-file at the audit log files or a directory that holds them.',
        });
      }
      for (const file of files) inputs.push(fileInput(file, false));
    } else {
      await readableOrThrow(given);
      inputs.push(fileInput(given, true));
    }
  }
  return inputs;
}

function fileInput(file: string, explicit: boolean): ResolvedInput {
  return {
    label: file,
    explicit,
    open: () => readFileChunks(file),
  };
}

async function* readFileChunks(file: string): AsyncGenerator<Buffer> {
  const stream = createReadStream(file, { highWaterMark: READ_CHUNK_BYTES });
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (error) {
    throw new SourceError(`Cannot read ${file}: ${describeFsError(error)}.`, {
      cause: error,
      hint: hintFor(error),
    });
  } finally {
    stream.destroy();
  }
}

async function walk(dir: string): Promise<string[]> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw new SourceError(`Cannot read the directory ${dir}: ${describeFsError(error)}.`, {
      cause: error,
      hint: hintFor(error),
    });
  }
  const names = entries
    .filter((entry) => !entry.name.startsWith('.'))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const files: string[] = [];
  for (const entry of names) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) files.push(...(await walk(full)));
    else if (entry.isFile()) files.push(full);
    else if (entry.isSymbolicLink()) {
      const info = await stat(full).catch(() => undefined);
      if (info?.isFile() === true) files.push(full);
    }
  }
  return files;
}

async function statOrThrow(file: string): Promise<Awaited<ReturnType<typeof stat>>> {
  try {
    return await stat(file);
  } catch (error) {
    throw new SourceError(`Cannot read ${file}: ${describeFsError(error)}.`, {
      cause: error,
      hint: hintFor(error),
    });
  }
}

async function readableOrThrow(file: string): Promise<void> {
  try {
    await access(file, constants.R_OK);
  } catch (error) {
    throw new SourceError(`Cannot read ${file}: ${describeFsError(error)}.`, {
      cause: error,
      hint: hintFor(error),
    });
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  switch (code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

function hintFor(error: unknown): string {
  const code = (error as { code?: string } | null)?.code;
  if (code === 'ENOENT') return 'Check the path; --log-file takes a file, a directory, or - for stdin.';
  if (code === 'EACCES' || code === 'EPERM')
    return 'Check the file permissions (the file must be readable by you).';
  return 'Check that the path is a readable file or directory.';
}
