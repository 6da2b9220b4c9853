/**
 * analyze on the real kube-apiserver audit logs in ../shared/real-audit-samples (read in place,
 * through REAL_AUDIT_SAMPLES): v1beta1 and v1 events, RequestResponse bodies, legacy timestamps and
 * a malformed file. None holds an etcd failure; the analysis must run, find none, and report the
 * malformed input instead of crashing.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { analyzeIncident } from '../../src/analysis/incident.js';
import { createLocalSource } from '../../src/sources/local-source.js';
import { projectRoot } from '../support/build.js';
import { analysisQueryTexts } from './analysis-support.js';

const SAMPLES =
  process.env['REAL_AUDIT_SAMPLES'] ?? path.resolve(projectRoot, '../shared/real-audit-samples');
const queries = analysisQueryTexts();

describe.skipIf(!existsSync(SAMPLES))('analyze on the real audit samples', () => {
  // Expected counts made independently (ResponseComplete events with a write verb, per file).
  test.each([
    ['audit2rbac/demo.raw-2017.log', 222, 'system:admin'],
    ['audit2rbac/demo.v1-2022.log', 0, undefined],
    [
      'cluster-logging-operator/audit_in.log',
      36,
      'system:serviceaccount:openshift-operator-lifecycle-manager:olm-operator-serviceaccount',
    ],
  ])('%s: no failure, %i writes counted once per request, top writer %s', async (file, writes, topUser) => {
    const report = await analyzeIncident({
      source: createLocalSource({ paths: [path.join(SAMPLES, file)] }),
      queries,
      now: Date.now(),
    });
    expect(report.complete).toBe(true);
    expect(report.firstFailure).toBeNull();
    expect(report.failures).toEqual({ count: 0, last: null, stillFailing: false });
    expect(report.series.writes.reduce((s, p) => s + p.value, 0)).toBe(writes);
    if (topUser !== undefined) {
      // With no flood the lead-up is the last two hours of the data, which holds all of these short captures.
      expect(report.topWriters[0]?.user).toBe(topUser);
    }
  });

  test('the falco traces, one malformed file among them: skipped and reported, never a crash', async () => {
    const report = await analyzeIncident({
      source: createLocalSource({ paths: [path.join(SAMPLES, 'falco-k8s_audit')] }),
      queries,
      now: Date.now(),
    });
    expect(report.complete).toBe(true);
    expect(report.failures.count).toBe(0);
    expect(report.skippedLines.count).toBeGreaterThanOrEqual(1);
    expect(report.skippedLines.samples.some((s) => s.file.endsWith('fal_01_003.json'))).toBe(true);
  });
});
