/**
 * Worker thread entry: reads one byte range of a log file (cut at line boundaries by the main
 * thread) with the same reader and the same query loop as the single-threaded pass, and posts back
 * each query's saved state for the main thread to merge in file order.
 */
import { createReadStream } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { createQueryFeed } from '../query-feed.js';
import { readLogInput } from '../readers/read-log-input.js';
import type { RecordSink } from '../readers/record-sink.js';
import type { SkippedLineSample } from '../source.js';
import { SKIPPED_SAMPLES, type RangeJob, type RangeResult } from './range-protocol.js';

/** Same chunk size as the single-threaded reader (log-inputs.ts). */
const READ_CHUNK_BYTES = 1024 * 1024;

async function runJob(job: RangeJob): Promise<RangeResult> {
  const feed = createQueryFeed(job.requests);
  let minMs = Number.POSITIVE_INFINITY;
  let maxMs = Number.NEGATIVE_INFINITY;
  let skippedCount = 0;
  const samples: SkippedLineSample[] = [];
  const sink: RecordSink = {
    record(record, bytes) {
      const ts = record.timestamp;
      if (ts < minMs) minMs = ts;
      if (ts > maxMs) maxMs = ts;
      feed.offer(record, bytes);
    },
    skip(sample) {
      skippedCount++;
      if (samples.length < SKIPPED_SAMPLES) samples.push(sample);
    },
  };
  const summary = await readLogInput(
    {
      label: job.label,
      // `end` is inclusive, as createReadStream's is.
      open: () => createReadStream(job.file, { start: job.start, end: job.end, highWaterMark: READ_CHUNK_BYTES }),
    },
    sink,
    job.maxLineBytes === undefined ? {} : { maxLineBytes: job.maxLineBytes },
  );
  return {
    partials: feed.queries.map((query) => query.run.save()),
    scanned: feed.queries.map((query) => [query.recordsScanned, query.bytesScanned]),
    summary,
    minMs,
    maxMs,
    skippedCount,
    samples,
  };
}

const port = parentPort;
if (port !== null) {
  runJob(workerData as RangeJob).then(
    (result) => port.postMessage({ ok: true, result }),
    (error: unknown) => port.postMessage({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
}
