import { describe, expect, test } from 'vitest';
import type { ObjectGrowth } from '../../src/analysis/incident-report.js';
import {
  MAX_NAMESPACES,
  buildRemediation,
  collectionPath,
  etcdKeyPrefix,
} from '../../src/analysis/remediation.js';
import { shellQuote } from '../../src/analysis/shell-quote.js';

const growth = (
  resource: string,
  apiGroup: string,
  namespace: string,
  net: number,
  apiVersion = 'v1',
): ObjectGrowth => ({
  resource,
  apiGroup,
  apiVersion,
  namespace,
  creates: net,
  deletes: 0,
  net,
});

describe('paths and etcd key prefixes', () => {
  test('custom resources keep their group; the core group uses /api/v1 and no group in etcd', () => {
    expect(collectionPath('ephemeralreports', 'reports.kyverno.io', 'v1', 'team-a')).toBe(
      '/apis/reports.kyverno.io/v1/namespaces/team-a/ephemeralreports',
    );
    expect(collectionPath('configmaps', '', 'v1', 'ci')).toBe('/api/v1/namespaces/ci/configmaps');
    expect(collectionPath('clusterephemeralreports', 'reports.kyverno.io', 'v1', '')).toBe(
      '/apis/reports.kyverno.io/v1/clusterephemeralreports',
    );
    expect(etcdKeyPrefix('ephemeralreports', 'reports.kyverno.io', 'team-a')).toBe(
      '/registry/reports.kyverno.io/ephemeralreports/team-a/',
    );
    expect(etcdKeyPrefix('configmaps', '', 'ci')).toBe('/registry/configmaps/ci/');
    expect(etcdKeyPrefix('leases', 'coordination.k8s.io', 'kube-node-lease')).toBe(
      '/registry/leases/kube-node-lease/',
    );
    expect(etcdKeyPrefix('services', '', 'default')).toBe('/registry/services/specs/default/');
  });
});

describe('buildRemediation', () => {
  test('nothing grew: no remediation', () => {
    expect(
      buildRemediation({ objectGrowth: [growth('pods', '', 'a', -3)], topWriter: null, nospace: false }),
    ).toBeNull();
  });

  test('one namespace: batch delete, loop form, per-namespace prefix, NOSPACE warning', () => {
    const r = buildRemediation({
      objectGrowth: [growth('configmaps', '', 'ci', 5000), growth('pods', '', 'ci', 10)],
      topWriter: null,
      nospace: true,
    });
    expect(r?.resource).toBe('configmaps');
    expect(r?.namespace).toBe('ci');
    expect(r?.estimatedObjects).toBe(5000);
    expect(r?.commands[0]).toBe("kubectl delete --raw '/api/v1/namespaces/ci/configmaps?limit=1000'");
    expect(r?.commands[1]).toMatch(/^for ns in .*kubectl delete --raw .*limit=1000/);
    expect(r?.etcdKeyPrefix).toBe('/registry/configmaps/ci/');
    expect(r?.warnings.join('\n')).toMatch(/database space exceeded.*AWS Support/);
    expect(r?.warnings.join('\n')).toMatch(/never deletes anything/);
    expect(r?.knownCulprit).toBeNull();
  });

  test('many namespaces: the top ones by name, the resource-level prefix, and a note', () => {
    const rows = Array.from({ length: 12 }, (_, i) =>
      growth('ephemeralreports', 'reports.kyverno.io', `ns-${String(i).padStart(2, '0')}`, 100 - i),
    );
    const r = buildRemediation({ objectGrowth: rows, topWriter: null, nospace: false });
    expect(r?.namespace).toBe('*');
    expect(r?.estimatedObjects).toBe(rows.reduce((s, g) => s + g.net, 0));
    expect(r?.commands.filter((c) => c.startsWith('kubectl delete'))).toHaveLength(MAX_NAMESPACES);
    expect(r?.etcdKeyPrefix).toBe('/registry/reports.kyverno.io/ephemeralreports/');
    expect(r?.etcdKeyPrefixes).toEqual(['/registry/reports.kyverno.io/ephemeralreports/']);
    expect(r?.namespaces).toHaveLength(12);
    expect(r?.knownCulprit?.notes.join(' ')).toMatch(/1\.12\.4.*reports server.*--aggregationWorkers/s);
    expect(r?.warnings.join('\n')).not.toMatch(/database space exceeded/);
  });

  test('a few namespaces: one etcd prefix per namespace', () => {
    const r = buildRemediation({
      objectGrowth: [
        growth('admissionreports', 'kyverno.io', 'a', 30, 'v1'),
        growth('admissionreports', 'kyverno.io', 'b', 20, 'v1'),
      ],
      topWriter: null,
      nospace: false,
    });
    expect(r?.etcdKeyPrefixes).toEqual([
      '/registry/kyverno.io/admissionreports/a/',
      '/registry/kyverno.io/admissionreports/b/',
    ]);
    expect(r?.knownCulprit?.name).toBe('Kyverno reports');
  });

  test('hostile values from the logs cannot break out of the commands', () => {
    const evil = "x'; rm -rf / #";
    const r = buildRemediation({
      objectGrowth: [growth('widgets', 'evil.example.com', evil, 9, "v1'$(id)")],
      topWriter: null,
      nospace: false,
    });
    for (const command of r?.commands ?? []) {
      expect(command).not.toContain("'; rm");
      expect(command).not.toContain('$(id)');
    }
    expect(r?.commands[0]).toBe(
      `kubectl delete --raw '/apis/evil.example.com/v1'\\''%24(id)/namespaces/x'\\''%3B%20rm%20-rf%20%2F%20%23/widgets?limit=1000'`,
    );
  });
});

describe('shellQuote', () => {
  test('single-quotes anything with a special character', () => {
    expect(shellQuote('plain-value_1.2')).toBe('plain-value_1.2');
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('$(reboot)')).toBe(`'$(reboot)'`);
    expect(shellQuote('')).toBe("''");
  });
});
