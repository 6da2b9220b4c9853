/**
 * Turns what the query rounds found into the IncidentReport. Works on partial results too: an
 * interrupted or failed run still reports every finding its completed queries support.
 */
import type { QueryOutcome, TimeRange } from '../sources/source.js';
import { sizeThresholdCrossings } from './database-size.js';
import { failureRate, summarizeFailures, timeoutRate, writeRate } from './failures.js';
import { firstFailureFrom, probeTimestamp } from './first-failure.js';
import {
  INCIDENT_REPORT_SCHEMA_VERSION,
  type IncidentReport,
  type QueryRecord,
  type Readiness,
} from './incident-report.js';
import type { AnalyzeIncidentOptions } from './incident.js';
import { incidentWindows, type IncidentWindows } from './incident-windows.js';
import { OBJECT_GROWTH_ROWS, objectGrowthFrom } from './object-growth.js';
import { buildRemediation, growthByResource } from './remediation.js';
import { iso } from './row-values.js';
import { summarizeStrain } from './strain.js';
import { buildTimeline, type Evidence } from './timeline.js';
import { buildVerdict } from './verdict.js';
import { actorRowsFrom, analyzeWriters, firstSeenBin, rowsInWindow, type ActorRow } from './writers.js';
import { buildSeries, coarsenSeries } from './write-volume.js';
import { MAX_SERIES_BINS } from './bins.js';

/** What the rounds found so far. */
export interface AnalysisState {
  binMs: number;
  window: TimeRange | undefined;
  /** CloudWatch: the earliest time the series has scanned (the series covers [this, window end]). */
  scannedStartMs?: number;
  seriesOutcomes: QueryOutcome[];
  /** Every outcome, in the order the rounds returned them. */
  outcomes: QueryOutcome[];
  probes: { firstFailure?: QueryOutcome; lastFailure?: QueryOutcome; firstTimeout?: QueryOutcome };
  /** leadUp: `incident-actors-by-bin` (locally: over the whole window); baseline: `incident-actors`. */
  actors: { leadUp?: QueryOutcome; baseline?: QueryOutcome };
  /** Locally the binned actors cover the whole window and are sliced into lead-up and baseline here. */
  actorsBinned?: boolean;
  /** CloudWatch: the windows the detail round queried. */
  actorWindows?: IncidentWindows;
  leadUpActorBinMs?: number;
  rounds: number;
}

const DEFAULT_PRICE_PER_GB = 0.005;
const BYTES_PER_GB = 1_000_000_000;

function evidenceOf(outcome: QueryOutcome | undefined, name: string): Evidence {
  if (outcome === undefined) return null;
  return outcome.consoleUrl === undefined ? { query: name } : { query: name, consoleUrl: outcome.consoleUrl };
}

/** The series outcome whose window holds `ms` (for the console link of a timeline event). */
function seriesOutcomeAt(state: AnalysisState, ms: number): QueryOutcome | undefined {
  return (
    state.seriesOutcomes.find(
      (o) => o.request.range === undefined || (o.request.range.startMs <= ms && ms <= o.request.range.endMs),
    ) ?? state.seriesOutcomes[0]
  );
}

function queryRecord(outcome: QueryOutcome, fallback: TimeRange | undefined): QueryRecord {
  const range = outcome.request.range ?? fallback;
  return {
    name: outcome.request.name,
    queryString: outcome.request.queryString,
    start: range === undefined ? '' : iso(range.startMs),
    end: range === undefined ? '' : iso(range.endMs),
    bytesScanned: outcome.statistics.bytesScanned,
    recordsScanned: outcome.statistics.recordsScanned,
    recordsMatched: outcome.statistics.recordsMatched,
    consoleUrl: outcome.consoleUrl ?? null,
    truncated: outcome.truncated,
  };
}

/** Readiness with nothing known yet: what a run without `logging status` reports. */
export function emptyReadiness(): Readiness {
  return {
    auditLoggingEnabled: null,
    enabledSince: null,
    oldestEvent: null,
    newestEvent: null,
    blindBefore: null,
    notes: [],
  };
}

function failureText(failure: unknown): string {
  return failure instanceof Error ? failure.message : String(failure);
}

