import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  generateIncident,
  type GeneratedEvent,
  type GroundTruth,
  type IncidentOptions,
  type IncidentOutcome,
  type IncidentShape,
} from '../../bench/incident/generate.js';
import { eventTimeMs, recount } from './recount.js';

const BASE: IncidentOptions = {
  seed: 11,
  start: '2024-06-14T00:00:00Z',
  durationMs: 90 * 60_000,
  eventsPerMinute: 30,
  shape: 'operator-flood',
  outcome: 'ongoing',
};

function collect(options: IncidentOptions): { events: GeneratedEvent[]; truth: GroundTruth } {
  const events: GeneratedEvent[] = [];
  const truth = generateIncident(options, (e) => events.push(e));
  return { events, truth };
}

function digest(events: GeneratedEvent[]): string {
  const hash = createHash('sha256');
  for (const e of events) hash.update(`${e.timestampMs}\t${e.logStream}\t${e.line}\n`);
  return hash.digest('hex');
}

const FLOOD = {
  'operator-flood': {
    user: 'system:serviceaccount:kyverno:kyverno-admission-controller',
    resource: 'ephemeralreports',
    apiGroup: 'reports.kyverno.io',
  },
  'user-flood': { user: ':user/ci-deployer', resource: 'configmaps', apiGroup: '' },
} as const;

describe('generateIncident determinism', () => {
  it('gives byte-identical output for the same seed', () => {
    const a = collect({ ...BASE, withApiStream: true, stages: 'all' });
    const b = collect({ ...BASE, withApiStream: true, stages: 'all' });
    expect(a.events.length).toBeGreaterThan(1000);
    expect(digest(a.events)).toBe(digest(b.events));
    expect(b.truth).toEqual(a.truth);
  });

  it('differs for different seeds', () => {
    const a = collect(BASE);
    const b = collect({ ...BASE, seed: 12 });
    expect(digest(a.events)).not.toBe(digest(b.events));
    expect(a.truth.firstFailure?.timestamp).not.toBe(b.truth.firstFailure?.timestamp);
  });

  it('leaves the audit events unchanged when the api stream is added', () => {
    const plain = collect(BASE).events;
    const withApi = collect({ ...BASE, withApiStream: true }).events;
    const audit = withApi.filter((e) => e.logStream.startsWith('kube-apiserver-audit-'));
    expect(withApi.length).toBeGreaterThan(audit.length);
    expect(digest(audit)).toBe(digest(plain));
  });
});

