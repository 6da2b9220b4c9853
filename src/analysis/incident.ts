/**
 * `analyze`: runs the incident queries against a LogSource in rounds and assembles the report.
 *
 * THE QUERY PLAN AND WHY
 *
 * Local files: one round. The local source answers every request in one pass over its files, so all
 * queries run together over the whole window: the per-bin series (`incident-series`), who-wrote-what
 * per bin (`incident-actors-by-bin`, sliced afterwards into lead-up and baseline), and the three
 * `sort @timestamp | limit 1` probes (first failure, last failure, first timeout).
 *
 * CloudWatch Logs Insights bills the bytes each query scans in its time range, and a `limit` does
 * not make a query scan less, so the plan is about which windows get scanned how often.
 * Let E be the end of the window, S = E - lookback, b the bin.
 *   Rounds 1-3, the search: the ONE combined series query (writes, successful writes, NOSPACE
 *     failures, timeouts, 5xx, 429 per bin; instead of five queries over the same window) runs over
 *     growing windows reaching back from E: [E-6h, E], then [E-24h, E-6h], then [S, E-24h]
 *     (first-failure.ts GALLOP_WINDOWS_MS). Each round scans only what the earlier ones did not, and
 *     the search stops as soon as the earliest failure has a clean bin before it. When the failure
 *     is found but the write rate has no baseline yet (the flood began earlier), a further round
 *     reaches back by as much again as the lead-up seen so far (at least DEFAULT_LEAD_UP_MS), at
 *     most up to round 3; an onset found with less than two hours of data before it gets them. So the series covers the needed window [baseline start, E] once, plus the
 *     overshoot of the last step, and never more than the lookback.
 *   Round 4, the details, all at once: the three probes, each over the ONE bin that holds its
 *     event (a few minutes of logs), and the actors query over the lead-up (binned coarsely, so the
 *     top writer's first appearance is known) and over the baseline window before it.
 * Bytes scanned: series over [scan start, E] + actors over [baseline start, first failure] + three
 * bins; the minimum is one pass over [an hour before the flood onset, E]. The lead-up is scanned
 * twice (series, then actors), so the ratio is 1 + (lead-up bytes / needed bytes) + the overshoot
 * of the last search step. Measured on 7-day generated datasets with the incident in the last 30 h
 * (test/analysis/cloudwatch-plan.test.ts): ongoing incidents 1.37x (operator flood) and 1.41x
 * (user flood) the minimum, 0.07x the naive plan (11 stored queries over 7 days), 4 rounds for 7-
 * and 30-day lookbacks. An incident that recovered hours before E has a light failure period, so
 * the double-scanned lead-up weighs more: about 1.7x the minimum (still 0.06x the naive plan).
 */
import { AppError, INTERNAL_ERROR_EXIT_CODE, UsageError } from '../errors.js';
import type { LogSource, QueryOutcome, QueryRequest, RunOptions, TimeRange } from '../sources/source.js';
import { binStart, chooseBinMs, withBin } from './bins.js';
import {
  FIRST_FAILURE_QUERY,
  FIRST_TIMEOUT_QUERY,
  GALLOP_WINDOWS_MS,
  LAST_FAILURE_QUERY,
  failureLocated,
} from './first-failure.js';
import type { DatabaseSize, IncidentReport, Readiness } from './incident-report.js';
import { DEFAULT_LEAD_UP_MS, MIN_BASELINE_MS, incidentWindows } from './incident-windows.js';
import { assembleReport, type AnalysisState } from './assemble-report.js';
import { ACTORS_BY_BIN_QUERY, ACTORS_QUERY } from './writers.js';
import { SERIES_QUERY, buildSeries, firstTimeoutBinIndex, lastFailureBinIndex } from './write-volume.js';

/**
 * The actors queries group by user, agent, resource and namespace (and bin), which on a large cluster
 * passes CloudWatch's default cap of 10,000 rows. Ask for the most StartQuery allows for Logs Insights
 * QL (100,000, aws-facts A); past that the outcome is marked truncated and the report says so.
 */
