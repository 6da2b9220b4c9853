/**
 * Ground truth for a generated incident, counted from the events as they are emitted (never from
 * the generator's parameters), so a bug in the generator's model cannot hide behind its own answer.
 */
import { WRITE_VERBS } from './actors.js';
import { NOSPACE_MESSAGE } from './audit-line.js';

export type IncidentShape = 'user-flood' | 'operator-flood';
export type IncidentOutcome = 'ongoing' | 'recovered' | 'none';

export interface FirstFailure {
  /** ISO, milliseconds: the event's @timestamp (stageTimestamp truncated to ms). */
  timestamp: string;
  user: string;
  userAgent: string;
  verb: string;
  resource: string;
  /** '' for the core API group. */
  apiGroup: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  requestURI: string;
}

/** What an analysis of the generated incident must find. */
export interface GroundTruth {
  seed: number;
  shape: IncidentShape;
  outcome: IncidentOutcome;
  window: { start: string; end: string };
  firstFailure: FirstFailure | null;
  /** ResponseComplete events failing with `etcdserver: mvcc: database space exceeded`. */
  failureCount: number;
  lastFailure: string | null;
  /** A NOSPACE failure happened and no write succeeded after the last one. */
  stillFailing: boolean;
  /** @timestamp of the flood writer's first request. */
  floodOnset: string | null;
  /** The user with most writes; the other fields are that user's most frequent value. */
  topWriter: { user: string; userAgent: string; resource: string; apiGroup: string; namespace: string };
  /** Write requests (create/update/patch/delete/deletecollection) per user, once per request, whole window. */
  writesPerUser: Record<string, number>;
  /** Successful creates minus successful deletes per resource, whole window, largest first. */
  netGrowth: { resource: string; apiGroup: string; net: number }[];
  /** Audit events emitted (all stages). */
  events: number;
  /** ResponseComplete events failing with `etcdserver: request timed out` (additive). */
  timeoutCount: number;
  /** @timestamp of the first `etcdserver: request timed out` failure (additive). */
  firstTimeout: string | null;
  /** Non-audit kube-apiserver lines emitted with withApiStream (additive). */
  apiLines: number;
}

/** The fields of one emitted audit event that the ground truth depends on. */
export interface ObservedEvent {
  timestampMs: number;
  stage: 'RequestReceived' | 'ResponseComplete';
  user: string;
  userAgent: string;
  verb: string;
  resource: string;
  apiGroup: string;
  namespace: string;
  requestURI: string;
  code: number;
  message: string | undefined;
  flood: boolean;
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** The key with the highest count; ties go to the smallest key so the answer is deterministic. */
export function mostFrequent(map: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [key, count] of map) {
    if (count > bestCount || (count === bestCount && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Accumulates the ground truth event by event. */
export class TruthCounter {
  private events = 0;
  private apiLines = 0;
  private failureCount = 0;
  private firstFailure: FirstFailure | null = null;
  private lastFailureMs: number | null = null;
  private successAfterLastFailure = false;
  private timeoutCount = 0;
  private firstTimeoutMs: number | null = null;
  private floodOnsetMs: number | null = null;
  private readonly writesPerUser = new Map<string, number>();
  private readonly net = new Map<string, number>();
  private readonly perUser = new Map<
    string,
    { userAgent: Map<string, number>; resource: Map<string, number>; namespace: Map<string, number> }
  >();

  observeApiLine(): void {
    this.apiLines++;
  }

  observe(event: ObservedEvent): void {
    this.events++;
    if (event.flood && this.floodOnsetMs === null) this.floodOnsetMs = event.timestampMs;
    if (event.stage !== 'ResponseComplete') return;
    const isWrite = WRITE_VERBS.has(event.verb);
    if (event.message === NOSPACE_MESSAGE) {
      this.failureCount++;
      this.lastFailureMs = event.timestampMs;
      this.successAfterLastFailure = false;
      if (this.firstFailure === null) {
        this.firstFailure = {
          timestamp: iso(event.timestampMs),
          user: event.user,
          userAgent: event.userAgent,
          verb: event.verb,
          resource: event.resource,
          apiGroup: event.apiGroup,
          namespace: event.namespace,
          requestURI: event.requestURI,
        };
      }
    } else if (event.message?.startsWith('etcdserver: request timed out') === true) {
      this.timeoutCount++;
      this.firstTimeoutMs ??= event.timestampMs;
    } else if (isWrite && event.code < 400 && this.lastFailureMs !== null) {
      this.successAfterLastFailure = true;
    }
    if (!isWrite) return;
    increment(this.writesPerUser, event.user);
    let detail = this.perUser.get(event.user);
    if (detail === undefined) {
      detail = { userAgent: new Map(), resource: new Map(), namespace: new Map() };
      this.perUser.set(event.user, detail);
    }
    increment(detail.userAgent, event.userAgent);
    increment(detail.resource, `${event.resource}\u0000${event.apiGroup}`);
    increment(detail.namespace, event.namespace);
    if (
      event.code < 300 &&
      (event.verb === 'create' || event.verb === 'delete') &&
      event.resource !== '' &&
      !event.requestURI.endsWith('/binding')
    ) {
      increment(this.net, `${event.resource}\u0000${event.apiGroup}`, event.verb === 'create' ? 1 : -1);
    }
  }

  result(base: {
    seed: number;
    shape: IncidentShape;
    outcome: IncidentOutcome;
    startMs: number;
    endMs: number;
  }): GroundTruth {
    const topUser = mostFrequent(this.writesPerUser);
    const detail = this.perUser.get(topUser);
    const [resource = '', apiGroup = ''] =
      detail === undefined ? [] : mostFrequent(detail.resource).split('\u0000');
    const writesPerUser: Record<string, number> = {};
    for (const key of [...this.writesPerUser.keys()].sort())
      writesPerUser[key] = this.writesPerUser.get(key) ?? 0;
    const netGrowth = [...this.net]
      .map(([key, net]) => {
        const [res = '', group = ''] = key.split('\u0000');
        return { resource: res, apiGroup: group, net };
      })
      .sort(
        (a, b) =>
          b.net - a.net || a.resource.localeCompare(b.resource) || a.apiGroup.localeCompare(b.apiGroup),
      );
    return {
      seed: base.seed,
      shape: base.shape,
      outcome: base.outcome,
      window: { start: iso(base.startMs), end: iso(base.endMs) },
      firstFailure: this.firstFailure,
      failureCount: this.failureCount,
      lastFailure: this.lastFailureMs === null ? null : iso(this.lastFailureMs),
      stillFailing: this.lastFailureMs !== null && !this.successAfterLastFailure,
      floodOnset: this.floodOnsetMs === null ? null : iso(this.floodOnsetMs),
      topWriter: {
        user: topUser,
        userAgent: detail === undefined ? '' : mostFrequent(detail.userAgent),
        resource,
        apiGroup,
        namespace: detail === undefined ? '' : mostFrequent(detail.namespace),
      },
      writesPerUser,
      netGrowth,
      events: this.events,
      timeoutCount: this.timeoutCount,
      firstTimeout: this.firstTimeoutMs === null ? null : iso(this.firstTimeoutMs),
      apiLines: this.apiLines,
    };
  }
}
