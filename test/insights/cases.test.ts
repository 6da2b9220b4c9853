import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileQuery, createJsonProjector, QueryError, type LogRecord } from '../../src/insights/index.js';
import { shapeByValues } from '../support/shaped-records.js';

/**
 * Runs the language cases in test/cases/insights/<topic>/<name>.json. Each case runs three times:
 * plainly, with the raw-line prefilter (mightMatch) skipping records first, and on the local source's
 * fast path (prefilter, then each message parsed by the JSON projection of the query's fields);
 * neither may change a result. A fourth run takes the shaped path (QueryRun.addShaped), records grouped
 * into shapes by the values of the query's shape fields (test/insights/shaped-bytes.test.ts runs the
 * same cases with shapes found from the raw bytes).
 */
interface CaseRecord {
  '@timestamp': string;
  '@logStream'?: string;
  '@log'?: string;
  '@ingestionTime'?: string;
  '@ptr'?: string;
  '@message': unknown;
}
interface LanguageCase {
  description: string;
  query: string;
  records: CaseRecord[];
  options?: { limit?: number };
  result?: { fields?: string[]; rows: Record<string, string>[]; recordsMatched?: number };
  error?: { code: string; span?: [number, number] };
}

const casesDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../cases/insights');

function toRecord(r: CaseRecord): LogRecord {
  const record: LogRecord = {
    timestamp: Date.parse(r['@timestamp']),
    message: typeof r['@message'] === 'string' ? r['@message'] : JSON.stringify(r['@message']),
    logStream: r['@logStream'] ?? 'kube-apiserver-audit',
    log: r['@log'] ?? '123456789012:/aws/eks/test/cluster',
  };
  if (r['@ingestionTime'] !== undefined) record.ingestionTime = Date.parse(r['@ingestionTime']);
  if (r['@ptr'] !== undefined) record.ptr = r['@ptr'];
  return record;
}

type Mode = 'plain' | 'prefilter' | 'fast path' | 'shaped';

function run(c: LanguageCase, mode: Mode): unknown {
  const compiled = compileQuery(c.query);
  const query = compiled.createRun(c.options ?? {});
  const project = createJsonProjector(compiled.fieldNames);
  const toShaped = shapeByValues(compiled);
  for (const r of c.records) {
    const record = toRecord(r);
    if (mode === 'shaped') {
      query.addShaped(toShaped(record));
      continue;
    }
    if (mode !== 'plain' && !compiled.mightMatch(record.message)) continue;
    if (mode === 'fast path') record.json = project(record.message);
    query.add(record);
  }
  return query.finish();
}

const topics = readdirSync(casesDir, { withFileTypes: true }).filter((d) => d.isDirectory());
const all: [string, LanguageCase][] = [];
for (const topic of topics) {
  for (const file of readdirSync(path.join(casesDir, topic.name))
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    all.push([
      `${topic.name}/${file.replace(/\.json$/, '')}`,
      JSON.parse(readFileSync(path.join(casesDir, topic.name, file), 'utf8')) as LanguageCase,
    ]);
  }
}

describe('language cases', () => {
  it('has at least 150 cases', () => {
    expect(all.length).toBeGreaterThanOrEqual(150);
  });

  for (const [name, c] of all) {
    describe(name, () => {
      if (c.error) {
        const expected = c.error;
        it(`${c.description} -> ${expected.code}`, () => {
          let caught: unknown;
          try {
            run(c, 'plain');
          } catch (err) {
            caught = err;
          }
          expect(caught).toBeInstanceOf(QueryError);
          const qe = caught as QueryError;
          expect(qe.code).toBe(expected.code);
          if (expected.span) expect([qe.span.start, qe.span.end]).toEqual(expected.span);
          expect(qe.exitCode).toBe(3);
          expect(qe.format()).toContain(`error[${expected.code}]`);
        });
      } else {
        const expected = c.result;
        for (const mode of ['plain', 'prefilter', 'fast path', 'shaped'] as const) {
          it(`${c.description}${mode === 'plain' ? '' : ` (${mode})`}`, () => {
            const result = run(c, mode) as { fields: string[]; rows: unknown[]; recordsMatched: number };
            expect(result.rows).toEqual(expected?.rows);
            if (expected?.fields) expect(result.fields).toEqual(expected.fields);
            if (expected?.recordsMatched !== undefined)
              expect(result.recordsMatched).toBe(expected.recordsMatched);
          });
        }
      }
    });
  }
});
