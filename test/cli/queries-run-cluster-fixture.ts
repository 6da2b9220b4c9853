/** Shared fixture for the `queries run --cluster` end-to-end tests: a small audit log in a fake log group. */
import type { LogRecord } from '../../src/insights/record.js';
import type { FakeAwsServerOptions } from '../support/fake-aws/index.js';

export const GROUP = '/aws/eks/prod/cluster';
export const AUDIT = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';
export const API = 'kube-apiserver-0123456789abcdef0123456789abcdef';
/** The window the tests query: one hour ending two minutes ago, in whole seconds. */
export const END_MS = Math.floor((Date.now() - 120_000) / 1000) * 1000;
export const START_MS = END_MS - 3_600_000;
export const WINDOW_ARGS = [
  '--start',
  new Date(START_MS).toISOString(),
  '--end',
  new Date(END_MS).toISOString(),
];

function audit(i: number, verb: string, user: string): LogRecord {
  const timestamp = START_MS + 60_000 + i * 1000;
  return {
    timestamp,
    logStream: AUDIT,
    log: '',
    message: JSON.stringify({
      kind: 'Event',
      apiVersion: 'audit.k8s.io/v1',
      stage: 'ResponseComplete',
      verb,
      user: { username: user },
      userAgent: `${user}-agent/1.0`,
      objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
      responseStatus: { code: 201 },
      requestReceivedTimestamp: new Date(timestamp).toISOString(),
      stageTimestamp: new Date(timestamp).toISOString(),
    }),
  };
}

/** 30 creates by flooder, 10 by alice, 20 gets; plus api-stream noise the scope must skip. */
export const RECORDS: LogRecord[] = [
  ...Array.from({ length: 30 }, (_, i) => audit(i, 'create', 'flooder')),
  ...Array.from({ length: 10 }, (_, i) => audit(30 + i, 'create', 'alice')),
  ...Array.from({ length: 20 }, (_, i) => audit(40 + i, 'get', 'bob')),
  ...Array.from({ length: 30 }, (_, i) => ({
    timestamp: START_MS + 60_000 + i * 1000 + 500,
    logStream: API,
    log: '',
    message: `api noise ${i}`,
  })),
];

/** A cluster with audit logging on and the fixture in its log group. */
export function fakeCluster(extra: Partial<FakeAwsServerOptions> = {}): FakeAwsServerOptions {
  return {
    clusters: [{ name: 'prod', logging: [{ types: ['api', 'audit'], enabled: true }] }],
    logGroups: [{ name: GROUP, records: RECORDS }],
    ...extra,
  };
}

/** The rows `top-writers-by-user` must return on the fixture. */
export const EXPECTED_TOP_WRITERS = [
  { 'user.username': 'flooder', writes: '30' },
  { 'user.username': 'alice', writes: '10' },
];
