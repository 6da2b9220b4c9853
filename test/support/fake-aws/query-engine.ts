/**
 * The engine the fake server answers queries with: by default the project's own Logs Insights engine
 * (src/insights), loaded lazily; tests may pass another implementation of this small interface.
 */
import type { LogRecord } from '../../../src/insights/record.js';

export interface EngineResult {
  fields: string[];
  rows: Record<string, string>[];
  recordsMatched: number;
}

export interface CompiledFakeQuery {
  run(records: Iterable<LogRecord>, limit: number): EngineResult;
  /** The query has a stats command (its rows carry no @ptr); when absent the server guesses from the text. */
  aggregate?: boolean;
}

/** A query compile error, with character offsets into the query string. */
export class EngineCompileError extends Error {
  constructor(
    message: string,
    readonly startCharOffset: number,
    readonly endCharOffset: number,
  ) {
    super(message);
  }
}

export interface FakeQueryEngine {
  /** Throws EngineCompileError for a bad query. */
  compile(queryString: string): CompiledFakeQuery;
}

interface ProjectRun {
  add(record: LogRecord): void;
  finish(): { fields: string[]; rows: Record<string, string>[]; recordsMatched?: number };
}

interface ProjectModule {
  compileQuery(text: string): {
    createRun(options: { limit?: number }): ProjectRun;
    isAggregate?: boolean;
    mightMatch?: (rawMessage: string) => boolean;
  };
}

/** Wraps src/insights/index.ts (compileQuery(text).createRun({limit}).add/finish). */
export async function loadProjectEngine(): Promise<FakeQueryEngine> {
  const modulePath = '../../../src/insights/index.js';
  const insights = (await import(modulePath)) as ProjectModule;
  return {
    compile(queryString) {
      let compiled: ReturnType<ProjectModule['compileQuery']>;
      try {
        compiled = insights.compileQuery(queryString);
      } catch (error) {
        throw toCompileError(error, queryString);
      }
      const mightMatch = compiled.mightMatch;
      return {
        ...(compiled.isAggregate === undefined ? {} : { aggregate: compiled.isAggregate }),
        run(records, limit) {
          const run = compiled.createRun({ limit });
          // The engine's raw-line prefilter is false only for records that cannot match: skipping them
          // changes no result and keeps benchmark-sized data sets fast.
          for (const record of records)
            if (mightMatch === undefined || mightMatch(record.message)) run.add(record);
          const result = run.finish();
          return {
            fields: result.fields,
            rows: result.rows,
            recordsMatched: result.recordsMatched ?? result.rows.length,
          };
        },
      };
    },
  };
}

/** QueryError carries `.span`; its exact shape belongs to src/insights, so read offsets defensively. */
function toCompileError(error: unknown, queryString: string): unknown {
  if (!(error instanceof Error) || !('code' in error)) return error;
  const span = (error as { span?: unknown }).span as Record<string, unknown> | undefined;
  const pick = (...keys: string[]): number | undefined => {
    for (const key of keys) {
      const value = span?.[key];
      if (typeof value === 'number') return value;
      if (
        typeof value === 'object' &&
        value !== null &&
        typeof (value as { offset?: unknown }).offset === 'number'
      ) {
        return (value as { offset: number }).offset;
      }
    }
    return undefined;
  };
  const start = pick('start', 'startOffset', 'from', 'offset') ?? 0;
  const end = pick('end', 'endOffset', 'to') ?? Math.min(queryString.length, start + 1);
  return new EngineCompileError(error.message, start, end);
}
