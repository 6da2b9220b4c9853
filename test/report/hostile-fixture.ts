/**
 * The hostile report: the flood report with every string that comes from logs replaced by injection
 * payloads (HTML/script, Markdown, CSV formulas, terminal escapes, bidi overrides, NUL, huge values).
 */
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { CONSOLE, FIRST_FAILURE, kyvernoFloodReport, ONSET } from './fixtures.js';

const iso = (ms: number): string => new Date(ms).toISOString();

/** Payloads an attacker can put in usernames, user agents, object names and messages. */
export const PAYLOADS = [
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  "'><svg onload=alert(1)>",
  '</style><style>body{display:none}</style>',
  '</title></svg><script>alert(2)</script>',
  'javascript:alert(1)',
  '[click](javascript:alert(1))',
  '![x](https://evil.example/x.png)',
  'a|b|c',
  'line1\nline2\r\nline3',
  '```\n## injected heading\n```',
  '`code` ``` ````',
  "=cmd|' /C calc'!A0",
  '+1',
  '-1',
  '@SUM(1)',
  '\t=1+1',
  '\r=1+1',
  '\u001b[31mred\u001b[0m',
  '\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007',
  '\u001b]0;pwned\u0007',
  '\u009b31m\u0085\u009d0;c1\u009c',
  'user\u202egnp.exe',
  'isolate\u2066x\u2069',
  'nul\u0000byte',
  '&lt;script&gt;entity',
  '<!-- comment',
  '{{constructor.constructor("alert(1)")()}}',
  'A'.repeat(5000),
] as const;

/** The flood report with every string from logs replaced by payloads (and payloads in the numbers' neighbours). */
export function hostileReport(): IncidentReport {
  let next = 0;
  const p = (): string => {
    const value = PAYLOADS[next % PAYLOADS.length] ?? '';
    next += 1;
    return value;
  };
  const all = PAYLOADS.join(' ');
  const base = kyvernoFloodReport();
  const hostileUrl = 'javascript:alert(document.domain)';
  return {
    ...base,
    cluster: `prod${PAYLOADS[0]}\u001b]0;pwned\u0007`,
    source: { kind: 'cloudwatch', label: p() },
    verdict: `Verdict ${all}`,
    readiness: { ...base.readiness, blindBefore: '2024-06-10T00:00:00.000Z', notes: [p(), p()] },
    firstFailure: {
      timestamp: FIRST_FAILURE,
      user: p(),
      userAgent: p(),
      verb: p(),
      resource: p(),
      apiGroup: p(),
      namespace: p(),
      requestURI: p(),
    },
    topWriters: PAYLOADS.map((payload, i) => ({
      user: payload,
      userAgent: p(),
      resource: p(),
      apiGroup: p(),
      namespace: p(),
      writes: 1000 - i,
      share: 0.03,
      growth: i % 2 === 0 ? null : 2,
    })),
    rankings: [
      {
        dimension: 'user',
        entries: PAYLOADS.map((key, i) => ({
          key,
          apiGroup: p(),
          writes: 100 - i,
          share: 0.01,
          growth: null,
        })),
      },
    ],
    objectGrowth: PAYLOADS.map((payload, i) => ({
      resource: payload,
      apiGroup: p(),
      apiVersion: p(),
      namespace: p(),
      creates: 10 + i,
      deletes: 1,
      net: 9 + i,
    })),
    strain: {
      ...base.strain,
      byUserAgent: PAYLOADS.map((userAgent) => ({ userAgent, serverErrors: 3, throttled: 1 })),
    },
    databaseSize: {
      ...(base.databaseSize ?? { source: 'metrics-file', metricName: 'x', limitBytes: 1, series: [] }),
      metricName: p(),
      endpoints: PAYLOADS.map((endpoint) => ({ endpoint, bytes: 1024, fractionOfLimit: 0.5 })),
      objectCounts: PAYLOADS.map((resource) => ({ resource, count: 5 })),
    },
    remediation: {
      resource: p(),
      apiGroup: p(),
      apiVersion: p(),
      namespace: p(),
      estimatedObjects: 42,
      commands: [...PAYLOADS],
      etcdKeyPrefix: `/registry/${all}`,
      etcdKeyPrefixes: [`/registry/${all}`, ...PAYLOADS],
      namespaces: PAYLOADS.map((namespace, i) => ({ namespace, net: 100 - i })),
      warnings: [p(), p()],
      knownCulprit: { name: p(), notes: [...PAYLOADS] },
    },
    timeline: PAYLOADS.map((payload, i) => ({
      timestamp: iso(ONSET + i * 60_000),
      kind: 'first-failure' as const,
      title: payload,
      detail: p(),
      evidence: {
        query: p(),
        consoleUrl: i % 3 === 0 ? hostileUrl : i % 3 === 1 ? `${CONSOLE}${payload}` : payload,
      },
    })),
    queries: PAYLOADS.map((payload, i) => ({
      name: p(),
      queryString: payload,
      start: base.window.start,
      end: base.window.end,
      bytesScanned: 1,
      recordsScanned: 1,
      recordsMatched: 1,
      consoleUrl: i % 2 === 0 ? hostileUrl : `${CONSOLE}${payload}`,
      truncated: i % 2 === 0,
    })),
    skippedLines: {
      count: PAYLOADS.length,
      samples: PAYLOADS.map((reason, i) => ({ file: p(), line: i + 1, reason })),
    },
    complete: false,
    warnings: [...PAYLOADS],
  };
}
