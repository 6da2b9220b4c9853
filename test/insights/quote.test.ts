import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileQuery, quoteStringLiteral, runQuery, type LogRecord } from '../../src/insights/index.js';

const HOSTILE = [
  'default',
  '"',
  '\\',
  '\\"',
  '" | filter 1 = 1 | fields "',
  'x" or verb = "get',
  "x' or verb = 'get",
  'a\nb',
  'a\r\n| limit 1',
  '/(a+)+/',
  '`backtick`',
  '# comment',
  '"#',
  '\\\\" | stats count(*) #',
  '\u0000\u001b[31m',
  'zoë 雪 \u{1F600}',
  '',
];

// What quoteStringLiteral drops: C0 controls other than \t \n \r, and DEL.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const DROPPED = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

function record(value: string): LogRecord {
  return { timestamp: 0, message: JSON.stringify({ ns: value }), logStream: 's', log: 'l' };
}

describe('quoteStringLiteral', () => {
  it.each(HOSTILE)('keeps %j a single literal that matches exactly itself', (value) => {
    const query = `filter ns = ${quoteStringLiteral(value)} | stats count(*) as n`;
    const compiled = compileQuery(query);
    // The structure did not change: one filter, one stats.
    expect(compiled.ast.commands.map((c) => c.kind)).toEqual(['filter', 'stats']);
    const filter = compiled.ast.commands[0];
    expect(
      filter?.kind === 'filter' && filter.condition.kind === 'binary' && filter.condition.right,
    ).toMatchObject({
      kind: 'string',
      value: value.replace(DROPPED, ''),
    });
    const plain = value.replace(DROPPED, '');
    const result = runQuery(query, [record(plain), record(`${plain}x`), record('other')]);
    expect(result.rows).toEqual([{ n: '1' }]);
  });

  it('never changes the structure of a query, for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (value) => {
        const compiled = compileQuery(`filter ns = ${quoteStringLiteral(value)} | limit 1`);
        expect(compiled.ast.commands.map((c) => c.kind)).toEqual(['filter', 'limit']);
      }),
      { numRuns: 2000 },
    );
  });
});
