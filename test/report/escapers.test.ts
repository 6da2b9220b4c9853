import { describe, expect, it } from 'vitest';
import { csvRecord, escapeCsvField } from '../../src/report/escape-csv.js';
import { escapeHtml, escapeHtmlAttribute } from '../../src/report/escape-html.js';
import {
  escapeMarkdownCell,
  escapeMarkdownText,
  markdownCodeBlock,
  markdownLink,
} from '../../src/report/escape-markdown.js';
import { sanitizeForTerminal } from '../../src/report/terminal-text.js';
import { parseCsv, splitMarkdown, tableCells } from './parse-helpers.js';

describe('sanitizeForTerminal', () => {
  it('removes CSI, OSC (BEL, ESC \\ and 8-bit ST terminated) and C1 controls', () => {
    expect(sanitizeForTerminal('a\u001b[31mred\u001b[0mb')).toBe('aredb');
    expect(sanitizeForTerminal('\u001b]0;pwned\u0007title')).toBe('title');
    expect(sanitizeForTerminal('\u001b]8;;https://evil\u001b\\link\u001b]8;;\u001b\\')).toBe('link');
    expect(sanitizeForTerminal('\u001b]0;pwned\u009crest')).toBe('rest');
    expect(sanitizeForTerminal('x\u009b31my\u0085z')).toBe('x31myz');
  });

  it('keeps newlines and tabs, drops CR, makes other controls and bidi overrides visible', () => {
    expect(sanitizeForTerminal('a\tb\r\nc')).toBe('a\tb\nc');
    expect(sanitizeForTerminal('nul\u0000bel\u0007')).toBe('nul\uFFFDbel\uFFFD');
    expect(sanitizeForTerminal('user\u202egnp.exe')).toBe('user\uFFFDgnp.exe');
    expect(sanitizeForTerminal('\u2066x\u2069\u200f')).toBe('\uFFFDx\uFFFD\uFFFD');
  });

  it('leaves ordinary text, including non-Latin scripts, alone', () => {
    const text = 'system:serviceaccount:kyverno:kyverno — Łódź 東京 עברית';
    expect(sanitizeForTerminal(text)).toBe(text);
  });
});

describe('escapeHtml', () => {
  it('escapes the five HTML specials for text and quoted attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&amp;</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;amp;&lt;/a&gt;',
    );
  });
  it('removes control characters and bidi overrides', () => {
    expect(escapeHtml('a\u0000b\u001b[1mc\u202e')).toBe('a\uFFFDbc\uFFFD');
  });
  it('keeps attributes on one line', () => {
    expect(escapeHtmlAttribute('a\nb\tc')).toBe('a b c');
  });
});

describe('escapeMarkdownText and escapeMarkdownCell', () => {
  it('neutralises inline markup, raw HTML and entities', () => {
    expect(escapeMarkdownText('[x](javascript:alert(1)) *b* _i_ `c` ~s~ $m$ @u')).toBe(
      '\\[x\\](javascript:alert(1)) \\*b\\* \\_i\\_ \\`c\\` \\~s\\~ \\$m\\$ \\@u',
    );
    expect(escapeMarkdownText('<script>&lt;')).toBe('&lt;script&gt;&amp;lt;');
  });
  it('puts text on one line in paragraphs so no block can start', () => {
    expect(escapeMarkdownText('a\n# heading\n- item')).toBe('a # heading - item');
  });
  it('escapes pipes and keeps line breaks as <br> in table cells', () => {
    const cell = escapeMarkdownCell('a|b\nc\r\nd');
    expect(cell).toBe('a\\|b<br>c<br>d');
    expect(tableCells(`| ${cell} | x |`)).toHaveLength(2);
  });
  it('escapes a backslash before a pipe so the pipe stays escaped', () => {
    const cell = escapeMarkdownCell('a\\|b');
    expect(cell).toBe('a\\\\\\|b');
    expect(tableCells(`| ${cell} |`)).toHaveLength(1);
  });
});

describe('markdownCodeBlock', () => {
  it('uses a fence longer than any backtick run inside', () => {
    const content = 'echo ```\n````\n```\n# not a heading';
    const block = markdownCodeBlock(content, 'sh');
    expect(block.startsWith('`````sh\n')).toBe(true);
    const { blocks, outside } = splitMarkdown(`before\n${block}\nafter`);
    expect(blocks).toEqual([{ info: 'sh', content, startLine: 1 }]);
    expect(outside.map((o) => o.line)).toEqual(['before', 'after']);
  });
  it('uses three backticks when the content has none', () => {
    expect(markdownCodeBlock('ls', 'sh')).toBe('```sh\nls\n```');
  });
});

describe('markdownLink', () => {
  it('escapes parentheses and percent-encodes pipes and spaces in the destination', () => {
    expect(markdownLink('console', 'https://x.example/#a~(b~c)|d e')).toBe(
      '[console](https://x.example/#a~\\(b~c\\)%7Cd%20e)',
    );
  });
  it('escapes the label', () => {
    expect(markdownLink('a]b', 'https://x.example/')).toBe('[a\\]b](https://x.example/)');
  });
});

describe('escapeCsvField', () => {
  it.each(["=cmd|' /C calc'!A0", '+1', '-1', '@SUM(1)', '\t=1', '\uff1d1'])(
    'neutralises formula start %j',
    (value) => {
      const field = escapeCsvField(value);
      const [[parsed] = []] = parseCsv(`${field}\r\n`);
      expect(parsed?.startsWith("'")).toBe(true);
    },
  );
  it('neutralises a CR-leading cell after dropping the CR', () => {
    expect(escapeCsvField('\r=1+1')).toBe("'=1+1");
  });
  it('quotes fields with comma, quote or line break and doubles quotes', () => {
    expect(escapeCsvField('a,b')).toBe('"a,b"');
    expect(escapeCsvField('say "hi"')).toBe('"say ""hi"""');
    expect(escapeCsvField('a\nb')).toBe('"a\nb"');
    expect(escapeCsvField('plain')).toBe('plain');
  });
  it('writes CRLF records that parse back to the same fields', () => {
    const fields = ['x,y', 'q"q', 'l1\nl2', 'ok'];
    expect(parseCsv(csvRecord(fields))).toEqual([fields]);
  });
});
