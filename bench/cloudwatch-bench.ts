/**
 * The CloudWatch half of the benchmark (issue 5, section 1, third bullet): `analyze --cluster`
 * against the fake AWS server on a 7-day dataset whose incident sits in the last 30 hours.
 *
 * For each lookback (7 d, then 30 d: the rounds must not grow with it) it reports the bytes analyze
 * scanned (from the server, and from the report's cost), next to the minimum (the audit-stream
 * bytes of the window the analysis truly needs; defined in cloudwatch/accounting.ts) and the naive
 * plan (every stored query over the whole lookback on every stream), the query rounds on the
 * critical path, the wall time when every query takes a fixed delay to complete, and the cost in
 * USD. run-bench.ts picks this module up through its hook (`runCloudWatchBench`).
 */
import { readdirSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { CloudWatchBenchResults } from './results.js';
import { ensureCloudWatchDataset, loadRecords, shiftToNow, shiftTruth } from './cloudwatch/dataset.js';
import { BENCH_LOG, measureCloudWatchRun, type CloudWatchRun } from './cloudwatch/measure-run.js';

export interface CloudWatchBenchContext {
  projectRoot: string;
  cliEntry: string;
  log: (line: string) => void;
  /** Target message bytes of the dataset, in MB (default 400). */
  messageMb?: number;
  /** How long the fake server keeps each query Running (default 2000 ms). */
  delayMs?: number;
  /** Lookbacks to run, in days (default 7 and 30); the first is the headline figure. */
  lookbackDays?: number[];
  cacheDir?: string;
}

/** The hook's figures plus everything measured, per lookback (extra fields land in the results JSON). */
export interface CloudWatchBenchDetails extends CloudWatchBenchResults {
  costUsd: number | null;
  dataset: {
    file: string;
    events: number;
    fileBytes: number;
    apiLines: number;
    floodOnset: string | null;
    firstFailure: string | null;
  };
  runs: CloudWatchRun[];
}

const mb = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 1e6).toFixed(1)} MB`);
const x = (a: number | null, b: number | null, digits = 2): string =>
  a === null || b === null || b === 0 ? 'n/a' : `${(a / b).toFixed(digits)}x`;

/** One Markdown-ready line per run. */
export function describeRun(run: CloudWatchRun): string {
  const parts = [
    `${run.lookbackDays}d lookback: analyze scanned ${mb(run.serverBytesScanned)} (report cost ${mb(run.reportBytesScanned)}, $${run.costUsd?.toFixed(4) ?? 'n/a'})`,
    `minimum ${mb(run.minimum?.bytes ?? null)} (${x(run.serverBytesScanned, run.minimum?.bytes ?? null)}; audit bytes ${run.minimum?.start ?? '?'} .. ${run.minimum?.end ?? '?'})`,
    `naive ${mb(run.naivePlanBytes)} for ${run.naiveQueryCount} analysis queries (${x(run.serverBytesScanned, run.naivePlanBytes, 3)}), ${mb(run.naiveLibraryBytes)} for all ${run.libraryQueryCount} stored queries`,
    `rounds ${run.rounds ?? 'n/a'} (server-observed sequential waves ${run.serverWaves}, ${run.queriesRun} queries)`,
    `wall ${(run.wallMs / 1000).toFixed(1)} s at ${run.delayMs} ms per query (fake server compute ${(run.serverComputeMs / 1000).toFixed(1)} s)`,
  ];
  if (run.analysisBaseline !== null)
    parts.push(`audit bytes from the analysis' own baseline start: ${mb(run.analysisBaseline.bytes)}`);
  if (run.overlappingSeconds > 0) {
    parts.push(
      `WARNING: queries of the same text overlap by ${run.overlappingSeconds} s of StartQuery's inclusive seconds, so events in those seconds are counted twice`,
    );
  }
  if (run.findings !== null) {
    const wrong = Object.entries(run.findings)
      .filter(([, ok]) => !ok)
      .map(([name]) => name);
    parts.push(
      wrong.length === 0
        ? 'findings match the ground truth'
        : `findings DIFFER from the ground truth: ${wrong.join(', ')}`,
    );
  }
  if (run.errors.length > 0) parts.push(`ERRORS: ${run.errors.join('; ')}`);
  return parts.join('; ');
}

