/**
 * Reads one big plain log file with several worker threads (issue 5: "worker threads over byte ranges
 * split at newlines", cut where about equally many lines lie on each side: split-at-lines.ts). Each
 * worker runs the same reader and query loop over its range; the main thread merges their saved runs
 * in file order, which gives exactly the single pass's result (group order, ties, top-k rows:
 * query-run.ts merge()). Whenever that cannot be promised (gzip, the JSON array export, a float sum,
 * a range whose lines read as another format), it answers undefined and the caller reads the file on
 * one thread instead.
 */
import { existsSync } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { QueryRun } from '../../insights/index.js';
import type { QueryFeed } from '../query-feed.js';
import type { InputSummary } from '../readers/record-sink.js';
import type { ResolvedInput } from '../readers/log-inputs.js';
import type { SkippedLineSample } from '../source.js';
import { SKIPPED_SAMPLES, type RangeJob, type RangeMessage, type RangeResult } from './range-protocol.js';
import { readRangeRuns } from './range-reader.js';
import { countNewlines, splitAtLines } from './split-at-lines.js';

/**
 * Below this size a file is read on one thread: starting workers costs more than it saves. A worker
 * thread boots its own Node runtime, loads and JIT-compiles the engine again and meets every shape
 * anew, about 0.3 s of wall time on the 2-core bench machine. Measured there on the first 200 to
 * 400 MB of the benchmark's raw audit log, once raw audit lines were read a chunk at a time (whole
 * processes, medians of 5 alternating runs): one thread was faster at 200 MB (0.71 s against 0.83 s),
 * 250 MB (0.78 against 0.83 s) and 300 MB (0.84 against 0.87 s), the two even at 400 MB (0.98 against
 * 0.96 s, 3 runs), and two threads well ahead on the whole 1 GiB file (1.46 against 1.97 s, 3 runs).
 * Before that change the break-even was near 200 MB. More threads would break even sooner; not measured.
 */
export const MIN_PARALLEL_BYTES = 384 * 1024 * 1024;

/** What reading a file in parallel produced, merged in file order. */
export interface ParallelRead {
  summary: InputSummary;
  /** How many ranges (one thread each) the file was read in. */
  threads: number;
  /** One merged run per query of the feed, to replace the feed's runs. */
  runs: QueryRun[];
  scanned: [number, number][];
  minMs: number;
  maxMs: number;
  skippedCount: number;
  /** The first skipped-line samples, line numbers counted from the start of the file. */
  samples: SkippedLineSample[];
}

/** Options of a parallel read. */
export interface ParallelOptions {
  workers: number;
  /** Smaller files are left to the single-threaded reader. */
  minBytes: number;
  maxLineBytes?: number;
  signal?: AbortSignal;
  /** The shaped fast path is allowed (LocalSourceOptions.shapes). */
  shapes?: boolean;
}

/** The worker script next to this module; absent when running from TypeScript sources (tests). */
function workerScript(): URL | undefined {
  const url = new URL('./range-worker.js', import.meta.url);
  return existsSync(fileURLToPath(url)) ? url : undefined;
}

/**
 * Reads `input` with `options.workers` threads, merging into fresh runs of the feed's queries, the
 * feed's current runs first. Undefined when the file is not one to split or a merge could not be
 * exact; then nothing was changed and the caller reads it sequentially.
 */
