/**
 * The real kube-apiserver audit samples through `analyze` (the built CLI), every file on its own and
 * the whole directory at once, in JSON and in the terminal format: a report or a clear exit-4 error
 * naming the file, never a crash. The malformed falco `fal_01_003.json` must be reported.
 *
 * The samples are read in place through REAL_AUDIT_SAMPLES (default ../shared/real-audit-samples),
 * never copied. Reused, not repeated here: every stored query on each sample through the local source,
 * with cross-checked counts (test/sources/real-samples.test.ts).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { projectRoot } from '../support/build.js';
import { runCli, type RunCliResult } from '../support/run-cli.js';

const SAMPLES =
  process.env['REAL_AUDIT_SAMPLES'] ?? path.resolve(projectRoot, '../shared/real-audit-samples');
const present = existsSync(SAMPLES);

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir).sort()) {
    const full = path.join(dir, entry);
    if (statSync(full).isDirectory()) out.push(...filesUnder(full));
    else out.push(full);
  }
  return out;
}

/** Ended by itself with 0 (a report) or 4 (an error naming the file), no stack trace. */
function expectReportOrNamedError(result: RunCliResult, file: string): void {
  expect(result.signal, result.stderr).toBeNull();
  expect(result.stderr).not.toMatch(/\n\s+at /);
  expect(result.stderr).not.toMatch(/internal error/i);
  if (result.exitCode === 4) {
    expect(result.stderr).toContain(file);
    expect(result.stdout).toBe('');
  } else {
    expect(result.exitCode, result.stderr).toBe(0);
  }
}

describe.skipIf(!present)(
  `real audit samples through analyze${present ? '' : ` (skipped: ${SAMPLES} not found; set REAL_AUDIT_SAMPLES)`}`,
  () => {
    // The falco folder holds 47 one-event files; they are covered by the directory run below.
    const files = present
      ? filesUnder(SAMPLES).filter((f) => !/\/falco-k8s_audit\/(?!fal_01_003)[^/]+\.json$/.test(f))
      : [];

    test.each(files.map((f) => [path.relative(SAMPLES, f), f]))(
      '%s alone: a report or exit 4 naming it',
      async (_name, file) => {
        const result = await runCli(['analyze', '--log-file', file, '--format', 'json']);
        expectReportOrNamedError(result, file);
        if (result.exitCode === 0) {
          const report = JSON.parse(result.stdout) as IncidentReport;
          expect(report.schemaVersion).toBe(1);
          // No sample holds an etcd NOSPACE failure (see the samples' README).
          expect(report.failures.count).toBe(0);
        }
      },
    );

    test('the real logs with events give a report that counts their writes', async () => {
      for (const name of ['audit2rbac/demo.raw-2017.log', 'cluster-logging-operator/audit_in.log']) {
        const result = await runCli(['analyze', '--log-file', path.join(SAMPLES, name), '--format', 'json']);
        expect(result.exitCode, result.stderr).toBe(0);
        const report = JSON.parse(result.stdout) as IncidentReport;
        expect(report.topWriters.length, name).toBeGreaterThan(0);
        expect(report.skippedLines.count, name).toBe(0);
      }
    });

    test('fal_01_003.json alone: exit 4 naming it, with the reason', async () => {
      const file = path.join(SAMPLES, 'falco-k8s_audit/fal_01_003.json');
      const result = await runCli(['analyze', '--log-file', file]);
      expect(result.exitCode).toBe(4);
      expect(result.stderr).toMatch(
        /^error: No event could be read from .*fal_01_003\.json: 1 malformed line; line 1: /m,
      );
    });

    test('the falco directory: every event read, fal_01_003.json reported with file:line, exit 0', async () => {
      const result = await runCli([
        'analyze',
        '--log-file',
        path.join(SAMPLES, 'falco-k8s_audit'),
        '--format',
        'json',
      ]);
      expect(result.exitCode, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout) as IncidentReport;
      expect(report.skippedLines.samples.map((s) => `${path.basename(s.file)}:${s.line}`)).toContain(
        'fal_01_003.json:1',
      );
      expect(report.topWriters.length).toBeGreaterThan(0);
    });

    test.each(['json', 'terminal', 'markdown', 'html', 'csv'])(
      'the whole directory at once (%s): a report, malformed lines and non-log files reported',
      async (format) => {
        const result = await runCli(['analyze', '--log-file', SAMPLES, '--format', format]);
        expect(result.exitCode, result.stderr).toBe(0);
        expect(result.stderr).toMatch(/^note: \d+ malformed input lines were skipped/m);
        expect(result.stdout.length).toBeGreaterThan(0);
        // The samples span 2017 to 2023: the series is merged into coarse bins, not 600,000 five-minute ones.
        expect(result.stdout.length).toBeLessThan(5_000_000);
        if (format === 'json') {
          const report = JSON.parse(result.stdout) as IncidentReport;
          expect(report.series.writes.length).toBeLessThanOrEqual(8000);
          expect(report.skippedLines.samples.map((s) => path.basename(s.file))).toContain('fal_01_003.json');
          expect(report.warnings.some((w) => w.includes('README.md') && /not a log file/.test(w))).toBe(true);
        }
        if (format === 'terminal') expect(result.stdout).toContain('fal_01_003.json:1');
      },
    );
  },
);
