/**
 * What each stored query must answer on test/fixtures/audit/incident-small.jsonl (23 hand-written
 * events, 2024-06-14 03:00-03:26 UTC): 18 write requests once RequestReceived duplicates and reads
 * are left out; a hostile create whose object NAME contains "database space exceeded" (not a
 * failure); NOSPACE failures at 03:20:00.500 (kyverno), 03:21:00 (alice), 03:26:00 (kyverno);
 * "request timed out" at 03:10:00 and 03:10:10; one 429.
 */
export interface StoredQueryCase {
  query: string;
  title: string;
  params?: Record<string, string>;
  /** Expected rows; compared in order unless `unordered`. */
  rows: Record<string, string>[];
  unordered?: boolean;
  /** Each expected row must be among the result's rows (other rows may exist). */
  contains?: boolean;
}

const KYVERNO = 'system:serviceaccount:kyverno:kyverno-admission-controller';
const KUBECTL = 'kubectl/v1.30.0 (linux/amd64) kubernetes/abc1234';
const KCM_UA =
  'kube-controller-manager/v1.30.0 (linux/amd64) kubernetes/abc1234/system:serviceaccount:kube-system:disruption-controller';

export const STORED_QUERY_CASES: StoredQueryCase[] = [
  {
    query: 'first-nospace-failure',
    title: 'the earliest NOSPACE failure, not the object merely named after it',
    rows: [
      {
        '@timestamp': '2024-06-14 03:20:00.500',
        'user.username': KYVERNO,
        userAgent: 'kyverno/v1.11.0',
        verb: 'create',
        'objectRef.resource': 'ephemeralreports',
        'objectRef.apiGroup': 'reports.kyverno.io',
        'objectRef.namespace': 'team-b',
        requestURI: '/apis/reports.kyverno.io/v1/namespaces/team-b/ephemeralreports',
        'responseStatus.code': '500',
      },
    ],
  },
  {
    query: 'nospace-failures-over-time',
    title: 'failures per 5 minutes',
    rows: [
      { 'bin(5m)': '2024-06-14 03:20:00.000', failures: '2' },
      { 'bin(5m)': '2024-06-14 03:25:00.000', failures: '1' },
    ],
    unordered: true,
  },
  {
    query: 'nospace-failures-over-time',
    title: 'failures per 5 minutes in one namespace',
    params: { namespace: 'team-b' },
    rows: [{ 'bin(5m)': '2024-06-14 03:20:00.000', failures: '1' }],
  },
  {
    query: 'write-volume-over-time',
    title: 'write requests per 5 minutes, each counted once',
    rows: [
      { 'bin(5m)': '2024-06-14 03:00:00.000', writes: '11' },
      { 'bin(5m)': '2024-06-14 03:05:00.000', writes: '1' },
      { 'bin(5m)': '2024-06-14 03:10:00.000', writes: '2' },
      { 'bin(5m)': '2024-06-14 03:15:00.000', writes: '1' },
      { 'bin(5m)': '2024-06-14 03:20:00.000', writes: '2' },
      { 'bin(5m)': '2024-06-14 03:25:00.000', writes: '1' },
    ],
    unordered: true,
  },
  {
    query: 'write-volume-over-time',
    title: "one user's writes per 5 minutes",
    params: { user: 'alice', resource: 'deployments' },
    rows: [
      { 'bin(5m)': '2024-06-14 03:00:00.000', writes: '1' },
      { 'bin(5m)': '2024-06-14 03:10:00.000', writes: '1' },
      { 'bin(5m)': '2024-06-14 03:20:00.000', writes: '1' },
    ],
    unordered: true,
  },
  {
    query: 'top-writers-by-user',
    title: 'writes per user, most first',
    rows: [
      { 'user.username': KYVERNO, writes: '8' },
      { 'user.username': 'alice', writes: '5' },
      { 'user.username': 'system:kube-controller-manager', writes: '2' },
    ],
    // The three users with one write each follow in any order; checked by count below.
  },
  {
    query: 'top-writers-by-user',
    title: 'writes per user in one namespace',
    params: { namespace: 'team-b' },
    rows: [{ 'user.username': KYVERNO, writes: '3' }],
  },
  {
    query: 'top-writers-by-user',
    title: 'writes per user to one resource',
    params: { resource: 'deployments' },
    rows: [{ 'user.username': 'alice', writes: '3' }],
  },
  {
    query: 'top-writers-by-user-agent',
    title: 'writes per user agent',
    rows: [
      { userAgent: 'kyverno/v1.11.0', writes: '8' },
      { userAgent: KUBECTL, writes: '5' },
      { userAgent: KCM_UA, writes: '2' },
    ],
  },
  {
    query: 'top-writers-by-resource',
    title: 'writes per resource and API group',
    rows: [
      { 'objectRef.resource': 'ephemeralreports', 'objectRef.apiGroup': 'reports.kyverno.io', writes: '8' },
    ],
  },
  {
    query: 'top-writers-by-api-group',
    title: 'writes per API group, core ones without a group',
    rows: [
      { 'objectRef.apiGroup': 'reports.kyverno.io', writes: '8' },
      { writes: '5' },
      { 'objectRef.apiGroup': 'apps', writes: '3' },
    ],
  },
  {
    query: 'top-writers-by-namespace',
    title: 'writes per namespace',
    rows: [
      { 'objectRef.namespace': 'team-a', writes: '13' },
      { 'objectRef.namespace': 'team-b', writes: '3' },
    ],
  },
  {
    query: 'top-writers-by-namespace',
    title: "one user's writes per namespace",
    params: { user: KYVERNO },
    rows: [
      { 'objectRef.namespace': 'team-a', writes: '5' },
      { 'objectRef.namespace': 'team-b', writes: '3' },
    ],
  },
  {
    query: 'net-object-growth',
    title: 'successful creates minus deletes, subresources and reviews left out',
    rows: [
      {
        'objectRef.resource': 'ephemeralreports',
        'objectRef.apiGroup': 'reports.kyverno.io',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-b',
        creates: '2',
        deletes: '0',
        netGrowth: '2',
      },
      {
        'objectRef.resource': 'ephemeralreports',
        'objectRef.apiGroup': 'reports.kyverno.io',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-a',
        creates: '2',
        deletes: '1',
        netGrowth: '1',
      },
      {
        'objectRef.resource': 'configmaps',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-a',
        creates: '1',
        deletes: '1',
        netGrowth: '0',
      },
    ],
  },
  {
    query: 'etcd-timeouts-over-time',
    title: 'etcd request timeouts per 5 minutes',
    rows: [{ 'bin(5m)': '2024-06-14 03:10:00.000', timeouts: '2' }],
  },
  {
    query: 'server-errors-by-user-agent',
    title: '5xx and 429 responses per user agent and code',
    rows: [
      { userAgent: 'kyverno/v1.11.0', 'responseStatus.code': '500', errors: '3' },
      { userAgent: KUBECTL, 'responseStatus.code': '500', errors: '2' },
      { userAgent: KCM_UA, 'responseStatus.code': '429', errors: '1' },
    ],
  },
  {
    query: 'incident-first-failure',
    title: 'analyze: the earliest NOSPACE failure',
    rows: [
      {
        '@timestamp': '2024-06-14 03:20:00.500',
        user: KYVERNO,
        userAgent: 'kyverno/v1.11.0',
        verb: 'create',
        resource: 'ephemeralreports',
        apiGroup: 'reports.kyverno.io',
        namespace: 'team-b',
        requestURI: '/apis/reports.kyverno.io/v1/namespaces/team-b/ephemeralreports',
      },
    ],
  },
  {
    query: 'incident-last-failure',
    title: 'analyze: the latest NOSPACE failure',
    rows: [
      {
        '@timestamp': '2024-06-14 03:26:00.000',
        user: KYVERNO,
        userAgent: 'kyverno/v1.11.0',
        verb: 'create',
        resource: 'ephemeralreports',
      },
    ],
  },
  {
    query: 'incident-first-timeout',
    title: 'analyze: the earliest etcd timeout',
    rows: [
      {
        '@timestamp': '2024-06-14 03:10:00.000',
        user: 'alice',
        userAgent: KUBECTL,
        verb: 'update',
        resource: 'deployments',
      },
    ],
  },
  {
    query: 'incident-series',
    title: 'analyze: per-bin writes, successful writes, failures, timeouts, 5xx and 429',
    rows: [
      {
        'bin(5m)': '2024-06-14 03:00:00.000',
        writes: '11',
        okWrites: '10',
        failures: '0',
        timeouts: '0',
        serverErrors: '0',
        throttled: '0',
      },
      {
        'bin(5m)': '2024-06-14 03:05:00.000',
        writes: '1',
        okWrites: '0',
        failures: '0',
        timeouts: '0',
        serverErrors: '0',
        throttled: '1',
      },
      {
        'bin(5m)': '2024-06-14 03:10:00.000',
        writes: '2',
        okWrites: '0',
        failures: '0',
        timeouts: '2',
        serverErrors: '2',
        throttled: '0',
      },
      // 03:15 holds only bob's create, which has no responseStatus.message: failures and timeouts sum
      // nothing but absent values there, so only the other columns are pinned.
      {
        'bin(5m)': '2024-06-14 03:20:00.000',
        writes: '2',
        okWrites: '0',
        failures: '2',
        timeouts: '0',
        serverErrors: '2',
        throttled: '0',
      },
      {
        'bin(5m)': '2024-06-14 03:25:00.000',
        writes: '1',
        okWrites: '0',
        failures: '1',
        timeouts: '0',
        serverErrors: '1',
        throttled: '0',
      },
    ],
    contains: true,
  },
  {
    query: 'incident-actors',
    title: 'analyze: who wrote what, successful creates and deletes, 5xx and 429',
    rows: [
      {
        'user.username': KYVERNO,
        userAgent: 'kyverno/v1.11.0',
        'objectRef.resource': 'ephemeralreports',
        'objectRef.apiGroup': 'reports.kyverno.io',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-a',
        writes: '5',
        creates: '2',
        deletes: '1',
        serverErrors: '2',
        throttled: '0',
      },
      {
        'user.username': KYVERNO,
        userAgent: 'kyverno/v1.11.0',
        'objectRef.resource': 'ephemeralreports',
        'objectRef.apiGroup': 'reports.kyverno.io',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-b',
        writes: '3',
        creates: '2',
        deletes: '0',
        serverErrors: '1',
        throttled: '0',
      },
      {
        'user.username': 'alice',
        userAgent: KUBECTL,
        'objectRef.resource': 'configmaps',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-a',
        writes: '2',
        creates: '0',
        deletes: '1',
        serverErrors: '0',
        throttled: '0',
      },
      {
        'user.username': 'system:kube-controller-manager',
        userAgent: KCM_UA,
        'objectRef.resource': 'pods',
        'objectRef.apiVersion': 'v1',
        'objectRef.namespace': 'team-a',
        'objectRef.subresource': 'status',
        writes: '1',
        creates: '0',
        deletes: '0',
        serverErrors: '0',
        throttled: '1',
      },
    ],
    contains: true,
  },
  {
    query: 'incident-actors-by-bin',
    title: 'analyze: who wrote what, per bin',
    rows: [
      {
        'bin(5m)': '2024-06-14 03:00:00.000',
        'user.username': KYVERNO,
        'objectRef.namespace': 'team-b',
        writes: '2',
        creates: '2',
        serverErrors: '0',
      },
      {
        'bin(5m)': '2024-06-14 03:20:00.000',
        'user.username': KYVERNO,
        'objectRef.namespace': 'team-b',
        writes: '1',
        creates: '0',
        serverErrors: '1',
      },
    ],
    contains: true,
  },
];

/** Rows of top-writers-by-user beyond the three listed: every user, once. */
export const TOP_WRITERS_BY_USER_TOTAL_ROWS = 6;
