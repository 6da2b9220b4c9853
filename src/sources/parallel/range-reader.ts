/**
 * Reads one byte range of a log file (cut at line boundaries) with the same reader and the same
 * query loop as the single-threaded pass, and returns each query's saved state for merging in file
 * order. Runs in a worker thread (range-worker.ts) or, for the first range, on the main thread.
 */
import { open } from 'node:fs/promises';
import type { QueryRun } from '../../insights/index.js';
import { createQueryFeed } from '../query-feed.js';
import { readLogInput } from '../readers/read-log-input.js';
import { createTallyingSink } from '../readers/record-sink.js';
import { SKIPPED_SAMPLES, type RangeJob, type RangeResult } from './range-protocol.js';

/** Same chunk size as the single-threaded reader (log-inputs.ts). */
const READ_CHUNK_BYTES = 1024 * 1024;

/** Reads the range of `job` and saves each query's run; `signal` stops it between chunks. */
export async function readRange(job: RangeJob, signal?: AbortSignal): Promise<RangeResult> {
  const { runs, result } = await readRangeRuns(job, signal);
  return { ...result, partials: runs.map((run) => run.save()) };
}

/** Reads the range of `job`, handing back the live runs (the main thread merges into them). */
export async function readRangeRuns(
  job: RangeJob,
  signal?: AbortSignal,
): Promise<{ runs: QueryRun[]; result: Omit<RangeResult, 'partials'> }> {
  const feed = createQueryFeed(job.requests, { shapes: job.shapes !== false });
  const { sink, tally } = createTallyingSink(
    (record, bytes) => feed.offer(record, bytes),
    SKIPPED_SAMPLES,
    feed.shapedLines,
    feed.chunkDone,
  );
  const summary = await readLogInput(
    {
      label: job.label,
      open: () => readChunks(job.file, job.start, job.end),
    },
    sink,
    {
      ...(job.maxLineBytes === undefined ? {} : { maxLineBytes: job.maxLineBytes }),
      ...(signal === undefined ? {} : { signal }),
    },
  );
  const result: Omit<RangeResult, 'partials'> = {
    scanned: feed.queries.map((query): [number, number] => [query.recordsScanned, query.bytesScanned]),
    summary,
    ...tally,
  };
  return { runs: feed.queries.map((query) => query.run), result };
}

/**
 * Bytes [start, end] (inclusive) of a file in chunks read into two buffers in turn, the next read
 * running while the caller works on the current chunk. A chunk is valid until the caller asks for
 * the one after it; the readers copy whatever they keep longer (line-splitter.ts, QueryFeed.chunkDone).
 * Reusing two buffers instead of a fresh 1 MiB one per chunk keeps the process's memory flat: freed
 * chunks were returned to the allocator only now and then, and with two threads the peak RSS grew
 * by tens of megabytes.
 */
async function* readChunks(file: string, start: number, end: number): AsyncGenerator<Buffer> {
  const handle = await open(file, 'r');
  const buffers = [Buffer.allocUnsafe(READ_CHUNK_BYTES), Buffer.allocUnsafe(READ_CHUNK_BYTES)] as const;
  let position = start;
  const readInto = (buffer: Buffer): Promise<number> => {
    const length = Math.min(buffer.length, end + 1 - position);
    if (length <= 0) return Promise.resolve(0);
    const at = position;
    return handle.read(buffer, 0, length, at).then(({ bytesRead }) => {
      position = at + bytesRead;
      return bytesRead;
    });
  };
  let turn = 0;
  let next = readInto(buffers[0]);
  try {
    for (;;) {
      const bytesRead = await next;
      if (bytesRead === 0) return;
      const current = buffers[turn] as Buffer;
      turn = 1 - turn;
      next = readInto(buffers[turn] as Buffer);
      yield current.subarray(0, bytesRead);
    }
  } finally {
    // A read still running must not land in a closed file (an early stop: abort, a failed range).
    await next.catch(() => 0);
    await handle.close();
  }
}
