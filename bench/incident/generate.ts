/**
 * The deterministic EKS etcd incident generator: normal control-plane traffic, then one writer
 * flooding a resource at a rising rate until etcd's quota is reached, after which every write fails
 * with `etcdserver: mvcc: database space exceeded` while reads keep working (aws-facts.md section H).
 * Pure: no I/O; the same options always give the same events.
 */
import { createCluster, WRITE_VERBS, type Cluster, type RequestSpec } from './actors.js';
import { compactFailedApiLine, etcdErrorApiLine, routineApiLine } from './api-lines.js';
import { auditLine, NOSPACE_MESSAGE, requestUri, TIMEOUT_MESSAGE, type RequestResult } from './audit-line.js';
import { SeededRandom } from './random.js';
import {
  TruthCounter,
  type GroundTruth,
  type IncidentOutcome,
  type IncidentShape,
  type ObservedEvent,
} from './truth.js';

export type { FirstFailure, GroundTruth, IncidentOutcome, IncidentShape } from './truth.js';

export interface IncidentOptions {
  seed: number;
  /** ISO 8601 start of the window. */
  start: string;
  durationMs: number;
  /** Normal traffic density; the flood scales with it, so total volume is proportional to it. */
  eventsPerMinute?: number;
  shape: IncidentShape;
  outcome: IncidentOutcome;
  /** Where in the window the flood begins (0..0.9); default 0.45, moved by up to ±0.05 by the seed. */
  floodStartFraction?: number;
  /** 'all' also emits RequestReceived events, as self-managed apiservers do (EKS drops that stage). */
  stages?: 'response-complete' | 'all';
  /** Also emit non-audit kube-apiserver klog lines on kube-apiserver-<hex> streams. */
  withApiStream?: boolean;
  /** Audit events per CloudWatch stream before a new stream starts (EKS rotates streams as they grow). */
  streamRotationEvents?: number;
}

/** One emitted log event. */
export interface GeneratedEvent {
  timestampMs: number;
  logStream: string;
  /** The raw message. */
  line: string;
}

/** Normal traffic density that makes a 6 h operator-flood incident a few MB gzipped. */
export const DEFAULT_EVENTS_PER_MINUTE = 30;
export const DEFAULT_FLOOD_START_FRACTION = 0.45;
const DEFAULT_STREAM_ROTATION = 100_000;
/** Share of the flood writer's requests that delete one of its own objects: rare, so growth is large. */
const FLOOD_DELETE_SHARE = 0.02;
/** Where the fill is aimed, as a fraction of the time from flood onset to the window end. */
const FILL_TARGET_FRACTION = 0.55;
/** etcd strain (request timeouts) starts once the flood has used this share of the free space. */
const STRAIN_FULLNESS = 0.85;
const ETCD_REQUEST_TIMEOUT_US = 7_000_000;

interface Pending {
  us: number;
  seq: number;
  stream: 'audit' | 'api';
  line: string;
  observed?: ObservedEvent;
}

/** A binary min-heap on (us, seq): completions arrive out of order, emission must not. */
class PendingHeap {
  private readonly items: Pending[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Pending | undefined {
    return this.items[0];
  }
  private less(a: Pending, b: Pending): boolean {
    return a.us < b.us || (a.us === b.us && a.seq < b.seq);
  }
  push(item: Pending): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }
  pop(): Pending | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    items[0] = last;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && this.less(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && this.less(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) break;
      [items[i], items[smallest]] = [items[smallest]!, items[i]!];
      i = smallest;
    }
    return top;
  }
}

/** A running incident: iterate `events`, then read `truth()`. */
export interface IncidentRun {
  events: Generator<GeneratedEvent, void, undefined>;
  /** The ground truth of everything emitted so far (complete once `events` is exhausted). */
  truth: () => GroundTruth;
}

function validate(options: IncidentOptions): { startMs: number; endMs: number } {
  const startMs = Date.parse(options.start);
  if (Number.isNaN(startMs)) throw new RangeError(`start "${options.start}" is not an ISO 8601 time`);
  if (!(options.durationMs >= 60_000)) throw new RangeError('durationMs must be at least one minute');
  if (options.eventsPerMinute !== undefined && !(options.eventsPerMinute > 0))
    throw new RangeError('eventsPerMinute must be positive');
  const fraction = options.floodStartFraction ?? DEFAULT_FLOOD_START_FRACTION;
  if (!(fraction > 0 && fraction < 0.9)) throw new RangeError('floodStartFraction must be between 0 and 0.9');
  return { startMs, endMs: startMs + options.durationMs };
}

