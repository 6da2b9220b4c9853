/**
 * The engine the benchmark's fake server answers with: the project's own (as in the tests), metered
 * (how long the server spent computing answers, which adds to the wall time on top of the fixed
 * per-query delay) and with bounded memory: the parsed-JSON cache each record keeps
 * (`LogRecord.json`) is dropped as soon as the engine has moved past the record, so a query over
 * days of data does not keep every event parsed at once.
 */
import type { LogRecord } from '../../src/insights/record.js';
import { loadProjectEngine, type FakeQueryEngine } from '../../test/support/fake-aws/query-engine.js';

export interface MeteredEngine {
  engine: FakeQueryEngine;
  /** Milliseconds spent running queries. */
  computeMs(): number;
}

function* releasing(records: Iterable<LogRecord>): Generator<LogRecord> {
  let previous: LogRecord | undefined;
  for (const record of records) {
    if (previous !== undefined) previous.json = undefined;
    previous = record;
    yield record;
  }
  if (previous !== undefined) previous.json = undefined;
}

/** Wraps the project's engine with a clock and the cache release. */
export async function createMeteredEngine(): Promise<MeteredEngine> {
  const inner = await loadProjectEngine();
  let spent = 0;
  const engine: FakeQueryEngine = {
    compile(queryString) {
      const compiled = inner.compile(queryString);
      return {
        ...(compiled.aggregate === undefined ? {} : { aggregate: compiled.aggregate }),
        run(records, limit) {
          const started = performance.now();
          try {
            return compiled.run(releasing(records), limit);
          } finally {
            spent += performance.now() - started;
          }
        },
      };
    },
  };
  return { engine, computeMs: () => spent };
}