describe.each([
  ['operator-flood', 'ongoing'],
  ['operator-flood', 'recovered'],
  ['operator-flood', 'none'],
  ['user-flood', 'ongoing'],
  ['user-flood', 'recovered'],
  ['user-flood', 'none'],
] as [IncidentShape, IncidentOutcome][])('%s / %s', (shape, outcome) => {
  const options: IncidentOptions = { ...BASE, seed: 5, shape, outcome };
  const { events, truth } = collect(options);
  const flood = FLOOD[shape];
  const lines = events.map((e) => e.line);
  const counted = recount(lines, flood);

  it('emits events in timestamp order inside the window, @timestamp = stageTimestamp to the ms', () => {
    const start = Date.parse(options.start);
    let previous = start;
    events.forEach((e, i) => {
      expect(e.timestampMs).toBeGreaterThanOrEqual(previous);
      previous = e.timestampMs;
      expect(e.timestampMs).toBeLessThan(start + options.durationMs);
      expect(e.timestampMs).toBe(eventTimeMs(counted.parsed[i]!));
    });
    expect(
      counted.parsed.every(
        (e) => /\.\d{6}Z$/.test(e.stageTimestamp) && /\.\d{6}Z$/.test(e.requestReceivedTimestamp),
      ),
    ).toBe(true);
  });

  it('has ground truth equal to an independent recount of the lines', () => {
    expect(truth.events).toBe(counted.events);
    expect(truth.failureCount).toBe(counted.failures.length);
    expect(truth.timeoutCount).toBe(counted.timeouts.length);
    expect(truth.writesPerUser).toEqual(counted.writesPerUser);
    expect(Object.fromEntries(truth.netGrowth.map((g) => [`${g.resource}/${g.apiGroup}`, g.net]))).toEqual(
      Object.fromEntries(counted.net),
    );
    expect(truth.floodOnset).toBe(
      counted.firstFloodMs === null ? null : new Date(counted.firstFloodMs).toISOString(),
    );
    const first = counted.failures[0];
    if (first === undefined) {
      expect(truth.firstFailure).toBeNull();
      expect(truth.lastFailure).toBeNull();
    } else {
      expect(truth.firstFailure).toEqual({
        timestamp: new Date(eventTimeMs(first)).toISOString(),
        user: first.user.username,
        userAgent: first.userAgent,
        verb: first.verb,
        resource: first.objectRef?.resource,
        apiGroup: first.objectRef?.apiGroup ?? '',
        namespace: first.objectRef?.namespace ?? '',
        requestURI: first.requestURI,
      });
      expect(truth.lastFailure).toBe(new Date(eventTimeMs(counted.failures.at(-1)!)).toISOString());
    }
    const [topUser] = Object.entries(counted.writesPerUser).sort((a, b) => b[1] - a[1])[0]!;
    expect(truth.topWriter.user).toBe(topUser);
  });

  it('floods with the expected writer, which is the top writer', () => {
    expect(truth.topWriter.user.endsWith(flood.user)).toBe(true);
    expect(truth.topWriter.resource).toBe(flood.resource);
    expect(truth.topWriter.apiGroup).toBe(flood.apiGroup);
    expect(truth.netGrowth[0]?.resource).toBe(flood.resource);
    expect(truth.netGrowth[0]?.net).toBeGreaterThan(500);
    const namespaces = new Set(
      counted.parsed
        .filter((e) => e.user.username === truth.topWriter.user && e.verb === 'create')
        .map((e) => e.objectRef?.namespace),
    );
    if (shape === 'user-flood') expect([...namespaces]).toEqual(['ci-builds']);
    else expect(namespaces.size).toBeGreaterThan(10);
  });

  it('never fails a read with NOSPACE and fails only writes with code 500', () => {
    for (const e of counted.failures) {
      expect(['create', 'update', 'patch', 'delete', 'deletecollection']).toContain(e.verb);
      expect(e.responseStatus).toEqual({
        metadata: {},
        status: 'Failure',
        message: 'etcdserver: mvcc: database space exceeded',
        code: 500,
      });
    }
  });

  it('behaves as its outcome says', () => {
    if (outcome === 'none') {
      expect(truth.failureCount).toBe(0);
      expect(truth.timeoutCount).toBe(0);
      expect(truth.stillFailing).toBe(false);
      return;
    }
    expect(truth.failureCount).toBeGreaterThan(100);
    expect(truth.stillFailing).toBe(outcome === 'ongoing');
    const firstFailureMs = Date.parse(truth.firstFailure!.timestamp);
    const lastFailureMs = Date.parse(truth.lastFailure!);
    // etcd strain: request timeouts, leader-election lease renewals among them, before the first NOSPACE.
    expect(Date.parse(truth.firstTimeout!)).toBeLessThan(firstFailureMs);
    expect(
      counted.timeouts.some(
        (e) => e.objectRef?.resource === 'leases' && e.objectRef.namespace !== 'kube-node-lease',
      ),
    ).toBe(true);
    // Once full, every write fails (allowing for requests already in flight at the fill instant).
    const writes = counted.parsed.filter(
      (e) => e.stage === 'ResponseComplete' && ['create', 'update', 'patch', 'delete'].includes(e.verb),
    );
    const succeededDuring = writes.filter(
      (e) =>
        eventTimeMs(e) > firstFailureMs + 1000 &&
        eventTimeMs(e) <= lastFailureMs &&
        (e.responseStatus?.code ?? 0) < 400,
    );
    expect(succeededDuring).toEqual([]);
    // Reads keep working while writes fail.
    expect(
      counted.parsed.some(
        (e) => e.verb === 'get' && e.responseStatus?.code === 200 && eventTimeMs(e) > firstFailureMs,
      ),
    ).toBe(true);
    // Writers keep retrying: the flood writer's request rate stays high during the failures.
    const floodDuring = writes.filter(
      (e) =>
        e.user.username === truth.topWriter.user &&
        eventTimeMs(e) > firstFailureMs &&
        eventTimeMs(e) <= lastFailureMs,
    );
    expect(floodDuring.length).toBeGreaterThan(truth.failureCount / 3);
    if (outcome === 'recovered') {
      const after = writes.filter((e) => eventTimeMs(e) > lastFailureMs);
      expect(after.length).toBeGreaterThan(100);
      expect(
        after.every(
          (e) =>
            (e.responseStatus?.code ?? 0) < 400 ||
            e.responseStatus?.message !== 'etcdserver: mvcc: database space exceeded',
        ),
      ).toBe(true);
    }
  });
});

describe('stages', () => {
  it("'all' adds a RequestReceived event per request and counts writes once", () => {
    const single = collect(BASE);
    const both = collect({ ...BASE, stages: 'all' });
    const parsed = both.events.map(
      (e) =>
        JSON.parse(e.line) as {
          stage: string;
          auditID: string;
          responseStatus?: unknown;
          annotations?: unknown;
        },
    );
    const received = parsed.filter((e) => e.stage === 'RequestReceived');
    const complete = parsed.filter((e) => e.stage === 'ResponseComplete');
    expect(received.length).toBeGreaterThanOrEqual(complete.length);
    expect(received.every((e) => e.responseStatus === undefined)).toBe(true);
    const receivedIds = new Set(received.map((e) => e.auditID));
    expect(complete.every((e) => receivedIds.has(e.auditID))).toBe(true);
    expect(both.truth.writesPerUser).toEqual(
      recount(
        both.events.map((e) => e.line),
        FLOOD['operator-flood'],
      ).writesPerUser,
    );
    expect(both.truth.events).toBe(received.length + complete.length);
    expect(single.truth.events).toBe(single.events.length);
  });
});

describe('options', () => {
  it('rejects an unparseable start and a too-short window', () => {
    expect(() => generateIncident({ ...BASE, start: 'yesterday' }, () => undefined)).toThrow(/ISO 8601/);
    expect(() => generateIncident({ ...BASE, durationMs: 10 }, () => undefined)).toThrow(
      /at least one minute/,
    );
  });

  it('moves the flood with floodStartFraction and scales volume with eventsPerMinute', () => {
    const early = collect({ ...BASE, floodStartFraction: 0.2 }).truth;
    const late = collect({ ...BASE, floodStartFraction: 0.6 }).truth;
    expect(Date.parse(early.floodOnset!)).toBeLessThan(Date.parse(late.floodOnset!));
    const start = Date.parse(BASE.start);
    expect(Date.parse(early.floodOnset!) - start).toBeGreaterThanOrEqual(0.2 * BASE.durationMs);
    expect(Date.parse(early.floodOnset!) - start).toBeLessThan(0.2 * BASE.durationMs + 60_000);
    const dense = collect({ ...BASE, eventsPerMinute: 60 }).truth;
    const base = collect(BASE).truth;
    expect(dense.events / base.events).toBeGreaterThan(1.7);
    expect(dense.events / base.events).toBeLessThan(2.3);
  });
});