/** Starts a lazily generated incident; memory stays bounded whatever the duration or density. */
export function createIncident(options: IncidentOptions): IncidentRun {
  const { startMs, endMs } = validate(options);
  const counter = new TruthCounter();
  return {
    events: simulate(options, startMs, endMs, counter),
    truth: () =>
      counter.result({ seed: options.seed, shape: options.shape, outcome: options.outcome, startMs, endMs }),
  };
}

/** Generates the incident, calling `emit` for every event in timestamp order, and returns its ground truth. */
export function generateIncident(options: IncidentOptions, emit: (e: GeneratedEvent) => void): GroundTruth {
  const run = createIncident(options);
  for (const event of run.events) emit(event);
  return run.truth();
}

function* simulate(
  options: IncidentOptions,
  startMs: number,
  endMs: number,
  counter: TruthCounter,
): Generator<GeneratedEvent, void, undefined> {
  const traffic = new SeededRandom(options.seed, 0);
  const cluster: Cluster = createCluster(new SeededRandom(options.seed, 1));
  // The api stream and stream names draw from their own sequences, so turning them on or off
  // never changes the audit events.
  const apiRandom = new SeededRandom(options.seed, 2);
  const auditStreams = new StreamNames(new SeededRandom(options.seed, 3), 'kube-apiserver-audit-');
  const apiStreams = new StreamNames(new SeededRandom(options.seed, 4), 'kube-apiserver-');
  const rotation = options.streamRotationEvents ?? DEFAULT_STREAM_ROTATION;
  const allStages = options.stages === 'all';
  const withApi = options.withApiStream === true;

  const normalPerSecond = (options.eventsPerMinute ?? DEFAULT_EVENTS_PER_MINUTE) / 60;
  // Seeds differ in when things happen, not only in names: without an explicit floodStartFraction
  // the onset moves by up to 5% of the window, and the free space by up to 15%.
  const shapeRandom = new SeededRandom(options.seed, 6);
  const onsetFraction =
    options.floodStartFraction ?? DEFAULT_FLOOD_START_FRACTION + (shapeRandom.next() - 0.5) * 0.1;
  const spaceFactor = 0.85 + shapeRandom.next() * 0.3;
  const floodStartMs = startMs + onsetFraction * (endMs - startMs);
  const floodSpan = endMs - floodStartMs;
  // Rising rate: about half the normal traffic at onset, several times it by the end of the window.
  const floodPerSecond = (ms: number): number => {
    const u = (ms - floodStartMs) / floodSpan;
    return u < 0 ? 0 : normalPerSecond * (0.6 + 7 * u ** 1.5);
  };
  // etcd's free space, in flood objects: sized so the flood fills it near the target point. The
  // fill itself happens when the objects actually created reach it.
  let capacity = Number.POSITIVE_INFINITY;
  if (options.outcome !== 'none') {
    capacity = 0;
    const fillTargetMs = floodStartMs + FILL_TARGET_FRACTION * floodSpan;
    for (let ms = floodStartMs; ms < fillTargetMs; ms += 1000)
      capacity += floodPerSecond(ms + 500) * (1 - 2 * FLOOD_DELETE_SHARE);
    capacity = Math.max(1, Math.round(capacity * spaceFactor));
  }
  let floodStopMs = options.outcome === 'none' ? floodStartMs + 0.6 * floodSpan : Number.POSITIVE_INFINITY;
  let recoverMs = Number.POSITIVE_INFINITY;
  let cleanupUntilMs = Number.NEGATIVE_INFINITY;
  let floodNet = 0;
  let noSpace = false;
  let nextCompactMs = Number.POSITIVE_INFINITY;
  const recentFloodNames: { ns: string; name: string }[] = [];

  const heap = new PendingHeap();
  let seq = 0;
  let auditEmitted = 0;
  let apiEmitted = 0;
  const endUs = endMs * 1000;

  const takeRecentName = (): { ns: string; name: string } => {
    const index = traffic.int(recentFloodNames.length);
    const target = recentFloodNames[index]!;
    recentFloodNames[index] = recentFloodNames[recentFloodNames.length - 1]!;
    recentFloodNames.pop();
    return target;
  };
  const floodRequest = (): RequestSpec => {
    const deleting = recentFloodNames.length > 0 && traffic.chance(FLOOD_DELETE_SHARE);
    if (options.shape === 'operator-flood') {
      const target = deleting
        ? takeRecentName()
        : { ns: cluster.tenantNamespaces[traffic.weighted(cluster.tenantWeights)]!, name: traffic.uuid() };
      return {
        principal: cluster.kyvernoAdmission,
        verb: deleting ? 'delete' : 'create',
        resource: 'ephemeralreports',
        apiGroup: 'reports.kyverno.io',
        apiVersion: 'v1',
        namespace: target.ns,
        name: target.name,
        flood: true,
      };
    }
    const target = deleting ? takeRecentName() : { ns: 'ci-builds', name: `build-cache-${traffic.hex(10)}` };
    return {
      principal: cluster.ciDeployer,
      verb: deleting ? 'delete' : 'create',
      resource: 'configmaps',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: target.ns,
      name: target.name,
      flood: true,
    };
  };
  const cleanupRequest = (): RequestSpec | undefined => {
    const target = recentFloodNames.pop();
    if (target === undefined) return undefined;
    const operator = options.shape === 'operator-flood';
    return {
      principal: cluster.admin,
      verb: 'delete',
      resource: operator ? 'ephemeralreports' : 'configmaps',
      apiGroup: operator ? 'reports.kyverno.io' : '',
      apiVersion: 'v1',
      namespace: target.ns,
      name: target.name,
      cleanup: true,
    };
  };

  const decide = (spec: RequestSpec, ms: number): { result: RequestResult; latencyUs: number } => {
    if (!WRITE_VERBS.has(spec.verb)) {
      const latencyUs = spec.verb === 'list' ? traffic.between(4_000, 180_000) : traffic.between(800, 15_000);
      if (spec.notFound === true)
        return {
          result: {
            code: 404,
            message: `${spec.resource} "${spec.name ?? ''}" not found`,
            reason: 'NotFound',
          },
          latencyUs,
        };
      return { result: { code: 200 }, latencyUs };
    }
    if (noSpace)
      return { result: { code: 500, message: NOSPACE_MESSAGE }, latencyUs: traffic.between(1_000, 9_000) };
    const fullness = floodNet / capacity;
    if (fullness > STRAIN_FULLNESS) {
      // Leader-election renewals carry a short deadline, so they are the first to time out.
      const strain = Math.min(
        0.9,
        ((fullness - STRAIN_FULLNESS) / (1 - STRAIN_FULLNESS)) *
          0.08 *
          (spec.leaderElection === true ? 6 : 1),
      );
      if (traffic.chance(strain))
        return {
          result: { code: 500, message: TIMEOUT_MESSAGE },
          latencyUs: ETCD_REQUEST_TIMEOUT_US + traffic.between(0, 300_000),
        };
    }
    const latencyUs = traffic.between(2_000, 25_000);
    const counts = spec.flood === true || spec.cleanup === true;
    if (counts && spec.verb === 'create') {
      floodNet++;
      if (spec.flood === true) {
        recentFloodNames.push({ ns: spec.namespace ?? '', name: spec.name ?? '' });
        if (recentFloodNames.length > 4096) recentFloodNames.splice(0, 1024);
      }
    } else if (counts && spec.verb === 'delete') {
      floodNet--;
    }
    if (floodNet >= capacity) {
      noSpace = true;
      nextCompactMs = ms + 60_000;
      if (options.outcome === 'recovered') {
        // The flooding writer is stopped, then space is freed and the alarm disarmed.
        floodStopMs = ms + 0.3 * (endMs - ms);
        recoverMs = ms + 0.4 * (endMs - ms);
        cleanupUntilMs = recoverMs + 0.15 * (endMs - ms);
      }
    }
    return { result: { code: spec.verb === 'create' ? 201 : 200 }, latencyUs };
  };

  const pushApi = (us: number, line: string): void => {
    if (us < endUs) heap.push({ us, seq: seq++, stream: 'api', line });
  };

  const arrivals: { us: number; spec: RequestSpec }[] = [];
  for (let secMs = startMs; secMs < endMs; secMs += 1000) {
    const sliceEndMs = Math.min(secMs + 1000, endMs);
    const sliceUs = (sliceEndMs - secMs) * 1000;
    const fraction = sliceUs / 1_000_000;
    if (noSpace && secMs >= recoverMs) {
      noSpace = false;
      capacity = Number.POSITIVE_INFINITY;
    }
    arrivals.length = 0;
    const normal = traffic.poisson(normalPerSecond * fraction);
    for (let i = 0; i < normal; i++)
      arrivals.push({ us: secMs * 1000 + traffic.int(sliceUs), spec: cluster.normalRequest(traffic) });
    if (secMs >= floodStartMs && secMs < floodStopMs) {
      const flood = traffic.poisson(floodPerSecond(secMs + 500) * fraction);
      for (let i = 0; i < flood; i++)
        arrivals.push({ us: secMs * 1000 + traffic.int(sliceUs), spec: floodRequest() });
    }
    if (secMs >= recoverMs && secMs < cleanupUntilMs) {
      const cleanup = traffic.poisson(normalPerSecond * fraction);
      for (let i = 0; i < cleanup; i++) {
        const spec = cleanupRequest();
        if (spec !== undefined) arrivals.push({ us: secMs * 1000 + traffic.int(sliceUs), spec });
      }
    }
    arrivals.sort((a, b) => a.us - b.us);

    for (const { us: receivedUs, spec } of arrivals) {
      const { result, latencyUs } = decide(spec, receivedUs / 1000);
      const stageUs = receivedUs + latencyUs;
      const auditId = traffic.uuid();
      const uri = requestUri(spec);
      const base = {
        user: spec.principal.username,
        userAgent: spec.principal.userAgent,
        verb: spec.verb,
        resource: spec.resource,
        apiGroup: spec.apiGroup,
        namespace: spec.namespace ?? '',
        requestURI: uri,
        flood: spec.flood === true,
      };
      if (allStages) {
        heap.push({
          us: receivedUs,
          seq: seq++,
          stream: 'audit',
          line: auditLine(auditId, spec, uri, receivedUs, receivedUs, undefined),
          observed: {
            ...base,
            timestampMs: Math.floor(receivedUs / 1000),
            stage: 'RequestReceived',
            code: 0,
            message: undefined,
          },
        });
      }
      if (stageUs < endUs) {
        heap.push({
          us: stageUs,
          seq: seq++,
          stream: 'audit',
          line: auditLine(auditId, spec, uri, receivedUs, stageUs, result),
          observed: {
            ...base,
            timestampMs: Math.floor(stageUs / 1000),
            stage: 'ResponseComplete',
            code: result.code,
            message: result.message,
          },
        });
      }
      if (withApi && result.code === 500 && (result.message === TIMEOUT_MESSAGE || apiRandom.chance(0.25)))
        pushApi(stageUs, etcdErrorApiLine(apiRandom, stageUs, result.message ?? ''));
    }
    if (withApi) {
      const routine = apiRandom.poisson(normalPerSecond * 0.04 * fraction);
      for (let i = 0; i < routine; i++) {
        const us = secMs * 1000 + apiRandom.int(sliceUs);
        pushApi(us, routineApiLine(apiRandom, us));
      }
      if (noSpace && secMs >= nextCompactMs) {
        // kube-apiserver asks etcd to compact every 5 minutes; each attempt fails while the alarm is on.
        nextCompactMs = secMs + 300_000;
        const us = secMs * 1000 + apiRandom.int(sliceUs);
        pushApi(us, compactFailedApiLine(apiRandom, us));
      }
    }

    const flushBeforeUs = sliceEndMs * 1000;
    while (heap.size > 0 && heap.peek()!.us < flushBeforeUs) yield emit(heap.pop()!);
  }
  while (heap.size > 0) yield emit(heap.pop()!);

  function emit(item: Pending): GeneratedEvent {
    const timestampMs = Math.floor(item.us / 1000);
    if (item.stream === 'api') {
      counter.observeApiLine();
      const logStream = apiStreams.nameFor(apiEmitted, rotation);
      apiEmitted++;
      return { timestampMs, logStream, line: item.line };
    }
    if (item.observed !== undefined) counter.observe(item.observed);
    const logStream = auditStreams.nameFor(auditEmitted, rotation);
    auditEmitted++;
    return { timestampMs, logStream, line: item.line };
  }
}

/** CloudWatch stream names `<prefix><32 hex>`, a new one every `rotation` events. */
class StreamNames {
  private readonly names: string[] = [];
  constructor(
    private readonly random: SeededRandom,
    private readonly prefix: string,
  ) {}
  nameFor(index: number, rotation: number): string {
    const slot = Math.floor(index / rotation);
    while (this.names.length <= slot) this.names.push(this.prefix + this.random.hex(32));
    return this.names[slot]!;
  }
}
