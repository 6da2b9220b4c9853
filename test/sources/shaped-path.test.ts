/**
 * The shaped fast path for raw audit lines (sources/shaped-lines.ts) against the ordinary
 * path, end to end through the local source: every stored query plus analyze's, over generated
 * incidents (both flood shapes, every stage, a recovered one), the real audit samples, and lines the
 * fast path must hand back (broken, escaped, CRLF, BOM, odd times). Outcomes must be identical.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, test } from 'vitest';
import { generate, writeIncidentFile } from '../analysis/analysis-support.js';
import { auditEvent, bothWays, sampleFiles, SAMPLES, START } from './shaped-path-support.js';

const HOUR = 3_600_000;
const cleanups: (() => void)[] = [];
afterAll(() => {
  for (const cleanup of cleanups) cleanup();
});

describe('the shaped fast path gives what the ordinary path gives', () => {
  test.each([
    { seed: 11, shape: 'operator-flood', outcome: 'ongoing' },
    { seed: 12, shape: 'user-flood', outcome: 'recovered' },
    { seed: 13, shape: 'operator-flood', outcome: 'recovered', stages: 'all' },
  ] as const)('generated incident $shape $outcome', async (options) => {
    const { events } = generate({ ...options, start: START, durationMs: 3 * HOUR });
    const { file, cleanup } = writeIncidentFile(events, 'audit-jsonl', options.seed);
    cleanups.push(cleanup);
    await bothWays([file]);
  });

  test('lines it must hand back to the ordinary path', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eei-shaped-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const lines = [
      `\ufeff${auditEvent({})}`,
      auditEvent({}),
      auditEvent({}).replace('"verb"', '"ve\\u0072b"'),
      auditEvent({}).slice(0, -3),
      `${auditEvent({ verb: 'delete' })}\r`,
      `  ${auditEvent({})}`,
      `${auditEvent({})} \t`,
      auditEvent({ stageTimestamp: '2024-06-14 00:00:02Z' }),
      auditEvent({ stageTimestamp: 'yesterday' }),
      auditEvent({ stageTimestamp: undefined, requestReceivedTimestamp: '2024-06-14T00:00:03Z' }),
      auditEvent({ 'objectRef.resource': 'dotted', objectRef: undefined }),
      auditEvent({ user: { username: 'b\u00e9atrice' } }),
      auditEvent({ responseStatus: { code: 500, message: 'etcdserver: mvcc: database space exceeded' } }),
      auditEvent({ verb: 'patch' }).replace('"verb":"patch"', '"verb":"patch","verb":"update"'),
      auditEvent({ annotations: { stageTimestamp: '2024-06-14T05:00:00Z' } }),
      auditEvent({ requestObject: { a: [1, { b: '\u0000'.repeat(0) }], c: '\\"x' } }),
      '{"stageTimestamp":"2024-06-14T00:00:04Z","verb":"get",}',
      // Blank lines between, and times the chunk runs (native/audit-lines.c) must read as the reader does.
      '',
      ' \t',
      '\r',
      auditEvent({ stageTimestamp: '2024-02-30T23:59:60.5Z' }),
      auditEvent({ stageTimestamp: '0050-01-01T00:00:00Z' }),
      auditEvent({ stageTimestamp: '2024-06-14T00:00:05.123456789Z' }),
      auditEvent({ stageTimestamp: '2024-06-14T00:00:06+00:00' }),
      auditEvent({
        stageTimestamp: undefined,
        requestReceivedTimestamp: undefined,
        timestamp: '2024-06-14T00:00:07Z',
      }),
      auditEvent({}).replace('"stageTimestamp":', '"stageTimestamp" :'),
      auditEvent({ requestObject: { stageTimestamp: '2024-06-14T07:00:00Z' } }),
    ];
    const file = path.join(dir, 'odd.log');
    writeFileSync(file, `${[...lines, ...lines, ...lines].join('\n')}\n`);
    await bothWays([file]);
    // Over several of the reader's 1 MiB chunks: lines cut by a chunk's end, runs resumed in the next.
    const many = path.join(dir, 'many.log');
    writeFileSync(many, `${Array.from({ length: 300 }, () => lines.join('\n')).join('\n')}\n`);
    await bothWays([many]);
  });
});

const files = sampleFiles();
describe.skipIf(files.length === 0)('the shaped fast path on the real audit samples', () => {
  test.each(files.map((f) => [path.relative(SAMPLES, f), f]))('%s', async (_name, file) => {
    await bothWays([file]);
  });
});