const ACTOR_ROWS_LIMIT = 100_000;

/** The stored queries analyze needs, by name. */
export const ANALYSIS_QUERIES = [
  SERIES_QUERY,
  ACTORS_QUERY,
  ACTORS_BY_BIN_QUERY,
  FIRST_FAILURE_QUERY,
  LAST_FAILURE_QUERY,
  FIRST_TIMEOUT_QUERY,
] as const;

/** Data an onset must have before it (in the scanned series) to be trusted without looking further back. */
const ONSET_CONTEXT_MS = 2 * 3_600_000;
/** Most rounds the CloudWatch plan runs before the detail round. */
const SEARCH_ROUNDS = 3;
/** The lead-up actors query is binned into at most this many bins (for "top writer first seen"). */
const LEAD_UP_ACTOR_BINS = 24;

export interface AnalyzeIncidentOptions {
  source: LogSource;
  /** Query texts by stored name; must hold ANALYSIS_QUERIES. */
  queries: Record<string, string>;
  /** The window; omitted for local files means all the data. CloudWatch default: the lookback before `now`. */
  window?: TimeRange;
  /** How far back the search for the first failure goes when no window is given (default 7 days). */
  lookbackMs?: number;
  binMs?: number;
  now: number;
  cluster?: string | null;
  readiness?: Readiness;
  /** Database size from --metrics-file or CloudWatch metrics. */
  metrics?: DatabaseSize | null;
  pricePerGb?: number;
  toolVersion?: string;
  signal?: AbortSignal;
  onProgress?: RunOptions['onProgress'];
  onVerbose?: (message: string) => void;
}

/**
 * The run stopped (interrupted, or a query failed) before the analysis finished. `report` holds what
 * was found, with `complete: false`; the exit code and hint are the cause's.
 */
export class IncompleteAnalysisError extends AppError {
  constructor(
    readonly report: IncidentReport,
    readonly failure: unknown,
  ) {
    const cause = failure instanceof AppError ? failure : undefined;
    super(
      failure instanceof Error ? failure.message : String(failure),
      cause?.exitCode ?? INTERNAL_ERROR_EXIT_CODE,
      {
        cause: failure,
        ...(cause?.hint === undefined ? {} : { hint: cause.hint }),
      },
    );
  }

  /** The cause's own formatting (a query error's caret), when it has one. */
  format(): string {
    const cause = this.failure as { format?: () => string };
    return typeof cause.format === 'function' ? cause.format() : `error: ${this.message}`;
  }
}

const DEFAULT_LOOKBACK_MS = 7 * 86_400_000;

/** Analyses the incident; throws IncompleteAnalysisError (with the partial report) when a round fails. */
export async function analyzeIncident(options: AnalyzeIncidentOptions): Promise<IncidentReport> {
  const text = (name: string): string => {
    const query = options.queries[name];
    if (query === undefined)
      throw new UsageError(`The stored query "${name}" is missing from the query library.`);
    return query;
  };
  for (const name of ANALYSIS_QUERIES) text(name);

  const cloudwatch = options.source.kind === 'cloudwatch';
  let window =
    options.window ??
    (cloudwatch
      ? { startMs: options.now - (options.lookbackMs ?? DEFAULT_LOOKBACK_MS), endMs: options.now }
      : undefined);
  const binMs = chooseBinMs(window === undefined ? undefined : window.endMs - window.startMs, options.binMs);
  // On CloudWatch the window starts on a bin boundary: a partial first bin would look "clean" and
  // could end the search for the first failure one bin too late.
  if (cloudwatch && window !== undefined)
    window = { startMs: binStart(window.startMs, binMs), endMs: window.endMs };
  const state: AnalysisState = {
    binMs,
    window,
    seriesOutcomes: [],
    outcomes: [],
    probes: {},
    actors: {},
    rounds: 0,
  };
  const runOptions: RunOptions = {
    ...(options.signal === undefined ? {} : { signal: options.signal }),
    ...(options.onProgress === undefined ? {} : { onProgress: options.onProgress }),
    ...(options.onVerbose === undefined ? {} : { onVerbose: options.onVerbose }),
  };
  const runRound = async (requests: QueryRequest[]): Promise<(QueryOutcome | undefined)[]> => {
    state.rounds += 1;
    options.onVerbose?.(`analyze: round ${state.rounds}: ${requests.map((r) => r.name).join(', ')}`);
    try {
      const outcomes = await options.source.runAll(requests, runOptions);
      state.outcomes.push(...outcomes);
      return outcomes;
    } catch (error) {
      const partial = (error as { partial?: (QueryOutcome | undefined)[] }).partial;
      if (Array.isArray(partial)) {
        for (const outcome of partial) if (outcome !== undefined) state.outcomes.push(outcome);
        (error as { analysisPartial?: unknown }).analysisPartial = partial;
      }
      throw error;
    }
  };
  const partialOf = (error: unknown): (QueryOutcome | undefined)[] =>
    (error as { analysisPartial?: (QueryOutcome | undefined)[] }).analysisPartial ?? [];

  let failure: unknown = null;
  try {
    if (cloudwatch && window !== undefined) await runCloudWatchPlan(state, window, text, runRound, partialOf);
    else await runLocalPlan(state, window, text, runRound, partialOf);
  } catch (error) {
    failure = error;
  }
  const report = assembleReport(state, options, failure);
  if (failure !== null) throw new IncompleteAnalysisError(report, failure);
  return report;
}