/** Builds the report from the state; `failure` is the error that stopped the rounds, if any. */
export function assembleReport(
  state: AnalysisState,
  options: AnalyzeIncidentOptions,
  failure: unknown,
): IncidentReport {
  const warnings: string[] = [];
  const seriesRange =
    state.scannedStartMs !== undefined && state.window !== undefined
      ? { startMs: state.scannedStartMs, endMs: state.window.endMs }
      : state.window;
  // The series decides the width from here on: it may have merged bins to stay under MAX_SERIES_BINS.
  const series = coarsenSeries(buildSeries(state.seriesOutcomes, state.binMs, seriesRange), MAX_SERIES_BINS);
  const { binMs } = series;
  const lastBin = series.bins[series.bins.length - 1];
  const windowStart = state.window?.startMs ?? series.bins[0]?.startMs ?? options.now;
  const windowEnd =
    state.window?.endMs ?? (lastBin === undefined ? options.now : lastBin.startMs + binMs - 1);
  const windows = incidentWindows(series, windowEnd);

  // Actor rows for the lead-up and the baseline.
  let leadUpRows: ActorRow[] = [];
  let baselineRows: ActorRow[] = [];
  let allBinnedRows: ActorRow[] = [];
  const leadUp = state.actorWindows?.leadUp ?? windows.leadUp;
  const baseline = state.actorWindows?.baseline ?? windows.baseline;
  if (state.actorsBinned === true) {
    allBinnedRows = actorRowsFrom(state.actors.leadUp);
    if (leadUp !== null) leadUpRows = rowsInWindow(allBinnedRows, leadUp.startMs, leadUp.endMs);
    if (baseline !== null) baselineRows = rowsInWindow(allBinnedRows, baseline.startMs, baseline.endMs);
  } else {
    leadUpRows = actorRowsFrom(state.actors.leadUp);
    baselineRows = actorRowsFrom(state.actors.baseline);
    allBinnedRows = leadUpRows;
  }
  const spanMs = (span: { startMs: number; endMs: number } | null): number =>
    span === null ? 0 : span.endMs + 1 - span.startMs;
  const writers = analyzeWriters(
    leadUpRows,
    baselineRows,
    spanMs(leadUp),
    state.actors.baseline !== undefined || state.actorsBinned === true ? spanMs(baseline) : 0,
  );
  const topWriter = writers.topWriters[0] ?? null;
  const allGrowth = objectGrowthFrom(leadUpRows);
  const objectGrowth = allGrowth.slice(0, OBJECT_GROWTH_ROWS);

  const firstFailure = firstFailureFrom(state.probes.firstFailure);
  const lastFailureMs = probeTimestamp(state.probes.lastFailure);
  const firstTimeoutMs = probeTimestamp(state.probes.firstTimeout);
  const failures = summarizeFailures(series, lastFailureMs);
  const strain = summarizeStrain(series, [...baselineRows, ...leadUpRows], firstTimeoutMs);
  const remediation = buildRemediation({ objectGrowth: allGrowth, topWriter, nospace: failures.count > 0 });

  const onset = windows.onset;
  const onsetBin = onset === null ? undefined : series.bins[onset.index];
  const floodOnset =
    onset === null || onsetBin === undefined
      ? null
      : {
          timestamp: iso(onsetBin.startMs),
          baselinePerBin: onset.baselinePerBin,
          onsetPerBin: onset.onsetPerBin,
          binMs,
        };

  // Readiness: the caller's (logging status for a cluster), with the blind period worked out here.
  const readiness: Readiness = { ...(options.readiness ?? emptyReadiness()) };
  readiness.notes = [...readiness.notes];
  if (
    readiness.blindBefore === null &&
    readiness.enabledSince !== null &&
    Date.parse(readiness.enabledSince) > windowStart
  ) {
    readiness.blindBefore = readiness.enabledSince;
  }
  if (readiness.blindBefore !== null)
    warnings.push(`Audit logs start at ${readiness.blindBefore}: the window before that is blind.`);

  let topWriterFirstSeenMs: number | null = null;
  if (topWriter !== null) {
    topWriterFirstSeenMs = firstSeenBin(allBinnedRows, topWriter.user);
    if (
      state.actorsBinned !== true &&
      baselineRows.some((r) => r.user === topWriter.user && r.writes > 0) &&
      baseline !== null
    ) {
      topWriterFirstSeenMs = baseline.startMs;
    } else if (topWriterFirstSeenMs !== null && leadUp !== null && state.actorsBinned !== true) {
      topWriterFirstSeenMs = Math.max(topWriterFirstSeenMs, leadUp.startMs);
    }
  }

  const databaseSize = options.metrics ?? null;
  const sizeCrossings = databaseSize === null ? [] : sizeThresholdCrossings(databaseSize);
  const actorsEvidence = evidenceOf(state.actors.leadUp, state.actors.leadUp?.request.name ?? '');
  const timeline = buildTimeline({
    readiness,
    window: { startMs: windowStart, endMs: windowEnd },
    baseline:
      onset === null || baseline === null
        ? null
        : { startMs: baseline.startMs, perBin: onset.baselinePerBin, binMs },
    floodOnset,
    topWriter,
    topWriterFirstSeenMs,
    sizeCrossings,
    sizeMetricName: databaseSize?.metricName ?? null,
    firstFailure,
    firstTimeoutMs: strain.firstTimeout === null ? null : firstTimeoutMs,
    timeouts: strain.timeouts,
    failures,
    evidence: {
      series: evidenceOf(seriesOutcomeAt(state, onsetBin?.startMs ?? windowEnd), 'incident-series'),
      firstFailure: evidenceOf(state.probes.firstFailure, 'incident-first-failure'),
      lastFailure: evidenceOf(state.probes.lastFailure, 'incident-last-failure'),
      firstTimeout: evidenceOf(state.probes.firstTimeout, 'incident-first-timeout'),
      actors: actorsEvidence,
      metrics: databaseSize === null ? null : { query: `metrics:${databaseSize.metricName}` },
    },
  });

  for (const outcome of state.outcomes) {
    if (outcome.truncated)
      warnings.push(`Query "${outcome.request.name}" hit its result cap: its counts may be incomplete.`);
  }
  // The source's own warnings (an empty input file, a file passed over) are the same on every outcome
  // of a pass; keep each once, or an empty log reads like a clean incident.
  for (const warning of new Set(state.outcomes.flatMap((o) => o.warnings ?? []))) warnings.push(warning);
  if (failures.count > 0 && firstFailure === null)
    warnings.push('Failures were counted but the first-failure probe did not return the request.');
  if (windows.firstFailureIndex === 0 && series.bins.length > 0) {
    warnings.push(
      'Writes were already failing at the start of the window: the first failure may be earlier than reported.',
    );
  }
  if (failures.count > 0 && floodOnset === null) {
    warnings.push(
      'No flood onset found before the first failure (the write rate never left its baseline, or rose before the window); the lead-up is the period just before the first failure.',
    );
  }
  if (failure !== null && failure !== undefined)
    warnings.push(`The analysis stopped early: ${failureText(failure)}`);
  // An input cut short (a truncated gzip) hides whatever came after the cut: not a complete picture.
  const cutShort = [...new Set(state.outcomes.flatMap((o) => o.cutShort ?? []))];
  for (const input of cutShort)
    warnings.push(`An input could not be read to its end, so later events are missing: ${input}.`);
  const complete = failure === null && cutShort.length === 0;

  const growthTop = growthByResource(allGrowth)[0];
  const verdict = buildVerdict({
    firstFailure,
    failures,
    floodOnset,
    topWriter,
    topGrowth:
      growthTop === undefined
        ? null
        : {
            resource: growthTop.resource,
            apiGroup: growthTop.apiGroup,
            apiVersion: growthTop.apiVersion,
            namespace:
              growthTop.namespaces.length === 1
                ? (growthTop.namespaces[0]?.namespace ?? '')
                : `${growthTop.namespaces.length} namespaces`,
            creates: 0,
            deletes: 0,
            net: growthTop.net,
          },
    complete,
  });

  const skippedSource = state.outcomes.find((o) => o.skipped !== undefined && o.skipped.count > 0)?.skipped;
  const bytesScanned = state.outcomes.reduce((sum, o) => sum + o.statistics.bytesScanned, 0);
  const pricePerGb = options.pricePerGb ?? DEFAULT_PRICE_PER_GB;
  return {
    schemaVersion: INCIDENT_REPORT_SCHEMA_VERSION,
    generatedAt: iso(options.now),
    tool: { name: 'eks-etcd-insights', version: options.toolVersion ?? 'unknown' },
    cluster: options.cluster ?? null,
    source: { kind: options.source.kind, label: options.source.label },
    window: { start: iso(windowStart), end: iso(windowEnd) },
    verdict,
    readiness,
    firstFailure,
    failures,
    floodOnset,
    leadUp: leadUp === null ? null : { start: iso(leadUp.startMs), end: iso(leadUp.endMs) },
    topWriters: writers.topWriters,
    rankings: writers.rankings,
    objectGrowth,
    strain,
    databaseSize,
    remediation,
    timeline,
    series: {
      binMs,
      writes: writeRate(series),
      failures: failureRate(series),
      timeouts: timeoutRate(series),
    },
    queries: state.outcomes.map((o) => queryRecord(o, state.window)),
    cost: { bytesScanned, estimatedUsd: (bytesScanned / BYTES_PER_GB) * pricePerGb, pricePerGb },
    skippedLines:
      skippedSource === undefined
        ? { count: 0, samples: [] }
        : { count: skippedSource.count, samples: skippedSource.samples },
    complete,
    warnings,
    plan: {
      rounds: state.rounds,
      scanned:
        series.bins.length === 0
          ? null
          : { start: iso(seriesRange?.startMs ?? windowStart), end: iso(windowEnd) },
      baseline: baseline === null ? null : { start: iso(baseline.startMs), end: iso(baseline.endMs) },
    },
  };
}
