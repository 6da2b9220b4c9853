/**
 * The generator's files are meant for the project's own local source: every format (and its gzip)
 * must be detected and read so that stored-query-style questions give the ground-truth answers.
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OUTPUT_FORMATS, type OutputFormat } from '../../bench/incident/formats.js';
import type { GroundTruth, IncidentOptions } from '../../bench/incident/generate.js';
import { writeIncident } from '../../bench/incident/write-incident.js';
import { ensureBuilt } from '../support/build.js';
import { runCli } from '../support/run-cli.js';

const INCIDENT: IncidentOptions = {
  seed: 31,
  start: '2024-06-14T00:00:00Z',
  durationMs: 3_600_000,
  eventsPerMinute: 20,
  shape: 'user-flood',
  outcome: 'recovered',
  withApiStream: true,
  stages: 'all',
  streamRotationEvents: 1500,
};
const dir = mkdtempSync(path.join(tmpdir(), 'reader-compat-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(ensureBuilt, 300_000);

async function query(file: string, queryString: string): Promise<Record<string, string>[]> {
  const result = await runCli([
    'queries',
    'run',
    '--query-string',
    queryString,
    '--log-file',
    file,
    '--format',
    'json',
  ]);
  expect(result.stderr.includes('skipped')).toBe(false);
  expect(result.exitCode).toBe(0);
  return (JSON.parse(result.stdout) as { rows: Record<string, string>[] }).rows;
}

const cloudWatchTime = (iso: string): string => iso.replace('T', ' ').replace('Z', '');
// Audit events only: CloudWatch formats also carry the api stream, whose klog lines mention the same errors.
const AUDIT = 'filter ispresent(auditID) and stage = "ResponseComplete"';

describe.each(
  OUTPUT_FORMATS.flatMap(
    (format) =>
      [
        [format, false],
        [format, true],
      ] as [OutputFormat, boolean][],
  ),
)('%s (gzip %s) read by the local source', (format, gzip) => {
  let file = '';
  let truth: GroundTruth;
  beforeAll(async () => {
    file = path.join(dir, `incident.${format}${gzip ? '.gz' : ''}`);
    truth = (await writeIncident(INCIDENT, createWriteStream(file), { format, gzip, gzipLevel: 1 })).truth;
  });

  it('finds the ground truth: failures, first failure, top writer', async () => {
    const [failures] = await query(
      file,
      `${AUDIT} and responseStatus.message like /database space exceeded/ | stats count(*) as n`,
    );
    expect(Number(failures?.['n'])).toBe(truth.failureCount);
    const [first] = await query(
      file,
      `${AUDIT} and responseStatus.message like /database space exceeded/ | fields @timestamp, user.username | sort @timestamp asc | limit 1`,
    );
    expect(first?.['@timestamp']).toBe(cloudWatchTime(truth.firstFailure!.timestamp));
    expect(first?.['user.username']).toBe(truth.firstFailure!.user);
    const [top] = await query(
      file,
      `${AUDIT} and verb in ["create", "update", "patch", "delete", "deletecollection"] | stats count(*) as n by user.username | sort n desc | limit 1`,
    );
    expect(top?.['user.username']).toBe(truth.topWriter.user);
    expect(Number(top?.['n'])).toBe(truth.writesPerUser[truth.topWriter.user]);
  });
});
