/**
 * Property tests: for any string (weighted towards the characters that matter: markup, pipes, quotes,
 * formula starts, escapes, C1 and bidi controls), each escaper's output stays inside its context.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeCsvField } from '../../src/report/escape-csv.js';
import { escapeHtml } from '../../src/report/escape-html.js';
import {
  escapeMarkdownCell,
  escapeMarkdownText,
  markdownCodeBlock,
} from '../../src/report/escape-markdown.js';
import { sanitizeForTerminal } from '../../src/report/terminal-text.js';
import { FORBIDDEN_CONTROL, parseCsv, splitMarkdown, tableCells } from './parse-helpers.js';

const special = fc.constantFrom(
  '<',
  '>',
  '&',
  '"',
  "'",
  '`',
  '```',
  '|',
  '\\',
  '[',
  ']',
  '(',
  ')',
  '*',
  '_',
  '~',
  '$',
  '@',
  '=',
  '+',
  '-',
  '#',
  '\n',
  '\r',
  '\t',
  '\u0000',
  '\u0007',
  '\u001b',
  '\u001b[31m',
  '\u001b]0;x\u0007',
  '\u009b',
  '\u009c',
  '\u0085',
  '\u202e',
  '\u2066',
  '\u2028',
  'script',
  'on',
  ' ',
  '\uff1d',
  '😀',
  '\ud800',
);
const hostileString = fc
  .array(fc.oneof(special, fc.string({ unit: 'binary', maxLength: 4 })), { maxLength: 30 })
  .map((parts) => parts.join(''));
const runs = { numRuns: 2000 };

describe('escapers keep any input inside its context', () => {
  it('sanitizeForTerminal leaves no escape, C0 (but tab/LF), C1 or bidi control', () => {
    fc.assert(
      fc.property(hostileString, (s) => !FORBIDDEN_CONTROL.test(sanitizeForTerminal(s))),
      runs,
    );
  });

  it('escapeHtml leaves no markup character', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const out = escapeHtml(s);
        return !/[<>"']/.test(out) && !/&(?!(amp|lt|gt|quot|#39);)/.test(out) && !FORBIDDEN_CONTROL.test(out);
      }),
      runs,
    );
  });

  it('escapeMarkdownCell is exactly one table cell with no raw HTML or unescaped markup', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const cell = escapeMarkdownCell(s);
        expect(tableCells(`| ${cell} |`)).toHaveLength(1);
        expect(cell).not.toContain('\n');
        expect(cell.replace(/<br>/g, '')).not.toMatch(/[<>]/);
        expect(cell).not.toMatch(/(?<!\\)(?:\\\\)*[`*_[\]~$@|]/);
      }),
      runs,
    );
  });

  it('escapeMarkdownText is one line without unescaped markup', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const text = escapeMarkdownText(s);
        return !text.includes('\n') && !/[<>]/.test(text) && !/(?<!\\)(?:\\\\)*[`[\]]/.test(text);
      }),
      runs,
    );
  });

  it('markdownCodeBlock is one block holding the sanitised content', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const { blocks, outside } = splitMarkdown(`a\n${markdownCodeBlock(s, 'text')}\nb`);
        expect(outside.map((o) => o.line)).toEqual(['a', 'b']);
        expect(blocks).toHaveLength(1);
        expect(blocks[0]?.content).toBe(sanitizeForTerminal(s).replace(/\n+$/, ''));
      }),
      runs,
    );
  });

  it('escapeCsvField is one field that does not start a formula', () => {
    fc.assert(
      fc.property(hostileString, (s) => {
        const records = parseCsv(`${escapeCsvField(s)},end\r\n`);
        expect(records).toHaveLength(1);
        expect(records[0]).toHaveLength(2);
        expect(records[0]?.[0]).not.toMatch(/^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/);
      }),
      runs,
    );
  });
});
