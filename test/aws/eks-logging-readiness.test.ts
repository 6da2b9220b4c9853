import { describe, expect, it } from 'vitest';
import { assessLoggingReadiness, enableCommands } from '../../src/analysis/logging-readiness.js';
import type { LoggingStatus } from '../../src/aws/logging-status.js';

const NOW = Date.parse('2026-06-14T12:00:00Z');
const MIN = 60_000;

function status(overrides: Partial<LoggingStatus> = {}): LoggingStatus {
  return {
    cluster: 'prod',
    region: 'us-east-1',
    checkedAtMs: NOW,
    clusterStatus: 'ACTIVE',
    kubernetesVersion: '1.31',
    logSetup: [{ types: ['audit'], enabled: true }],
    enabledTypes: ['audit'],
    auditEnabled: true,
    logGroupName: '/aws/eks/prod/cluster',
    logGroup: {
      name: '/aws/eks/prod/cluster',
      retentionInDays: 30,
      storedBytes: 10,
      logGroupClass: 'STANDARD',
      creationTimeMs: 0,
    },
    auditStreams: {
      names: ['kube-apiserver-audit-a'],
      streams: [
        {
          name: 'kube-apiserver-audit-a',
          firstEventTimestamp: NOW - 3 * 86_400_000,
          lastEventTimestamp: NOW - 2 * MIN,
        },
      ],
      newestEventMs: NOW - 2 * MIN,
      newestIngestionMs: undefined,
      oldestEventMs: NOW - 3 * 86_400_000,
      truncated: false,
    },
    auditLastEnabled: undefined,
    updatesInProgress: [],
    updateHistoryTruncated: false,
    ...overrides,
  };
}

describe('assessLoggingReadiness', () => {
  it('ok when enabled and the newest event is recent; reports the reach-back', () => {
    const r = assessLoggingReadiness(status());
    expect(r).toMatchObject({
      ok: true,
      verdict: 'ok',
      newestEventAgeMin: 2,
      reachesBackToMs: NOW - 3 * 86_400_000,
      fixCommands: [],
      warnings: [],
    });
  });

  it('between the fresh and stale limits: still ok, with a note about eventual consistency', () => {
    const r = assessLoggingReadiness(
      status({ auditStreams: { ...status().auditStreams!, newestEventMs: NOW - 30 * MIN } }),
    );
    expect(r.ok).toBe(true);
    expect(r.warnings.join(' ')).toMatch(/30 min old; stream timestamps are eventually consistent/);
  });

  it('stale past the limit: not ok', () => {
    const r = assessLoggingReadiness(
      status({
        auditStreams: {
          ...status().auditStreams!,
          newestEventMs: NOW - 61 * MIN,
          newestIngestionMs: NOW - 70 * MIN,
        },
      }),
    );
    expect(r).toMatchObject({ ok: false, verdict: 'stale' });
    // A recent ingestion time counts as arriving even if lastEventTimestamp lags.
    expect(
      assessLoggingReadiness(
        status({
          auditStreams: {
            ...status().auditStreams!,
            newestEventMs: NOW - 90 * MIN,
            newestIngestionMs: NOW - MIN,
          },
        }),
      ).ok,
    ).toBe(true);
  });

  it('disabled: not ok, with both fix commands keeping the types already on', () => {
    const r = assessLoggingReadiness(status({ auditEnabled: false, enabledTypes: ['api'] }));
    expect(r.verdict).toBe('disabled');
    expect(r.fixCommands).toEqual([
      'eks-etcd-insights logging enable --cluster prod --region us-east-1',
      `aws eks update-cluster-config --name prod --region us-east-1 --logging '{"clusterLogging":[{"types":["api","audit"],"enabled":true}]}'`,
    ]);
  });

  it('an update enabling audit in progress is "enabling", without a fix command', () => {
    const r = assessLoggingReadiness(
      status({
        auditEnabled: false,
        enabledTypes: [],
        updatesInProgress: [{ id: 'u1', type: 'LoggingUpdate', enablesAudit: true }],
      }),
    );
    expect(r).toMatchObject({ ok: false, verdict: 'enabling', fixCommands: [] });
  });

  it('enabled but no log group, or no audit streams: not ok', () => {
    expect(assessLoggingReadiness(status({ logGroup: undefined, auditStreams: undefined })).verdict).toBe(
      'no-log-group',
    );
    expect(
      assessLoggingReadiness(
        status({
          auditStreams: {
            names: [],
            streams: [],
            newestEventMs: undefined,
            newestIngestionMs: undefined,
            oldestEventMs: undefined,
            truncated: false,
          },
        }),
      ).verdict,
    ).toBe('no-audit-streams');
  });

  it('warns when the log group never expires', () => {
    const r = assessLoggingReadiness(
      status({ logGroup: { ...status().logGroup!, retentionInDays: undefined } }),
    );
    expect(r.ok).toBe(true);
    expect(r.warnings[0]).toMatch(/never expires/);
  });

  it('quotes odd cluster names in the commands and drops an unknown Region', () => {
    expect(enableCommands({ cluster: "it's", region: 'unknown Region', enabledTypes: [] })[0]).toBe(
      `eks-etcd-insights logging enable --cluster 'it'\\''s'`,
    );
  });
});