type RunRound = (requests: QueryRequest[]) => Promise<(QueryOutcome | undefined)[]>;
type PartialOf = (error: unknown) => (QueryOutcome | undefined)[];

/** Files the outcomes of a round into the state by request name. */
function file(state: AnalysisState, requests: QueryRequest[], outcomes: (QueryOutcome | undefined)[]): void {
  requests.forEach((request, index) => {
    const outcome = outcomes[index];
    if (outcome === undefined) return;
    switch (request.name) {
      case SERIES_QUERY:
        state.seriesOutcomes.push(outcome);
        break;
      case FIRST_FAILURE_QUERY:
        state.probes.firstFailure = outcome;
        break;
      case LAST_FAILURE_QUERY:
        state.probes.lastFailure = outcome;
        break;
      case FIRST_TIMEOUT_QUERY:
        state.probes.firstTimeout = outcome;
        break;
      case ACTORS_BY_BIN_QUERY:
        state.actors.leadUp = outcome;
        break;
      case ACTORS_QUERY:
        state.actors.baseline = outcome;
        break;
    }
  });
}

async function runFiled(
  state: AnalysisState,
  requests: QueryRequest[],
  runRound: RunRound,
  partialOf: PartialOf,
): Promise<void> {
  try {
    file(state, requests, await runRound(requests));
  } catch (error) {
    file(state, requests, partialOf(error));
    throw error;
  }
}

async function runLocalPlan(
  state: AnalysisState,
  window: TimeRange | undefined,
  text: (name: string) => string,
  runRound: RunRound,
  partialOf: PartialOf,
): Promise<void> {
  const range = window === undefined ? {} : { range: window };
  state.actorsBinned = true;
  await runFiled(
    state,
    [
      { name: SERIES_QUERY, queryString: withBin(text(SERIES_QUERY), state.binMs), ...range },
      {
        name: ACTORS_BY_BIN_QUERY,
        queryString: withBin(text(ACTORS_BY_BIN_QUERY), state.binMs),
        limit: ACTOR_ROWS_LIMIT,
        ...range,
      },
      { name: FIRST_FAILURE_QUERY, queryString: text(FIRST_FAILURE_QUERY), ...range },
      { name: LAST_FAILURE_QUERY, queryString: text(LAST_FAILURE_QUERY), ...range },
      { name: FIRST_TIMEOUT_QUERY, queryString: text(FIRST_TIMEOUT_QUERY), ...range },
    ],
    runRound,
    partialOf,
  );
}

