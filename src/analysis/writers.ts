/**
 * Top writers in the lead-up window: by user, user agent, resource (with API group) and namespace,
 * each with its count, its share of all writes in the lead-up, and its growth against the baseline
 * before the lead-up (writes per hour in the lead-up / writes per hour in the baseline).
 *
 * The combined top-writer rows are per user (a writer is a principal): the user's writes and share,
 * with the user agent, resource and namespace it wrote most. An operator flooding one resource in
 * many namespaces is then one writer, not fifty small ones.
 */
import type { QueryOutcome } from '../sources/source.js';
import type { TopWriter, WriterRanking } from './incident-report.js';
import { numberValue, parseResultTime, textValue } from './row-values.js';
import { binFieldOf } from './write-volume.js';

/** Stored queries behind the actor rows. */
export const ACTORS_QUERY = 'incident-actors';
export const ACTORS_BY_BIN_QUERY = 'incident-actors-by-bin';

/** One group of the `incident-actors` query. */
export interface ActorRow {
  /** Bin start for binned rows, null for a whole-window row. */
  binStartMs: number | null;
  user: string;
  userAgent: string;
  resource: string;
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  subresource: string;
  writes: number;
  creates: number;
  deletes: number;
  serverErrors: number;
  throttled: number;
}

/** Actor rows from an `incident-actors` or `incident-actors-by-bin` outcome. */
export function actorRowsFrom(outcome: QueryOutcome | undefined): ActorRow[] {
  if (outcome === undefined) return [];
  const binField = binFieldOf(outcome);
  // Rows come bin by bin (tens of thousands of them, a few hundred bins): parse each bin's text once.
  let lastText: string | undefined;
  let lastTime = Number.NaN;
  return outcome.rows.map((row) => {
    const text = binField === undefined ? undefined : row[binField];
    if (text !== lastText) {
      lastText = text;
      lastTime = parseResultTime(text);
    }
    return {
      binStartMs: Number.isNaN(lastTime) ? null : lastTime,
      user: textValue(row, 'user.username'),
      userAgent: textValue(row, 'userAgent'),
      resource: textValue(row, 'objectRef.resource'),
      apiGroup: textValue(row, 'objectRef.apiGroup'),
      apiVersion: textValue(row, 'objectRef.apiVersion'),
      namespace: textValue(row, 'objectRef.namespace'),
      subresource: textValue(row, 'objectRef.subresource'),
      writes: numberValue(row, 'writes'),
      creates: numberValue(row, 'creates'),
      deletes: numberValue(row, 'deletes'),
      serverErrors: numberValue(row, 'serverErrors'),
      throttled: numberValue(row, 'throttled'),
    };
  });
}

/** Rows whose bin lies in [startMs, endMs] (unbinned rows are kept: they were queried for a window). */
export function rowsInWindow(rows: readonly ActorRow[], startMs: number, endMs: number): ActorRow[] {
  return rows.filter((r) => r.binStartMs === null || (r.binStartMs >= startMs && r.binStartMs <= endMs));
}

function sumBy(rows: readonly ActorRow[], key: (r: ActorRow) => string): Map<string, number> {
  const totals = new Map<string, number>();
  for (const row of rows) {
    if (row.writes === 0) continue;
    const k = key(row);
    totals.set(k, (totals.get(k) ?? 0) + row.writes);
  }
  return totals;
}

/** The key with the most writes; ties go to the smaller key so the answer is deterministic. */
function topKey(totals: Map<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [key, count] of totals) {
    if (count > bestCount || (count === bestCount && key < best)) {
      best = key;
      bestCount = count;
    }
  }
  return best;
}

const SEP = '\u0000';

export interface WriterAnalysis {
  topWriters: TopWriter[];
  rankings: WriterRanking[];
  totalWrites: number;
}

/** How many entries each ranking keeps. */
export const RANKING_SIZE = 10;

/**
 * Ranks the writers of the lead-up. `baseline` holds the rows of the window before it (may be
 * empty); durations turn both into rates for the growth figure.
 */
export function analyzeWriters(
  leadUp: readonly ActorRow[],
  baseline: readonly ActorRow[],
  leadUpMs: number,
  baselineMs: number,
): WriterAnalysis {
  const totalWrites = leadUp.reduce((s, r) => s + r.writes, 0);
  const share = (n: number): number => (totalWrites === 0 ? 0 : n / totalWrites);
  const growth = (lead: number, base: number): number | null =>
    baselineMs <= 0 || base === 0 || leadUpMs <= 0 ? null : lead / leadUpMs / (base / baselineMs);

  const dimensions: { dimension: WriterRanking['dimension']; key: (r: ActorRow) => string }[] = [
    { dimension: 'user', key: (r) => r.user },
    { dimension: 'userAgent', key: (r) => r.userAgent },
    { dimension: 'resource', key: (r) => `${r.resource}${SEP}${r.apiGroup}` },
    { dimension: 'namespace', key: (r) => r.namespace },
  ];
  const rankings: WriterRanking[] = dimensions.map(({ dimension, key }) => {
    const lead = sumBy(leadUp, key);
    const base = sumBy(baseline, key);
    const entries = [...lead.entries()]
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, RANKING_SIZE)
      .map(([k, writes]) => {
        const [name = '', apiGroup = ''] = k.split(SEP);
        return {
          key: name,
          ...(dimension === 'resource' ? { apiGroup } : {}),
          writes,
          share: share(writes),
          growth: growth(writes, base.get(k) ?? 0),
        };
      });
    return { dimension, entries };
  });

  const perUser = sumBy(leadUp, (r) => r.user);
  const baselinePerUser = sumBy(baseline, (r) => r.user);
  const users = [...perUser.entries()]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, RANKING_SIZE);
  const topWriters: TopWriter[] = users.map(([user, writes]) => {
    const own = leadUp.filter((r) => r.user === user);
    const [resource = '', apiGroup = ''] = topKey(
      sumBy(own, (r) => `${r.resource}${SEP}${r.apiGroup}`),
    ).split(SEP);
    return {
      user,
      userAgent: topKey(sumBy(own, (r) => r.userAgent)),
      resource,
      apiGroup,
      namespace: topKey(sumBy(own, (r) => r.namespace)),
      writes,
      share: share(writes),
      growth: growth(writes, baselinePerUser.get(user) ?? 0),
    };
  });
  return { topWriters, rankings, totalWrites };
}

/** The first bin in which `user` wrote, from binned rows; null when the rows are not binned. */
export function firstSeenBin(rows: readonly ActorRow[], user: string): number | null {
  let first: number | null = null;
  for (const row of rows) {
    if (row.user !== user || row.writes === 0 || row.binStartMs === null) continue;
    if (first === null || row.binStartMs < first) first = row.binStartMs;
  }
  return first;
}
