/**
 * The local LogSource: answers Logs Insights queries over audit-log files on disk (or stdin) with the
 * project's own engine. Every query of a runAll() call is compiled once and fed in ONE pass over the
 * inputs, so `analyze` reads a 1 GiB file once whatever the number of queries.
 */
import { createReadStream, createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import path from 'node:path';
import { InterruptedError, SourceError } from '../errors.js';
import type { QueryRun } from '../insights/index.js';
import { createQueryFeed, type QueryFeed } from './query-feed.js';
import { MIN_PARALLEL_BYTES, readInParallel, type ParallelRead } from './parallel/read-in-parallel.js';

/** How many threads read one file, and from what size on. */
interface Parallelism {
  workers: number;
  minBytes: number;
  shapes: boolean;
}
import type {
  LogSource,
  QueryOutcome,
  QueryRequest,
  RunOptions,
  SkippedLineSample,
  TimeRange,
} from './source.js';
import { resolveLogInputs, type ResolvedInput } from './readers/log-inputs.js';
import { readLogInput } from './readers/read-log-input.js';
import { addTally, createTallyingSink, type InputSummary, type RecordSink } from './readers/record-sink.js';

/** How many skipped-line samples are kept for the report. */
import { SKIPPED_SAMPLES } from './parallel/range-protocol.js';

/** What the local source reads. */
export interface LocalSourceOptions {
  /** Files, directories, or `-` for stdin. */
  paths: string[];
  /** The stream `-` reads from. */
  stdin?: NodeJS.ReadableStream;
  /** Lines longer than this are skipped (default 16 MiB). */
  maxLineBytes?: number;
  /**
   * Threads reading one big file (default: the number of CPUs, at most 4); 1 reads on the main
   * thread only. Results are the same either way.
   */
  workers?: number;
  /** Files smaller than this are read on one thread (default MIN_PARALLEL_BYTES, 384 MiB). */
  minParallelBytes?: number;
  /**
   * Line layouts may take the shaped fast path (sources/shaped-lines.ts; default true).
   * Results are the same either way; false is for tests that prove it.
   */
  shapes?: boolean;
}

/** The local source, plus what its last run saw. */
export interface LocalLogSource extends LogSource {
  readonly kind: 'local';
  /**
   * The earliest and latest @timestamp of every record read in the last run (whatever the query
   * ranges), or undefined before any; `runAll([])` reads the inputs once just to learn it.
   */
  dataRange(): TimeRange | undefined;
  /** Per-input summary of the last run: format detected, events read, lines skipped. */
  lastInputs(): InputSummary[];
}

/** Creates a LogSource over local files, directories and stdin. */
export function createLocalSource(options: LocalSourceOptions): LocalLogSource {
  let range: TimeRange | undefined;
  let inputs: InputSummary[] = [];
  const stdin = options.stdin === undefined ? undefined : stdinSpool(options.stdin);

  return {
    kind: 'local',
    label: options.paths.join(', '),
    dataRange: () => range,
    lastInputs: () => inputs,
    async runAll(requests: QueryRequest[], runOptions: RunOptions = {}): Promise<QueryOutcome[]> {
      const feed = createQueryFeed(requests, { shapes: options.shapes !== false });
      const resolved = await resolveLogInputs(options.paths, stdin);
      // A pending read of stdin does not notice an abort by itself (Ctrl-C while a pipe is idle):
      // closing the stream ends the read, and the run then reports the interruption.
      const stopStdin = (): void => void (options.stdin as { destroy?: () => void } | undefined)?.destroy?.();
      runOptions.signal?.addEventListener('abort', stopStdin, { once: true });
      try {
        const workers = options.workers ?? Math.min(4, availableParallelism());
        const parallel = {
          workers,
          minBytes: options.minParallelBytes ?? MIN_PARALLEL_BYTES,
          shapes: options.shapes !== false,
        };
        const answer = await readAndAnswer(resolved, feed, runOptions, options.maxLineBytes, parallel);
        inputs = answer.inputs;
        range = answer.range;
        return answer.outcomes;
      } finally {
        runOptions.signal?.removeEventListener('abort', stopStdin);
      }
    },
  };
}

/** The one pass: every input read once, every record offered to every query whose range holds it. */
async function readAndAnswer(
  resolved: ResolvedInput[],
  feed: QueryFeed,
  runOptions: RunOptions,
  maxLineBytes: number | undefined,
  parallelism: Parallelism,
): Promise<{ outcomes: QueryOutcome[]; inputs: InputSummary[]; range: TimeRange | undefined }> {
  const warnings: string[] = [];
  const { sink, tally } = createTallyingSink(
    (record, bytes) => feed.offer(record, bytes),
    SKIPPED_SAMPLES,
    feed.shapedLines,
    feed.chunkDone,
  );
  const summaries: InputSummary[] = [];
  for (const input of resolved) {
    if (runOptions.signal?.aborted === true) throw interrupted(runOptions.signal);
    const parallel = await readParallel(input, feed, runOptions, maxLineBytes, parallelism);
    let summary: InputSummary;
    if (parallel === undefined) {
      summary = await readOne(input, sink, runOptions, maxLineBytes);
    } else {
      summary = parallel.summary;
      runOptions.onVerbose?.(
        `read ${input.label} in ${parallel.threads} byte ranges on ${parallel.threads} threads`,
      );
      feed.queries.forEach((query, q) => {
        query.run = parallel.runs[q] as QueryRun;
        const [records, bytes] = parallel.scanned[q] as [number, number];
        query.recordsScanned += records;
        query.bytesScanned += bytes;
      });
      addTally(tally, parallel, SKIPPED_SAMPLES);
    }
    summaries.push(summary);
    runOptions.onVerbose?.(
      `read ${input.label}: ${summary.gzip ? 'gzip, ' : ''}${summary.format}, ${summary.records} events, ${summary.skipped} lines skipped`,
    );
    if (summary.records > 0) continue;
    if (summary.format === 'unknown' && summary.skipped === 0) {
      warnings.push(
        `${input.label}: not a log file (nothing like a JSON event or a timestamped line at its start); ignored`,
      );
    } else if (summary.skipped === 0) {
      warnings.push(`${input.label}: empty, no events in it`);
    } else if (input.explicit) {
      throw new SourceError(
        `No event could be read from ${input.label}: ${summary.skipped} malformed ${plural(summary.skipped, 'line')}${firstReason(tally.samples, input.label)}.`,
        {
          hint: 'Give a kube-apiserver audit log (one JSON event per line) or a CloudWatch Logs export (filter-log-events JSON, JSON lines, or the S3 export format), optionally gzipped.',
        },
      );
    } else {
      warnings.push(
        `${input.label}: no event could be read (${summary.skipped} malformed ${plural(summary.skipped, 'line')}); ignored`,
      );
    }
  }
  if (runOptions.signal?.aborted === true) throw interrupted(runOptions.signal);
  const range = tally.minMs <= tally.maxMs ? { startMs: tally.minMs, endMs: tally.maxMs } : undefined;
  const cutShort = summaries.flatMap((summary) =>
    summary.cutShort === undefined ? [] : [`${summary.label}: ${summary.cutShort}`],
  );
  const skipped = tally.skippedCount > 0 ? { count: tally.skippedCount, samples: tally.samples } : undefined;
  const outcomes = feed.queries.map((query): QueryOutcome => {
    const result = query.run.finish();
    const truncated = query.cap !== undefined && result.rows.length > query.cap;
    const outcome: QueryOutcome = {
      request: query.request,
      fields: result.fields,
      rows: truncated ? result.rows.slice(0, query.cap) : result.rows,
      statistics: {
        recordsScanned: query.recordsScanned,
        recordsMatched: result.recordsMatched,
        bytesScanned: query.bytesScanned,
      },
      // More rows than the cap existed: the caller must be told rather than lose them silently.
      truncated,
    };
    if (skipped !== undefined) outcome.skipped = skipped;
    if (warnings.length > 0) outcome.warnings = [...warnings];
    if (cutShort.length > 0) outcome.cutShort = [...cutShort];
    return outcome;
  });
  return { outcomes, inputs: summaries, range };
}

async function readParallel(
  input: ResolvedInput,
  feed: QueryFeed,
  runOptions: RunOptions,
  maxLineBytes: number | undefined,
  parallelism: Parallelism,
): Promise<ParallelRead | undefined> {
  try {
    return await readInParallel(input, feed, {
      ...parallelism,
      ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
      ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
    });
  } catch (error) {
    if (runOptions.signal?.aborted === true) throw interrupted(runOptions.signal);
    throw new SourceError(
      `Cannot read ${input.label}: ${error instanceof Error ? error.message : String(error)}.`,
      {
        cause: error,
      },
    );
  }
}

async function readOne(
  input: ResolvedInput,
  sink: RecordSink,
  runOptions: RunOptions,
  maxLineBytes: number | undefined,
): Promise<InputSummary> {
  try {
    return await readLogInput(input, sink, {
      // A README or a licence next to the logs is passed over whole; a file the user named is not.
      skipUnknown: !input.explicit,
      ...(maxLineBytes === undefined ? {} : { maxLineBytes }),
      ...(runOptions.signal === undefined ? {} : { signal: runOptions.signal }),
    });
  } catch (error) {
    if (runOptions.signal?.aborted === true) throw interrupted(runOptions.signal);
    if (error instanceof SourceError) throw error;
    throw new SourceError(
      `Cannot read ${input.label}: ${error instanceof Error ? error.message : String(error)}.`,
      { cause: error },
    );
  }
}

function interrupted(signal: AbortSignal): Error {
  return signal.reason instanceof Error ? signal.reason : new InterruptedError();
}

function firstReason(samples: SkippedLineSample[], file: string): string {
  const sample = samples.find((s) => s.file === file);
  return sample === undefined ? '' : `; line ${sample.line}: ${sample.reason}`;
}

function plural(n: number, word: string): string {
  return n === 1 ? word : `${word}s`;
}

/**
 * stdin can be read once, but a source may be asked several times (analyze runs rounds of queries).
 * The first read copies the raw bytes to a private temporary file that later runs read instead; it is
 * removed when the process exits.
 */
function stdinSpool(stdin: NodeJS.ReadableStream): () => AsyncIterable<Buffer> {
  let spoolFile: string | undefined;
  let used = false;
  return () => {
    if (!used) {
      used = true;
      return teeToFile(stdin, (file) => {
        spoolFile = file;
      });
    }
    if (spoolFile === undefined)
      throw new SourceError('stdin (-) was not read completely the first time and cannot be read again.');
    return createReadStream(spoolFile, { highWaterMark: 1024 * 1024 }) as AsyncIterable<Buffer>;
  };
}

async function* teeToFile(
  stdin: NodeJS.ReadableStream,
  done: (file: string) => void,
): AsyncGenerator<Buffer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'eks-etcd-insights-stdin-'));
  process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
  const file = path.join(dir, 'stdin');
  const out = createWriteStream(file, { mode: 0o600 });
  for await (const chunk of stdin as AsyncIterable<Buffer | string>) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    if (!out.write(buffer)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
    yield buffer;
  }
  await new Promise<void>((resolve, reject) =>
    out.end((error?: Error | null) => (error ? reject(error) : resolve())),
  );
  done(file);
}
