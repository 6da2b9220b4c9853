/**
 * The local engine's inner loop, shared by the main thread and the worker threads: compiled queries
 * plus the one function every record goes through. Kept in one place so that a worker over a byte
 * range does exactly what the single-threaded pass does.
 */
import {
  compileQuery,
  createJsonProjector,
  DEFAULT_RESULT_LIMIT,
  type LogRecord,
  type QueryRun,
} from '../insights/index.js';
import type { ShapedLines } from './readers/record-sink.js';
import { createShapedLines } from './shaped-lines.js';
import type { QueryRequest } from './source.js';

/** One query of a runAll() call, with its running state. */
export interface QueryState {
  request: QueryRequest;
  mightMatch: (raw: string) => boolean;
  /** mightMatch can reject a line (the query has a literal requirement). */
  prefilters: boolean;
  run: QueryRun;
  /** StartQuery's limit applies (the query has no `limit` command): the row cap a result can hit. */
  cap: number | undefined;
  startMs: number;
  endMs: number;
  recordsScanned: number;
  bytesScanned: number;
  /** The query's shape fields and whether the shaped path saves it work (CompiledQuery). */
  shapeFields: readonly string[];
  memoises: boolean;
}

/** The queries of one runAll() call and the function that offers a record to each of them. */
export interface QueryFeed {
  queries: QueryState[];
  /** Offers one record (of `bytes` bytes) to every query whose range holds it. */
  offer(record: LogRecord, bytes: number): void;
  /** A fresh run of query `index` (the same options as its first), for merging partial runs into. */
  freshRun(index: number): QueryRun;
  /**
   * The shaped fast path (shaped-lines.ts) for one line of a raw audit log, a CloudWatch JSON-lines
   * export or an S3 export, and for a chunk's run of raw audit lines. Absent when no query gains from it.
   */
  shapedLines: ShapedLines | undefined;
  /**
   * The reader is done with a chunk: rows still waiting on its bytes copy them (QueryRun.settle), so
   * that the chunk's memory can be freed or reused.
   */
  chunkDone(): void;
}

/** Compiles the requests (throws QueryError) and builds the per-record loop. */
export function createQueryFeed(
  requests: readonly QueryRequest[],
  options: { shapes?: boolean } = {},
): QueryFeed {
  const fieldNames: string[] = [];
  const factories: (() => QueryRun)[] = [];
  const queries = requests.map((request): QueryState => {
    const compiled = compileQuery(request.queryString);
    fieldNames.push(...compiled.fieldNames);
    // StartQuery's limit applies only to a query without its own `limit` command. The run is asked
    // for one row more than the cap, so that a cut result can be told from one exactly at the cap.
    const cap = compiled.ast.commands.some((command) => command.kind === 'limit')
      ? undefined
      : (request.limit ?? DEFAULT_RESULT_LIMIT);
    const createRun = (): QueryRun => compiled.createRun(cap === undefined ? {} : { limit: cap + 1 });
    factories.push(createRun);
    return {
      request,
      mightMatch: (raw) => compiled.mightMatch(raw),
      prefilters: compiled.prefilters,
      run: createRun(),
      cap,
      startMs: request.range?.startMs ?? Number.NEGATIVE_INFINITY,
      endMs: request.range?.endMs ?? Number.POSITIVE_INFINITY,
      recordsScanned: 0,
      bytesScanned: 0,
      shapeFields: compiled.shapeFields,
      memoises: compiled.memoises,
    };
  });
  // Parse only the fields some query mentions: identical values, far less garbage (json-projection.ts).
  const project = createJsonProjector(fieldNames);

  const offer = (record: LogRecord, bytes: number): void => {
    const ts = record.timestamp;
    // When a query without a literal requirement will read this record anyway, its JSON gets
    // parsed whatever the others' prefilters say, and testing them on the raw text is pure cost.
    let parsed = false;
    for (const query of queries) {
      if (!query.prefilters && ts >= query.startMs && ts <= query.endMs) {
        parsed = true;
        break;
      }
    }
    let projected = false;
    for (const query of queries) {
      // Both ends inclusive, as StartQuery's startTime/endTime are.
      if (ts < query.startMs || ts > query.endMs) continue;
      query.recordsScanned++;
      query.bytesScanned += bytes;
      // The engine's literal pre-check on the raw text: lines that cannot match are never parsed.
      if (!parsed && !query.mightMatch(record.message)) continue;
      if (!projected && record.json === undefined) record.json = project(record.message);
      projected = true;
      query.run.add(record);
    }
  };
  const offerOne = (record: LogRecord, bytes: number, query: QueryState): void => {
    query.recordsScanned++;
    query.bytesScanned += bytes;
    if (query.prefilters && !query.mightMatch(record.message)) return;
    if (record.json === undefined) record.json = project(record.message);
    query.run.add(record);
  };
  return {
    queries,
    offer,
    freshRun: (index) => (factories[index] as () => QueryRun)(),
    shapedLines: options.shapes === false ? undefined : createShapedLines(queries, project, offerOne),
    chunkDone() {
      for (const query of queries) query.run.settle();
    },
  };
}
