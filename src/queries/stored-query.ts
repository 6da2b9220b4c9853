import { UsageError } from '../errors.js';

/** A parameter a stored query accepts, declared in its header. */
export interface StoredQueryParam {
  name: string;
  /** An optional parameter's lines are dropped when it is not given. */
  optional: boolean;
}

/** One query of the library, as read from `queries/NAME.insights`. */
export interface StoredQuery {
  name: string;
  description: string;
  /** The control-plane log types the query reads (`audit`, `api`). */
  needs: string[];
  params: StoredQueryParam[];
  version: number;
  /** Header comment lines that are not `key: value` fields: the query's documentation. */
  notes: string[];
  /** The query template: the file without its header, `{{param}}` placeholders unsubstituted. */
  template: string;
  /** The whole file, as `queries show` prints it. */
  source: string;
  file: string;
}

const HEADER_FIELD = /^#\s*([a-z]+)\s*:\s*(.*)$/;
const KNOWN_FIELDS = new Set(['name', 'description', 'needs', 'logs', 'params', 'param', 'version']);
const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9_-]*)\s*\}\}/g;
const PARAM_NAME = /^[A-Za-z][A-Za-z0-9_-]*$/;
const LOG_TYPES = new Set(['audit', 'api', 'authenticator', 'controllerManager', 'scheduler']);

/**
 * Parses a stored query file. The header is the run of `#` lines at the top:
 *
 *     # name: top-writers-by-user          (required; equals the file name)
 *     # description: one line              (required)
 *     # needs: audit                       (log types, comma-separated; `logs:` is accepted too)
 *     # params: namespace?, user?          (`?` = optional; also `# param: namespace?`, repeatable)
 *     # version: 1                         (bumped when the query's meaning changes)
 *
 * Other header comment lines are kept as notes. Placeholders `{{name}}` must be declared, and a
 * declared parameter must be used. An optional parameter must sit on a `|` continuation line of its
 * own, so that dropping the line leaves a valid query.
 */
export function parseStoredQuery(text: string, file: string, expectedName?: string): StoredQuery {
  const lines = text.replace(/\r\n/g, '\n').split('\n');
  const fail = (line: number, message: string): never => {
    throw new UsageError(`${file}:${line}: ${message}`, {
      hint: 'See the header rules in src/queries/stored-query.ts.',
    });
  };
  const fields = new Map<string, string>();
  const params: StoredQueryParam[] = [];
  const notes: string[] = [];
  let bodyStart = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] ?? '').trim();
    if (!line.startsWith('#')) {
      bodyStart = i;
      break;
    }
    const match = HEADER_FIELD.exec(line);
    const key = match?.[1];
    if (match === null || key === undefined || !KNOWN_FIELDS.has(key)) {
      const note = line.replace(/^#\s?/, '');
      if (note.trim() !== '') notes.push(note);
      continue;
    }
    const value = (match[2] ?? '').trim();
    if (key === 'params' || key === 'param') {
      for (const item of value.split(',')) {
        const trimmed = item.trim();
        if (trimmed === '') continue;
        const optional = trimmed.endsWith('?');
        const name = optional ? trimmed.slice(0, -1).trim() : trimmed;
        if (!PARAM_NAME.test(name))
          fail(i + 1, `"${trimmed}" is not a parameter name (letters, digits, - and _; ? marks it optional)`);
        if (params.some((p) => p.name === name)) fail(i + 1, `parameter "${name}" is declared twice`);
        params.push({ name, optional });
      }
      continue;
    }
    const canonical = key === 'logs' ? 'needs' : key;
    if (fields.has(canonical)) fail(i + 1, `"${key}" is given twice`);
    fields.set(canonical, value);
  }
  const name = fields.get('name');
  if (name === undefined || name === '') return fail(1, 'the header has no "# name:" line');
  if (expectedName !== undefined && name !== expectedName)
    fail(1, `the header names "${name}" but the file is ${expectedName}.insights`);
  const description = fields.get('description');
  if (description === undefined || description === '')
    return fail(1, 'the header has no "# description:" line');
  const needs = (fields.get('needs') ?? 'audit')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  for (const need of needs)
    if (!LOG_TYPES.has(need))
      fail(1, `unknown log type "${need}" in needs (use ${[...LOG_TYPES].join(', ')})`);
  const versionText = fields.get('version') ?? '1';
  const version = Number(versionText);
  if (!Number.isInteger(version) || version < 1)
    fail(1, `version "${versionText}" is not a positive whole number`);

  const bodyLines = lines.slice(bodyStart);
  const template = bodyLines.join('\n').trim();
  if (template === '') fail(bodyStart + 1, 'the file has a header but no query');
  const used = new Set<string>();
  let firstCommandLine = true;
  bodyLines.forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    for (const match of line.matchAll(PLACEHOLDER)) {
      const param = params.find((p) => p.name === match[1]);
      if (param === undefined) fail(bodyStart + index + 1, `{{${match[1]}}} is not declared in "# params:"`);
      else {
        used.add(param.name);
        if (param.optional && (firstCommandLine || !line.startsWith('|'))) {
          fail(
            bodyStart + index + 1,
            `optional {{${param.name}}} must be on a "| ..." line of its own, so that the line can be dropped`,
          );
        }
      }
    }
    firstCommandLine = false;
  });
  for (const param of params)
    if (!used.has(param.name)) fail(1, `parameter "${param.name}" is declared but never used`);
  return { name, description, needs, params, version, notes, template, source: text, file };
}
