/**
 * The stored query library: `queries/*.insights` shipped with the package, found next to the code
 * whether it runs from src/ (tests), dist/ (the build) or an npm-installed copy.
 *
 * Stream restriction, decided once for all stored queries: they select audit events by the audit
 * fields they test (verb, stage, responseStatus, objectRef) and never `filter @logStream like
 * /kube-apiserver-audit/`. EKS writes the api and audit streams into one log group, but api-stream
 * lines are not audit JSON and have none of those fields, so they cannot match. A regex on
 * @logStream is not index-eligible and would make Logs Insights scan every stream; the CloudWatch
 * source instead adds `filterIndex @logStream in [...]` with the audit stream names it listed.
 * Counting: where kube-apiserver writes several stages per request, only ResponseComplete is counted
 * (`filter not ispresent(stage) or stage = "ResponseComplete"`; EKS itself drops RequestReceived).
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { quoteStringLiteral } from '../insights/index.js';
import { parseStoredQuery, type StoredQuery } from './stored-query.js';

export type { StoredQuery, StoredQueryParam } from './stored-query.js';

const EXTENSION = '.insights';
const cache = new Map<string, StoredQuery[]>();

/** The package's queries/ directory: two levels above this file in src/, three in dist/src/. */
export function defaultQueryDirectory(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const candidates = [path.resolve(here, '../../queries'), path.resolve(here, '../../../queries')];
  const found = candidates.find(
    (dir) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith(EXTENSION)),
  );
  if (found === undefined)
    throw new Error(`The stored query library was not found (looked in ${candidates.join(', ')}).`);
  return found;
}

/** Loads every `*.insights` file of a directory (default: the package's library), sorted by name. */
export function loadQueryLibrary(dir?: string): StoredQuery[] {
  const directory = dir ?? defaultQueryDirectory();
  const cached = cache.get(directory);
  if (cached !== undefined) return cached;
  let files: string[];
  try {
    files = readdirSync(directory)
      .filter((f) => f.endsWith(EXTENSION))
      .sort();
  } catch (error) {
    throw new UsageError(`Cannot read the query library ${directory}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const queries = files
    .map((file) => {
      const full = path.join(directory, file);
      return parseStoredQuery(readFileSync(full, 'utf8'), full, file.slice(0, -EXTENSION.length));
    })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  cache.set(directory, queries);
  return queries;
}

/** Looks a stored query up by name; an unknown name is a UsageError (exit 2) that lists the close ones. */
export function getStoredQuery(name: string, library: StoredQuery[] = loadQueryLibrary()): StoredQuery {
  const query = library.find((q) => q.name === name);
  if (query !== undefined) return query;
  const close = closeNames(
    name,
    library.map((q) => q.name),
  );
  throw new UsageError(`There is no stored query named "${name}".`, {
    hint:
      close.length > 0
        ? `Did you mean ${close.map((n) => `"${n}"`).join(', ')}? Run \`eks-etcd-insights queries list\` for all of them.`
        : 'Run `eks-etcd-insights queries list` to see the stored queries.',
  });
}

/**
 * Substitutes parameters into a stored query. Each value goes in only as a string literal made by
 * quoteStringLiteral, so no value can change the query's structure. Lines holding an optional
 * parameter that was not given are dropped whole; a missing required parameter or an undeclared one
 * is a UsageError. Comment lines are dropped too: they count against StartQuery's 10,000 characters.
 */
export function renderQuery(query: StoredQuery, params: Record<string, string | undefined> = {}): string {
  const given = new Map<string, string>();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) given.set(key, value);
  for (const key of given.keys()) {
    if (!query.params.some((p) => p.name === key)) {
      const accepted = query.params.map((p) => p.name);
      throw new UsageError(`The stored query ${query.name} takes no parameter "${key}".`, {
        hint: accepted.length > 0 ? `It accepts: ${accepted.join(', ')}.` : 'It takes no parameters.',
      });
    }
  }
  for (const param of query.params) {
    if (!param.optional && !given.has(param.name)) {
      throw new UsageError(`The stored query ${query.name} needs the parameter "${param.name}".`, {
        hint: `Add --param ${param.name}=VALUE.`,
      });
    }
  }
  const out: string[] = [];
  for (const line of query.template.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('#')) continue;
    let drop = false;
    // One pass over the template: a substituted value is never scanned again for placeholders.
    const rendered = line.replace(/\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}\}/g, (_, name: string) => {
      const value = given.get(name);
      if (value === undefined) {
        drop = true;
        return '';
      }
      return quoteStringLiteral(value);
    });
    if (!drop) out.push(rendered);
  }
  return out.join('\n').trim();
}

/** Names within a small edit distance of `name`, or containing it, closest first. */
export function closeNames(name: string, names: string[]): string[] {
  const scored = names
    .map((candidate) => ({ candidate, distance: editDistance(name.toLowerCase(), candidate.toLowerCase()) }))
    .filter(
      ({ candidate, distance }) =>
        distance <= Math.max(2, Math.floor(name.length / 3)) ||
        (name.length >= 3 && candidate.includes(name.toLowerCase())),
    )
    .sort((a, b) => a.distance - b.distance || a.candidate.localeCompare(b.candidate));
  return scored.slice(0, 5).map((s) => s.candidate);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current[j] = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
    }
    previous = current;
  }
  return previous[b.length] ?? 0;
}