export async function readInParallel(
  input: ResolvedInput,
  feed: QueryFeed,
  options: ParallelOptions,
): Promise<ParallelRead | undefined> {
  const script = workerScript();
  if (script === undefined || options.workers < 2 || input.label === '-') return undefined;
  const file = input.label;
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile() || info.size < Math.max(options.minBytes, 1)) return undefined;
  const bounds = await splitAtLines(file, info.size, options.workers);
  if (bounds === undefined) return undefined;

  const requests = feed.queries.map((query) => query.request);
  const jobs: RangeJob[] = bounds.map(([start, end]) => ({
    file,
    label: file,
    start,
    end,
    requests,
    ...(options.shapes === false ? { shapes: false } : {}),
    ...(options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes }),
  }));
  // The main thread reads the first range itself (it would only wait otherwise): one thread and one
  // heap fewer than a worker per range.
  const [own, ...others] = jobs as [RangeJob, ...RangeJob[]];
  const workers = runWorkers(script, others, options.signal);
  let results: RangeResult[];
  let ownRuns: QueryRun[];
  try {
    const [mine, ...theirs] = await Promise.all([readRangeRuns(own, options.signal), ...workers.done]);
    ownRuns = mine.runs;
    results = [{ ...mine.result, partials: [] }, ...theirs];
  } finally {
    workers.stop();
  }
  const first = results[0] as RangeResult;
  // Every range must read as the file's own format (the single pass decides it from the file's head).
  if (results.some((result) => result.summary.format !== first.summary.format)) return undefined;

  // The later ranges merge into the first range's runs in place (no copy of the groups), which
  // follow whatever earlier inputs the feed has read. Any inexact merge: read the file on one thread.
  const fresh = feed.queries.every((query) => query.recordsScanned === 0);
  const runs: QueryRun[] = [];
  for (let q = 0; q < feed.queries.length; q++) {
    let run = ownRuns[q] as QueryRun;
    if (!fresh) {
      const combined = feed.freshRun(q);
      const earlier = (feed.queries[q] as { run: QueryRun }).run.save();
      const first = run.save();
      if (earlier === undefined || first === undefined || !combined.merge(earlier) || !combined.merge(first))
        return undefined;
      run = combined;
    }
    for (const result of results.slice(1)) {
      const partial = result.partials[q];
      if (partial === undefined || !run.merge(partial)) return undefined;
    }
    runs.push(run);
  }
  return {
    summary: {
      label: input.label,
      format: first.summary.format,
      records: sum(results.map((r) => r.summary.records)),
      skipped: sum(results.map((r) => r.summary.skipped)),
      gzip: false,
    },
    threads: bounds.length,
    runs,
    scanned: feed.queries.map((_, q) => [
      sum(results.map((r) => (r.scanned[q] as [number, number])[0])),
      sum(results.map((r) => (r.scanned[q] as [number, number])[1])),
    ]),
    minMs: Math.min(...results.map((r) => r.minMs)),
    maxMs: Math.max(...results.map((r) => r.maxMs)),
    skippedCount: sum(results.map((r) => r.skippedCount)),
    samples: await fileSamples(file, bounds, results),
  };
}

/** Starts one worker per job; `stop` ends them all (done, failed, or no longer wanted). */
function runWorkers(
  script: URL,
  jobs: RangeJob[],
  signal: AbortSignal | undefined,
): { done: Promise<RangeResult>[]; stop: () => void } {
  // The fast path allocates little per line, so a small young generation costs few extra scavenges
  // and keeps the reader thread's memory (issue 5: peak RSS under 256 MB whatever the input size).
  const workers = jobs.map(
    (job) => new Worker(script, { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: 8 } }),
  );
  const stop = (): void => {
    signal?.removeEventListener('abort', stop);
    for (const worker of workers) void worker.terminate();
  };
  signal?.addEventListener('abort', stop, { once: true });
  const done = workers.map(
    (worker) =>
      new Promise<RangeResult>((resolve, reject) => {
        worker.once('message', (message: RangeMessage) => {
          if (message.ok) resolve(message.result);
          else reject(new Error(message.message));
        });
        worker.once('error', reject);
        worker.once('exit', (code) => reject(new Error(`a reader thread stopped (exit code ${code})`)));
      }),
  );
  // A failed range fails the read at once: the other threads are not left running.
  for (const promise of done) promise.catch(stop);
  return { done, stop };
}

/** The first samples over all ranges, with line numbers counted from the start of the file. */
async function fileSamples(
  file: string,
  bounds: [number, number][],
  results: RangeResult[],
): Promise<SkippedLineSample[]> {
  const samples: SkippedLineSample[] = [];
  for (let r = 0; r < results.length && samples.length < SKIPPED_SAMPLES; r++) {
    const found = (results[r] as RangeResult).samples;
    if (found.length === 0) continue;
    // Rare (malformed lines): count the lines before this range only when a sample needs it.
    const offset = r === 0 ? 0 : await countLines(file, (bounds[r] as [number, number])[0]);
    for (const sample of found) {
      if (samples.length >= SKIPPED_SAMPLES) break;
      samples.push({ ...sample, line: sample.line + offset });
    }
  }
  return samples;
}

async function countLines(file: string, end: number): Promise<number> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(1024 * 1024);
    let lines = 0;
    for (let at = 0; at < end;) {
      const { bytesRead } = await handle.read(buffer, 0, Math.min(buffer.length, end - at), at);
      if (bytesRead === 0) break;
      lines += countNewlines(buffer, bytesRead);
      at += bytesRead;
    }
    return lines;
  } finally {
    await handle.close();
  }
}

function sum(values: number[]): number {
  let total = 0;
  for (const v of values) total += v;
  return total;
}
