/**
 * The incident timeline: one list of events in UTC order, each with the query it comes from (and
 * its console link when CloudWatch answered), so a postmortem can cite its evidence.
 */
import type {
  FailureSummary,
  FirstFailure,
  FloodOnset,
  Readiness,
  TimelineEvent,
  TimelineKind,
  TopWriter,
} from './incident-report.js';
import { iso } from './row-values.js';

export type Evidence = TimelineEvent['evidence'];

export interface TimelineInput {
  readiness: Readiness;
  window: { startMs: number; endMs: number };
  /** The baseline the flood onset was measured against. */
  baseline: { startMs: number; perBin: number; binMs: number } | null;
  floodOnset: FloodOnset | null;
  topWriter: TopWriter | null;
  topWriterFirstSeenMs: number | null;
  sizeCrossings: { fraction: number; timestamp: string; bytes: number }[];
  sizeMetricName: string | null;
  firstFailure: FirstFailure | null;
  firstTimeoutMs: number | null;
  timeouts: number;
  failures: FailureSummary;
  evidence: {
    series: Evidence;
    firstFailure: Evidence;
    lastFailure: Evidence;
    firstTimeout: Evidence;
    actors: Evidence;
    metrics: Evidence;
  };
}

/** Order of kinds that share a timestamp: causes before effects. */
const KIND_ORDER: TimelineKind[] = [
  'logging-enabled',
  'blind-period',
  'baseline',
  'flood-onset',
  'top-writer-first-seen',
  'size-threshold',
  'first-timeout',
  'first-failure',
  'last-failure',
  'still-failing',
];

function minutes(ms: number): string {
  return ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${ms / 60_000} min`;
}

function gib(bytes: number): string {
  return `${(bytes / 1024 ** 3).toFixed(2)} GiB`;
}

/** Builds the ordered timeline. */
export function buildTimeline(input: TimelineInput): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const add = (
    timestamp: string,
    kind: TimelineKind,
    title: string,
    detail: string,
    evidence: Evidence,
  ): void => {
    events.push({ timestamp, kind, title, detail, evidence });
  };
  const { readiness } = input;
  if (readiness.enabledSince !== null) {
    add(
      readiness.enabledSince,
      'logging-enabled',
      'Audit logging enabled',
      'EKS control-plane audit logs exist from here on.',
      null,
    );
  }
  if (readiness.blindBefore !== null) {
    add(
      iso(input.window.startMs),
      'blind-period',
      'No audit logs (blind period)',
      `The window starts before audit logs exist; nothing before ${readiness.blindBefore} can be seen.`,
      null,
    );
  }
  if (input.baseline !== null) {
    add(
      iso(input.baseline.startMs),
      'baseline',
      'Baseline write rate',
      `About ${Math.round(input.baseline.perBin)} writes per ${minutes(input.baseline.binMs)} before the flood.`,
      input.evidence.series,
    );
  }
  if (input.floodOnset !== null) {
    const onset = input.floodOnset;
    add(
      onset.timestamp,
      'flood-onset',
      'Write flood begins',
      `${onset.onsetPerBin} writes per ${minutes(onset.binMs)}, against a baseline of ${Math.round(onset.baselinePerBin)}.`,
      input.evidence.series,
    );
  }
  if (input.topWriter !== null && input.topWriterFirstSeenMs !== null) {
    const w = input.topWriter;
    const what = w.apiGroup === '' ? w.resource : `${w.resource}.${w.apiGroup}`;
    add(
      iso(input.topWriterFirstSeenMs),
      'top-writer-first-seen',
      `Top writer first seen: ${w.user}`,
      `${w.user} (${w.userAgent}) writing ${what}${w.namespace === '' ? '' : ` in ${w.namespace}`}; ${w.writes} writes, ${(w.share * 100).toFixed(1)}% of the lead-up.`,
      input.evidence.actors,
    );
  }
  for (const crossing of input.sizeCrossings) {
    add(
      crossing.timestamp,
      'size-threshold',
      `etcd database at ${Math.round(crossing.fraction * 100)}% of 8 GiB`,
      `${input.sizeMetricName ?? 'database size'} reached ${gib(crossing.bytes)}.`,
      input.evidence.metrics,
    );
  }
  if (input.firstTimeoutMs !== null) {
    add(
      iso(input.firstTimeoutMs),
      'first-timeout',
      'First etcd request timeout',
      `etcdserver: request timed out (${input.timeouts} in the window).`,
      input.evidence.firstTimeout,
    );
  }
  if (input.firstFailure !== null) {
    const f = input.firstFailure;
    add(
      f.timestamp,
      'first-failure',
      'First "database space exceeded"',
      `${f.verb} ${f.requestURI} by ${f.user} (${f.userAgent}) failed: etcd is out of space and the cluster is read-only.`,
      input.evidence.firstFailure,
    );
  }
  if (input.failures.count > 0) {
    if (input.failures.stillFailing) {
      add(
        iso(input.window.endMs),
        'still-failing',
        'Still failing',
        `Writes were still failing at the end of the window (${input.failures.count} failures so far).`,
        input.evidence.series,
      );
    } else if (input.failures.last !== null) {
      add(
        input.failures.last,
        'last-failure',
        'Last "database space exceeded"',
        `Writes succeed again after this (${input.failures.count} failures in all).`,
        input.evidence.lastFailure,
      );
    }
  }
  return events
    .map((event, index) => ({ event, index }))
    .sort(
      (a, b) =>
        a.event.timestamp.localeCompare(b.event.timestamp) ||
        KIND_ORDER.indexOf(a.event.kind) - KIND_ORDER.indexOf(b.event.kind) ||
        a.index - b.index,
    )
    .map(({ event }) => event);
}
