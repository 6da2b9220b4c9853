/**
 * Times whole child processes and their peak resident memory. Peak RSS comes from GNU time
 * (`/usr/bin/time -f %M`, Debian package `time`), which reports the largest process of a pipeline
 * because rusage of reaped children propagates up; without it we poll /proc/<pid>/status VmHWM of
 * the direct child, which misses the other processes of a pipeline (marked approximate).
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const GNU_TIME = '/usr/bin/time';

export interface ProcessRun {
  wallMs: number;
  /** Peak resident set size in KiB, null when it could not be measured. */
  peakRssKiB: number | null;
  exitCode: number;
  stderr: string;
}

export interface Measurement {
  /** Median wall time of the runs. */
  medianMs: number;
  runsMs: number[];
  /** Highest peak RSS over the runs, KiB. */
  peakRssKiB: number | null;
  rssMethod: 'gnu-time' | 'proc-vmhwm' | 'none';
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function readVmHwmKiB(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match === null ? null : Number(match[1]);
  } catch {
    return null;
  }
}

/** Runs `argv` once (no shell unless argv is ['bash', '-c', ...]) and measures it. */
export function runOnce(
  argv: string[],
  options: { cwd: string; useGnuTime: boolean; env?: NodeJS.ProcessEnv },
): Promise<ProcessRun> {
  const rssFile = path.join(tmpdir(), `bench-rss-${process.pid}-${Math.random().toString(16).slice(2)}`);
  const command = options.useGnuTime ? [GNU_TIME, '-f', '%M', '-o', rssFile, ...argv] : argv;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command[0]!, command.slice(1), {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    let polledKiB: number | null = null;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      if (stderr.length < 64 * 1024) stderr += chunk;
    });
    const poll = options.useGnuTime
      ? undefined
      : setInterval(() => {
          const kib = child.pid === undefined ? null : readVmHwmKiB(child.pid);
          if (kib !== null) polledKiB = Math.max(polledKiB ?? 0, kib);
        }, 25);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      if (poll !== undefined) clearInterval(poll);
      let peakRssKiB = polledKiB;
      if (options.useGnuTime && existsSync(rssFile)) {
        const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
        const value = Number(lines[lines.length - 1]);
        peakRssKiB = Number.isFinite(value) ? value : null;
        rmSync(rssFile, { force: true });
      }
      resolve({ wallMs, peakRssKiB, exitCode: code ?? 1, stderr });
    });
  });
}

/**
 * Runs `argv` `runs` times in a row and reports the median; throws if a run fails. `warm`, when
 * given, is read untimed before every run (warmPageCache), and its seconds are logged: a warm read
 * that takes more than a fraction of a second shows the page cache lost the file during a run.
 */
export async function measure(
  label: string,
  argv: string[],
  options: {
    cwd: string;
    runs: number;
    env?: NodeJS.ProcessEnv;
    log?: (line: string) => void;
    warm?: string;
  },
): Promise<Measurement> {
  const useGnuTime = existsSync(GNU_TIME);
  const runsMs: number[] = [];
  let peak: number | null = null;
  for (let i = 0; i < options.runs; i++) {
    if (options.warm !== undefined)
      options.log?.(`  untimed read into the page cache: ${warmPageCache(options.warm).toFixed(2)} s`);
    const run = await runOnce(argv, { cwd: options.cwd, useGnuTime, env: options.env });
    if (run.exitCode !== 0)
      throw new Error(
        `${label} exited with ${run.exitCode}: ${run.stderr.trim().split('\n').slice(-3).join(' | ')}`,
      );
    runsMs.push(run.wallMs);
    if (run.peakRssKiB !== null) peak = Math.max(peak ?? 0, run.peakRssKiB);
    options.log?.(
      `  ${label} run ${i + 1}/${options.runs}: ${(run.wallMs / 1000).toFixed(2)} s, peak RSS ${run.peakRssKiB === null ? '?' : `${(run.peakRssKiB / 1024).toFixed(0)} MiB`}`,
    );
  }
  return {
    medianMs: median(runsMs),
    runsMs,
    peakRssKiB: peak,
    rssMethod: useGnuTime ? 'gnu-time' : peak === null ? 'none' : 'proc-vmhwm',
  };
}

/**
 * Reads `file` once, untimed, so that the run after it starts from the page cache: a cold read of
 * the 1 GiB input took 8.6 s here against 0.1 s warm, and this machine's page cache holds about
 * 6 GB, so without it the larger inputs timed the disk rather than the tools. Returns the seconds.
 */
export function warmPageCache(file: string): number {
  const started = performance.now();
  const buffer = Buffer.allocUnsafe(16 * 1024 * 1024);
  const fd = openSync(file, 'r');
  try {
    while (readSync(fd, buffer, 0, buffer.length, null) > 0);
  } finally {
    closeSync(fd);
  }
  return (performance.now() - started) / 1000;
}
