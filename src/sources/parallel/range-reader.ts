/**
 * Reads one byte range of a log file (cut at line boundaries) with the same reader and the same
 * query loop as the single-threaded pass, and returns each query's saved state for merging in file
 * order. Runs in a worker thread (range-worker.ts) or, for the first range, on the main thread.
 */
import { createReadStream } from 'node:fs';
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
  const feed = createQueryFeed(job.requests);
  const { sink, tally } = createTallyingSink(
    (record, bytes) => feed.offer(record, bytes),
    SKIPPED_SAMPLES,
    feed.offerAuditLine,
  );
  const summary = await readLogInput(
    {
      label: job.label,
      // `end` is inclusive, as createReadStream's is.
      open: () =>
        createReadStream(job.file, { start: job.start, end: job.end, highWaterMark: READ_CHUNK_BYTES }),
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