async function runCloudWatchPlan(
  state: AnalysisState,
  window: TimeRange,
  text: (name: string) => string,
  runRound: RunRound,
  partialOf: PartialOf,
): Promise<void> {
  const { binMs } = state;
  const E = window.endMs;
  const scanned = (): number => state.scannedStartMs ?? E + 1;
  const scanTo = async (targetMs: number): Promise<void> => {
    const request: QueryRequest = {
      name: SERIES_QUERY,
      queryString: withBin(text(SERIES_QUERY), binMs),
      // Each round ends just before what earlier rounds scanned (the first one at E itself).
      range: { startMs: targetMs, endMs: scanned() - 1 },
    };
    await runFiled(state, [request], runRound, partialOf);
    state.scannedStartMs = targetMs;
  };
  const series = () => buildSeries(state.seriesOutcomes, binMs, { startMs: scanned(), endMs: E });

  // Rounds 1-3: gallop backwards until the earliest failure has a clean bin before it.
  for (const reach of GALLOP_WINDOWS_MS) {
    const target = Number.isFinite(reach)
      ? Math.max(window.startMs, binStart(E - reach, binMs))
      : window.startMs;
    if (target >= scanned()) continue;
    await scanTo(target);
    if (target <= window.startMs || failureLocated(series())) break;
  }
  // Still within the search rounds: reach further back when the flood has no baseline yet.
  while (state.rounds < SEARCH_ROUNDS && scanned() > window.startMs) {
    const current = series();
    const windows = incidentWindows(current, E);
    const failureBin = current.bins[windows.firstFailureIndex]?.startMs;
    if (windows.firstFailureIndex < 0 || failureBin === undefined) break;
    const onsetStart = windows.onset === null ? undefined : current.bins[windows.onset.index]?.startMs;
    // An onset with ONSET_CONTEXT_MS of data before it is trusted; one close to the start of what
    // was scanned may sit on a ramp that began earlier (its "baseline" was already the flood).
    if (onsetStart !== undefined && onsetStart - scanned() >= ONSET_CONTEXT_MS) break;
    const reachBack =
      onsetStart !== undefined
        ? Math.max(MIN_BASELINE_MS, ONSET_CONTEXT_MS - (onsetStart - scanned()))
        : Math.max(DEFAULT_LEAD_UP_MS, failureBin - scanned());
    await scanTo(Math.max(window.startMs, binStart(scanned() - reachBack, binMs)));
  }

  // Round 4: the details.
  const current = series();
  const windows = incidentWindows(current, E);
  const binRange = (index: number): TimeRange | undefined => {
    const start = current.bins[index]?.startMs;
    return start === undefined
      ? undefined
      : { startMs: Math.max(start, scanned()), endMs: Math.min(E, start + binMs - 1) };
  };
  const requests: QueryRequest[] = [];
  const probe = (name: string, index: number): void => {
    const range = index < 0 ? undefined : binRange(index);
    if (range !== undefined) requests.push({ name, queryString: text(name), range });
  };
  probe(FIRST_FAILURE_QUERY, windows.firstFailureIndex);
  probe(LAST_FAILURE_QUERY, lastFailureBinIndex(current));
  probe(FIRST_TIMEOUT_QUERY, firstTimeoutBinIndex(current));
  if (windows.leadUp !== null) {
    const length = windows.leadUp.endMs + 1 - windows.leadUp.startMs;
    const coarse = binMs * Math.max(1, Math.ceil(length / binMs / LEAD_UP_ACTOR_BINS));
    state.leadUpActorBinMs = coarse;
    requests.push({
      name: ACTORS_BY_BIN_QUERY,
      queryString: withBin(text(ACTORS_BY_BIN_QUERY), coarse),
      limit: ACTOR_ROWS_LIMIT,
      range: windows.leadUp,
    });
  }
  if (windows.baseline !== null) {
    requests.push({
      name: ACTORS_QUERY,
      queryString: text(ACTORS_QUERY),
      limit: ACTOR_ROWS_LIMIT,
      range: windows.baseline,
    });
  }
  state.actorWindows = windows;
  if (requests.length > 0) await runFiled(state, requests, runRound, partialOf);
}
