import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LogRecord } from '../../src/insights/record.js';
import { readLogInput } from '../../src/sources/readers/read-log-input.js';
import type { InputSummary } from '../../src/sources/readers/record-sink.js';
import { resolveLogInputs } from '../../src/sources/readers/log-inputs.js';
import type { SkippedLineSample } from '../../src/sources/source.js';

export interface ReadResult {
  records: LogRecord[];
  bytes: number[];
  skipped: SkippedLineSample[];
  summaries: InputSummary[];
}

/** A fresh temporary directory for one test. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'eei-sources-'));
}

/** Writes `content` to a file in a fresh temporary directory and returns its path. */
export function tempFile(name: string, content: string | Buffer, dir = tempDir()): string {
  const file = path.join(dir, name);
  writeFileSync(file, content);
  return file;
}

/** Reads paths the way the local source does, collecting everything. */
export async function readAll(
  paths: string[],
  options: { maxLineBytes?: number; stdin?: () => AsyncIterable<Buffer> } = {},
): Promise<ReadResult> {
  const result: ReadResult = { records: [], bytes: [], skipped: [], summaries: [] };
  const inputs = await resolveLogInputs(paths, options.stdin);
  for (const input of inputs) {
    result.summaries.push(
      await readLogInput(
        input,
        {
          record(record, bytes) {
            result.records.push(record);
            result.bytes.push(bytes);
          },
          skip(sample) {
            result.skipped.push(sample);
          },
        },
        options.maxLineBytes === undefined ? {} : { maxLineBytes: options.maxLineBytes },
      ),
    );
  }
  return result;
}

/** A minimal audit.k8s.io/v1 event line. */
export function auditLine(overrides: Record<string, unknown> = {}): string {
  return JSON.stringify({
    kind: 'Event',
    apiVersion: 'audit.k8s.io/v1',
    level: 'Metadata',
    auditID: 'a1',
    stage: 'ResponseComplete',
    requestURI: '/api/v1/namespaces/default/configmaps',
    verb: 'create',
    user: { username: 'alice' },
    userAgent: 'kubectl/v1.30.0',
    objectRef: { resource: 'configmaps', namespace: 'default', apiVersion: 'v1' },
    responseStatus: { metadata: {}, code: 201 },
    requestReceivedTimestamp: '2024-06-14T03:00:00.000000Z',
    stageTimestamp: '2024-06-14T03:00:00.123456Z',
    ...overrides,
  });
}
