/**
 * Holds a benchmark input in memory while it is timed: `vmtouch -l` reads the file and locks its
 * pages (mlock) until it is stopped. Reading the file before each run (warmPageCache) was not
 * enough on the benchmark machine: with 22 GB free its page cache still gave back about 850 MB a
 * minute (1.28 GB of the 1 GiB input and others cached, 0.43 GB a minute later), and a cold read
 * there runs at about 75 MB/s. Pages lost during a run timed the disk, not the tool: the CPU
 * profiles of such runs showed both threads idle together for 200 ms at a time, waiting on reads.
 */
import { spawn, spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';

/** A file held in memory until release(), which resolves once the lock is gone. */
export interface PinnedFile {
  release(): Promise<void>;
}

/** How long locking a file may take (a cold 4 GiB read at 75 MB/s takes about a minute). */
const PIN_TIMEOUT_MS = 180_000;

/**
 * Locks `file` in memory with vmtouch, or explains why it could not (vmtouch not installed, mlock
 * refused: RLIMIT_MEMLOCK for a user other than root); then the caller only warms the cache.
 */
export async function pinFile(file: string): Promise<PinnedFile | string> {
  if (spawnSync('vmtouch', ['-h'], { stdio: 'ignore' }).error !== undefined)
    return 'vmtouch is not installed (apt-get install vmtouch)';
  const size = statSync(file).size;
  const lockedBefore = mlockedBytes();
  const child = spawn('vmtouch', ['-l', '-q', file], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (data: Buffer) => (stderr += data.toString()));
  let exited = false;
  const exit = new Promise<void>((resolve) =>
    child.on('exit', () => {
      exited = true;
      resolve();
    }),
  );
  // Waits for the exit: a lock still going away would be counted against the next file's.
  const release = async (): Promise<void> => {
    if (!exited) child.kill('SIGTERM');
    await exit;
  };
  const started = Date.now();
  while (Date.now() - started < PIN_TIMEOUT_MS) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    if (exited) return `vmtouch -l stopped: ${stderr.trim() || 'no reason given'}`;
    // Locked once the kernel counts the file's pages as mlocked (a page or so of slack per file).
    const locked = mlockedBytes();
    if (locked === undefined || lockedBefore === undefined) {
      if (fullyResident(file)) return { release };
    } else if (locked - lockedBefore >= size - 64 * 1024) return { release };
  }
  await release();
  return `vmtouch -l did not lock ${file} within ${PIN_TIMEOUT_MS / 1000} s`;
}

/** /proc/meminfo's Mlocked in bytes, when there is one. */
function mlockedBytes(): number | undefined {
  try {
    const match = /^Mlocked:\s+(\d+) kB$/m.exec(readFileSync('/proc/meminfo', 'utf8'));
    return match === null ? undefined : Number(match[1]) * 1024;
  } catch {
    return undefined;
  }
}

/** Whether `vmtouch file` reports every page resident. */
function fullyResident(file: string): boolean {
  const out = spawnSync('vmtouch', [file], { encoding: 'utf8' }).stdout ?? '';
  const match = /Resident Pages: (\d+)\/(\d+)/.exec(out);
  return match !== null && match[1] === match[2];
}
