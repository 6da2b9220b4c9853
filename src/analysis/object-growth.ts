/**
 * Net object growth by resource in the lead-up: successful creates minus successful deletes, per
 * resource, API group, version and namespace. What is filling etcd. Subresource writes (pods/binding,
 * status updates) create no objects and are left out.
 */
import type { ObjectGrowth } from './incident-report.js';
import type { ActorRow } from './writers.js';

/** How many growth rows the report keeps. */
export const OBJECT_GROWTH_ROWS = 50;

/** Net growth rows, largest first (rows with no creates or deletes are left out), at most `limit`. */
export function objectGrowthFrom(
  rows: readonly ActorRow[],
  limit = Number.POSITIVE_INFINITY,
): ObjectGrowth[] {
  const byKey = new Map<string, ObjectGrowth>();
  for (const row of rows) {
    if (row.subresource !== '' || (row.creates === 0 && row.deletes === 0)) continue;
    const key = [row.resource, row.apiGroup, row.apiVersion, row.namespace].join('\u0000');
    const entry = byKey.get(key) ?? {
      resource: row.resource,
      apiGroup: row.apiGroup,
      apiVersion: row.apiVersion,
      namespace: row.namespace,
      creates: 0,
      deletes: 0,
      net: 0,
    };
    entry.creates += row.creates;
    entry.deletes += row.deletes;
    entry.net = entry.creates - entry.deletes;
    byKey.set(key, entry);
  }
  return [...byKey.values()]
    .sort(
      (a, b) =>
        b.net - a.net || a.resource.localeCompare(b.resource) || a.namespace.localeCompare(b.namespace),
    )
    .slice(0, limit);
}
