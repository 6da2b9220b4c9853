import {
  createJsonProjector,
  getField,
  type CompiledQuery,
  type LogRecord,
  type ShapedRecord,
} from '../../src/insights/index.js';

/**
 * The shaped fast path's grouping done the slow way, for engine tests: records fall into one shape
 * when getField gives equal values (and types) for every shape field of the query; the shape's JSON
 * is the projection of its first record. The byte-level grouping must agree with this one.
 */
export function shapeByValues(compiled: CompiledQuery): (record: LogRecord) => ShapedRecord {
  const project = createJsonProjector(compiled.shapeFields);
  const shapes = new Map<string, { id: number; json: Record<string, unknown> | null }>();
  return (record) => {
    const probe: LogRecord = { ...record };
    delete probe.json;
    const key = JSON.stringify(
      compiled.shapeFields.map((name) => {
        const v = getField(probe, name);
        return [typeof v, v];
      }),
    );
    let shape = shapes.get(key);
    if (shape === undefined) {
      shape = { id: shapes.size, json: project(record.message) };
      shapes.set(key, shape);
    }
    return {
      shape: shape.id,
      numbering: shapes,
      timestamp: record.timestamp,
      logStream: record.logStream,
      log: record.log,
      json: shape.json,
      materialize: () => ({ ...record }),
      capture: () => ({ record: () => ({ ...record }), keep: () => undefined }),
    };
  };
}
