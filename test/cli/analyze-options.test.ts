/** `analyze` options end to end on the sample incident: stdin, an explicit window, csv and html, output naming. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { outputPathFor } from '../../src/cli/commands/analyze.js';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { projectRoot } from '../support/build.js';
import { runCli } from '../support/run-cli.js';

const SAMPLE = 'examples/sample-incident.jsonl.gz';
const truth = JSON.parse(
  readFileSync(path.join(projectRoot, 'examples/sample-incident.truth.json'), 'utf8'),
) as { firstFailure: unknown; failureCount: number };

describe('analyze options', () => {
  test('--log-file - reads stdin (gzip detected)', async () => {
    const result = await runCli(['analyze', '--log-file', '-', '--format', 'json'], {
      input: readFileSync(path.join(projectRoot, SAMPLE)),
    });
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.firstFailure).toEqual(truth.firstFailure);
  });

  test('--start/--end limit the window; failures outside it are not counted', async () => {
    const result = await runCli([
      'analyze',
      '--log-file',
      SAMPLE,
      '--start',
      '2024-06-14T05:00:00Z',
      '--end',
      '2024-06-14T06:00:00Z',
      '--format',
      'json',
    ]);
    expect(result.exitCode).toBe(0);
    const report = JSON.parse(result.stdout) as IncidentReport;
    expect(report.window).toEqual({ start: '2024-06-14T05:00:00.000Z', end: '2024-06-14T06:00:00.000Z' });
    expect(report.failures.count).toBeGreaterThan(0);
    expect(report.failures.count).toBeLessThan(truth.failureCount);
    // Failing from the first bin of this window: the report says the first failure may be earlier.
    expect(report.warnings.join('\n')).toMatch(/already failing at the start of the window/);
  });

  test('--bin sets the series bin; csv is the timeline; html is one self-contained page', async () => {
    const json = JSON.parse(
      (await runCli(['analyze', '--log-file', SAMPLE, '--bin', '10m', '--format', 'json'])).stdout,
    ) as IncidentReport;
    expect(json.series.binMs).toBe(600_000);
    expect(json.floodOnset?.binMs).toBe(600_000);
    const csv = await runCli(['analyze', '--log-file', SAMPLE, '--format', 'csv']);
    expect(csv.exitCode).toBe(0);
    expect(csv.stdout.split('\n')[0]).toMatch(/^timestamp,kind,/);
    expect(csv.stdout).toContain('first-failure');
    const html = await runCli(['analyze', '--log-file', SAMPLE, '--format', 'html']);
    expect(html.exitCode).toBe(0);
    expect(html.stdout).toMatch(/^<!DOCTYPE html>/i);
    expect(html.stdout).not.toMatch(/<script[^>]+src=/i);
  });

  test('several clusters with --output: the cluster name goes before the extension', () => {
    expect(outputPathFor('incident.json', 'prod')).toBe('incident.prod.json');
    expect(outputPathFor('out/report.md', 'eu-west')).toBe('out/report.eu-west.md');
    expect(outputPathFor('report', 'a')).toBe('report.a');
    // A cluster name can never add a directory to the path.
    expect(outputPathFor('r.html', '../evil/x')).toBe('r..._evil_x.html');
  });
});