function storedQueryCount(projectRoot: string): number {
  return readdirSync(path.join(projectRoot, 'queries')).filter((name) => name.endsWith('.insights')).length;
}

/** Runs the CloudWatch half and returns its figures (the first lookback is the headline). */
export async function runCloudWatchBench(context: CloudWatchBenchContext): Promise<CloudWatchBenchDetails> {
  const { log } = context;
  const delayMs = context.delayMs ?? 2000;
  const lookbacks = context.lookbackDays ?? [7, 30];
  const cacheDir = context.cacheDir ?? path.join(context.projectRoot, 'bench/.cache');
  await mkdir(cacheDir, { recursive: true });
  const dataset = await ensureCloudWatchDataset(cacheDir, { messageMb: context.messageMb ?? 400 }, log);

  const shiftMs = shiftToNow(Date.parse(dataset.truth.window.end), Date.now());
  log(`cloudwatch: loading ${dataset.events} events into the fake server...`);
  const records = await loadRecords(dataset.file, BENCH_LOG, shiftMs);
  const truth = shiftTruth(dataset.truth, shiftMs);
  const libraryQueryCount = storedQueryCount(context.projectRoot);

  const runs: CloudWatchRun[] = [];
  for (const lookbackDays of lookbacks) {
    log(`cloudwatch: analyze --cluster, lookback ${lookbackDays}d, ${delayMs} ms per query...`);
    const run = await measureCloudWatchRun({
      records,
      truth,
      cliEntry: context.cliEntry,
      projectRoot: context.projectRoot,
      lookbackDays,
      delayMs,
      outputFile: path.join(cacheDir, `cloudwatch-analyze-${lookbackDays}d.json`),
      libraryQueryCount,
    });
    log(`cloudwatch:   ${describeRun(run)}`);
    runs.push(run);
  }
  const headline = runs[0];
  if (headline === undefined) throw new Error('no lookback to run');
  const rounds = runs.map((r) => r.rounds ?? Number.POSITIVE_INFINITY);
  const notes = [
    `Dataset: ${dataset.events} events over 7 days (${(dataset.fileBytes / 1e6).toFixed(0)} MB as CloudWatch JSON lines, ${dataset.truth.apiLines} of them api-stream lines), ` +
      `flood onset ${truth.floodOnset ?? 'none'}, first failure ${truth.firstFailure?.timestamp ?? 'none'}; log group ${BENCH_LOG.split(':')[1] ?? ''} (STANDARD), streams kube-apiserver-audit-* and kube-apiserver-*.`,
    'Minimum = audit-stream bytes from one hour (the shortest baseline) before the bin of the true flood onset to the end of the window; ' +
      `naive = each of the ${headline.naiveQueryCount} queries analyze needs over the whole lookback on every stream (also shown for all ${libraryQueryCount} stored queries).`,
    ...runs.map(describeRun),
    rounds.every((r) => r === rounds[0])
      ? `Rounds do not grow with the lookback (${lookbacks.map((d, i) => `${d}d: ${runs[i]?.rounds ?? 'n/a'}`).join(', ')}).`
      : `Rounds CHANGE with the lookback: ${lookbacks.map((d, i) => `${d}d: ${runs[i]?.rounds ?? 'n/a'}`).join(', ')}.`,
  ];
  return {
    analyzeBytesScanned: headline.serverBytesScanned,
    minimumBytes: headline.minimum?.bytes ?? Number.NaN,
    naivePlanBytes: headline.naivePlanBytes ?? Number.NaN,
    criticalPathRounds: Math.max(...rounds),
    wallMs: headline.wallMs,
    delayMsPerQuery: delayMs,
    lookbackDays: headline.lookbackDays,
    notes,
    costUsd: headline.costUsd,
    dataset: {
      file: path.relative(context.projectRoot, dataset.file),
      events: dataset.events,
      fileBytes: dataset.fileBytes,
      apiLines: dataset.truth.apiLines,
      floodOnset: truth.floodOnset,
      firstFailure: truth.firstFailure?.timestamp ?? null,
    },
    runs,
  };
}
