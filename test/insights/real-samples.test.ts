import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileQuery, runQuery, type LogRecord } from '../../src/insights/index.js';

/**
 * The engine over real kube-apiserver audit logs (../shared/real-audit-samples, read in place through
 * REAL_AUDIT_SAMPLES). Expected counts come from the samples' README, not from the engine.
 */
const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const samplesDir =
  process.env.REAL_AUDIT_SAMPLES ?? path.resolve(projectRoot, '../shared/real-audit-samples');

function records(relative: string): LogRecord[] {
  const file = path.join(samplesDir, relative);
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, i) => {
      let ts = 0;
      try {
        const e = JSON.parse(line) as Record<string, unknown>;
        const t = e.stageTimestamp ?? e.requestReceivedTimestamp ?? e.timestamp;
        ts = typeof t === 'string' ? Date.parse(t) : 0;
      } catch {
        ts = 0;
      }
      return {
        timestamp: Number.isFinite(ts) ? ts : 0,
        message: line,
        logStream: 'kube-apiserver-audit',
        log: relative,
        ptr: `${relative}:${i + 1}`,
      };
    });
}

const count = (rows: Record<string, string>[], key: string, countField = 'n'): Record<string, number> =>
  Object.fromEntries(rows.map((r) => [r[key] ?? '(absent)', Number(r[countField])]));

const QUERIES = [
  'fields @timestamp, @message, @logStream | filter @logStream like /kube-apiserver-audit/ | filter @message like /mvcc: database space exceeded/ | limit 10',
  'fields userAgent, requestURI, @timestamp, @message | filter @logStream like /kube-apiserver-audit/ | stats count(*) as count by userAgent | sort count desc',
  'filter @logStream like /kube-apiserver-audit/ | stats count(*) as count by requestURI, verb, user.username | sort count desc',
  'filter @logStream like "kube-apiserver-audit" | stats count(*) as cnt by objectRef.apiGroup, objectRef.apiVersion, objectRef.resource, userAgent, verb, responseStatus.code | sort cnt desc | limit 1000',
  'fields @timestamp, @message, @logStream, requestURI, verb | filter @logStream like "kube-apiserver-audit" | filter verb not like "get" | filter verb not like "list" | filter verb not like "watch" | display @logStream, requestURI, verb | stats count(*) as count by requestURI, verb | sort count desc',
  'fields @logStream, @timestamp, responseStatus.code, @message | filter @logStream like /^kube-apiserver-audit/ | filter responseStatus.code >= 500 | limit 50',
  'filter objectRef.resource="roles" and verb in ["create", "update", "patch", "delete"]',
  'filter stage = "ResponseComplete" and verb in ["create", "update", "patch", "delete", "deletecollection"] | stats count(*) as writes by bin(1m), user.username, objectRef.resource',
  'parse requestURI /^\\/apis?\\/(?<rest>[^?]+)/ | stats count_distinct(rest) as uris, earliest(@timestamp) as first, latest(verb) as last by `annotations.authorization.k8s.io/decision`',
  'fields sourceIPs.0 as ip, user.groups.0 as g | dedup ip',
];

describe.skipIf(!existsSync(samplesDir))('real audit samples', () => {
  it('cluster-logging-operator capture: verbs, codes and stages as its README counts them', () => {
    const recs = records('cluster-logging-operator/audit_in.log');
    expect(recs).toHaveLength(100);
    expect(count(runQuery('stats count(*) as n by verb', recs).rows, 'verb')).toEqual({
      get: 48,
      create: 24,
      watch: 13,
      patch: 7,
      update: 4,
      delete: 2,
      list: 2,
    });
    expect(
      count(runQuery('stats count(*) as n by responseStatus.code', recs).rows, 'responseStatus.code'),
    ).toEqual({ '200': 72, '201': 15, '403': 4, '409': 4, '404': 3, '101': 2 });
    expect(count(runQuery('stats count(*) as n by stage', recs).rows, 'stage')).toEqual({
      ResponseComplete: 92,
      ResponseStarted: 8,
    });
    expect(
      runQuery('filter user.username like /^system:serviceaccount:/ | stats count(*) as n', recs).rows,
    ).toEqual([{ n: '86' }]);
  });

  it('audit2rbac 2017 raw log (v1beta1, legacy timestamp field)', () => {
    const recs = records('audit2rbac/demo.raw-2017.log');
    expect(recs).toHaveLength(757);
    expect(count(runQuery('stats count(*) as n by stage', recs).rows, 'stage')).toEqual({
      RequestReceived: 320,
      ResponseComplete: 437,
    });
    const verbs = count(runQuery('stats count(*) as n by verb', recs).rows, 'verb');
    expect(verbs).toEqual({ get: 379, delete: 164, patch: 120, create: 80, list: 14 });
    // The "count once per request" rule of the stored queries: only ResponseComplete.
    const codes = count(
      runQuery('filter stage = "ResponseComplete" | stats count(*) as n by responseStatus.code', recs).rows,
      'responseStatus.code',
    );
    expect(codes).toEqual({ '200': 256, '404': 90, '201': 80, '403': 11 });
  });

  it('every AWS sample query runs on every sample file without an internal error', () => {
    const files: string[] = [];
    for (const dir of readdirSync(samplesDir, { withFileTypes: true })) {
      if (!dir.isDirectory()) continue;
      for (const f of readdirSync(path.join(samplesDir, dir.name))) {
        if (/\.(log|json|jsonl)$/.test(f)) files.push(path.join(dir.name, f));
      }
    }
    expect(files.length).toBeGreaterThan(40);
    for (const q of QUERIES) {
      const compiled = compileQuery(q);
      for (const f of files) {
        const run = compiled.createRun();
        for (const r of records(f)) if (compiled.mightMatch(r.message)) run.add(r);
        const result = run.finish();
        expect(result.recordsMatched).toBeGreaterThanOrEqual(0);
        for (const row of result.rows) for (const v of Object.values(row)) expect(typeof v).toBe('string');
      }
    }
  });

  it('the malformed falco input is just a record without fields', () => {
    const recs = records('falco-k8s_audit/fal_01_003.json');
    expect(runQuery('fields kind, verb, @message', recs).rows).toEqual([
      { kind: '0', '@message': '{"kind": 0}' },
    ]);
  });
});
