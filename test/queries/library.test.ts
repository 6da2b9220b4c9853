import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compileQuery, runQuery } from '../../src/insights/index.js';
import {
  defaultQueryDirectory,
  getStoredQuery,
  loadQueryLibrary,
  renderQuery,
} from '../../src/queries/library.js';
import { parseStoredQuery } from '../../src/queries/stored-query.js';

const HEADER = '# name: q\n# description: a test query for the header rules\n';

function usageError(fn: () => unknown): UsageError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return error as UsageError;
  }
  throw new Error('expected a UsageError');
}

describe('header parsing', () => {
  test('fields, params (list and repeated), notes, defaults', () => {
    const q = parseStoredQuery(
      `# name: q\n# description: d d d\n# needs: audit, api\n# params: namespace?, user\n# param: resource?\n# version: 3\n#\n# Why this query exists.\nfilter user.username = {{user}}\n| filter objectRef.namespace = {{namespace}}\n| filter objectRef.resource = {{ resource }}\n`,
      'q.insights',
      'q',
    );
    expect(q).toMatchObject({
      name: 'q',
      description: 'd d d',
      needs: ['audit', 'api'],
      version: 3,
      params: [
        { name: 'namespace', optional: true },
        { name: 'user', optional: false },
        { name: 'resource', optional: true },
      ],
      notes: ['Why this query exists.'],
    });
    expect(q.template.startsWith('filter user.username')).toBe(true);
    const minimal = parseStoredQuery(`${HEADER}# logs: audit\nfields @message`, 'q.insights');
    expect(minimal).toMatchObject({ needs: ['audit'], version: 1, params: [] });
  });

  test.each([
    ['no name', '# description: something long\nfields @message', /no "# name:"/],
    ['no description', '# name: q\nfields @message', /no "# description:"/],
    [
      'name differs from the file',
      '# name: other\n# description: something\nfields @message',
      /file is q.insights/,
    ],
    ['no query', HEADER, /no query/],
    ['undeclared placeholder', `${HEADER}filter a = {{ns}}`, /\{\{ns\}\} is not declared/],
    ['declared but unused', `${HEADER}# params: ns?\nfields @message`, /never used/],
    [
      'optional on the first line',
      `${HEADER}# params: ns?\nfilter a = {{ns}}`,
      /must be on a "\| \.\.\." line/,
    ],
    ['bad version', `${HEADER}# version: two\nfields @message`, /version "two"/],
    ['unknown log type', `${HEADER}# needs: audits\nfields @message`, /unknown log type "audits"/],
    ['bad param name', `${HEADER}# params: 9x\nfields @message`, /not a parameter name/],
  ])('%s is a clear error naming the file', (_, text, message) => {
    const error = usageError(() => parseStoredQuery(text, '/lib/q.insights', 'q'));
    expect(error.message).toMatch(message);
    expect(error.message).toContain('/lib/q.insights:');
  });
});

describe('the library', () => {
  test('is found next to the code and loads sorted by name', () => {
    expect(defaultQueryDirectory()).toBe(path.resolve(import.meta.dirname, '../../queries'));
    const names = loadQueryLibrary().map((q) => q.name);
    expect(names).toEqual([...names].sort());
  });

  test('a directory of its own can be loaded', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'eei-lib-'));
    writeFileSync(path.join(dir, 'q.insights'), `${HEADER}fields @message`);
    writeFileSync(path.join(dir, 'README.md'), 'not a query');
    expect(loadQueryLibrary(dir).map((q) => q.name)).toEqual(['q']);
  });

  test('an unknown name is a usage error (exit 2) listing close names', () => {
    const error = usageError(() => getStoredQuery('top-writer-by-user'));
    expect(error.exitCode).toBe(2);
    expect(error.message).toContain('"top-writer-by-user"');
    expect(error.hint).toContain('"top-writers-by-user"');
    const far = usageError(() => getStoredQuery('zzzzzzzzzzzzzzzzzz'));
    expect(far.hint).toMatch(/queries list/);
    expect(getStoredQuery('net-object-growth').name).toBe('net-object-growth');
  });
});

describe('parameters', () => {
  const query = getStoredQuery('top-writers-by-user');

  test('an optional parameter not given drops its whole line', () => {
    const text = renderQuery(query, {});
    expect(text).not.toContain('{{');
    expect(text).not.toContain('objectRef.namespace');
    expect(text).not.toContain('#');
    expect(renderQuery(query, { namespace: 'team-a' })).toContain('| filter objectRef.namespace = "team-a"');
  });

  test('unknown and missing parameters are usage errors', () => {
    expect(usageError(() => renderQuery(query, { verb: 'x' })).hint).toMatch(/namespace, resource/);
    const required = parseStoredQuery(
      `${HEADER}# params: user\nfilter user.username = {{user}}`,
      'q.insights',
    );
    expect(usageError(() => renderQuery(required, {})).hint).toMatch(/--param user=VALUE/);
  });

  const HOSTILE = [
    'x" | stats count(*) by @message | limit 1 | filter "a" = "a',
    'x\\" or 1 = 1 #',
    'team-a"\n| filter 1 = 1\n#',
    '{{resource}}',
    'x\\',
    '\u001b[31m"\r\n|',
    '/regex/ or verb like /.*/',
  ];

  test.each(HOSTILE)('a hostile value stays one string literal: %j', (value) => {
    const text = renderQuery(query, { namespace: value });
    const compiled = compileQuery(text);
    expect(compiled.ast.commands.map((c) => c.kind)).toEqual(
      compileQuery(renderQuery(query, { namespace: 'ok' })).ast.commands.map((c) => c.kind),
    );
    expect(text.split('\n')).toHaveLength(renderQuery(query, { namespace: 'ok' }).split('\n').length);
  });

  test('any value matches exactly itself and nothing else (property)', () => {
    const record = (ns: string) => ({
      timestamp: 0,
      message: JSON.stringify({
        verb: 'create',
        stage: 'ResponseComplete',
        user: { username: 'u' },
        objectRef: { namespace: ns },
      }),
      logStream: 'kube-apiserver-audit',
      log: 'f',
    });
    const printable = fc.string({
      unit: fc.constantFrom('a', '"', '\\', '|', '#', '{', '}', ' ', '/', '*', '(', ')', '\n', 'é'),
    });
    fc.assert(
      fc.property(printable, printable, (value, other) => {
        const text = renderQuery(query, { namespace: value });
        const result = runQuery(text, [record(value), ...(other === value ? [] : [record(other)])]);
        expect(result.rows).toEqual([{ 'user.username': 'u', writes: '1' }]);
      }),
      { numRuns: 300 },
    );
  });
});
