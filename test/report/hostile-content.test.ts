/* eslint-disable no-control-regex -- these tests look for control characters on purpose. */
/**
 * Every string from logs is attacker-controlled (issue 6, "Hostile log content"). The hostile fixture puts
 * injection payloads in every such field; each format must neutralise them all.
 */
import { describe, expect, it } from 'vitest';
import { renderIncident } from '../../src/report/render-incident.js';
import { displayWidth } from '../../src/report/incident-terminal-table.js';
import { sanitizeForTerminal } from '../../src/report/terminal-text.js';
import { hostileReport, PAYLOADS } from './hostile-fixture.js';
import {
  FORBIDDEN_CONTROL,
  htmlTags,
  markdownTables,
  parseCsv,
  splitMarkdown,
  tableCells,
} from './parse-helpers.js';

const report = hostileReport();
const options = { color: false, width: 100 };
const FORMULA_START = /^[=+\-@\t\r\uff1d\uff0b\uff0d\uff20]/;

describe('hostile content: terminal', () => {
  for (const color of [false, true]) {
    it(`prints no escape, C1, NUL or bidi control (color: ${color})`, () => {
      const text = renderIncident(report, 'terminal', { color, width: 100 });
      const withoutOurColour = color ? text.replace(/\u001b\[[0-9;]*m/g, '') : text;
      if (color) expect(text).toContain('\u001b[1;31m');
      expect(withoutOurColour).not.toMatch(FORBIDDEN_CONTROL);
      expect(text).not.toContain('pwned');
      expect(text).not.toContain('8;;');
      expect(text).not.toContain('\r');
    });
  }

  it('keeps every timeline line within the width', () => {
    const lines = renderIncident(report, 'terminal', options).split('\n');
    const start = lines.indexOf('Timeline (UTC)');
    const end = lines.indexOf('', start + 1);
    const rows = lines.slice(start + 1, end);
    expect(rows.length).toBeGreaterThanOrEqual(report.timeline.length);
    expect(rows.every((l) => l.startsWith('  '))).toBe(true);
    for (const row of rows) expect(displayWidth(row)).toBeLessThanOrEqual(100);
  });
});

describe('hostile content: json', () => {
  it('parses back to the same report and holds no raw control or bidi character', () => {
    const text = renderIncident(report, 'json', options);
    expect(JSON.parse(text)).toEqual(report);
    expect(text).not.toMatch(FORBIDDEN_CONTROL);
    expect(text).not.toMatch(/[\u2028\u2029]/);
  });
});

describe('hostile content: markdown', () => {
  const text = renderIncident(report, 'markdown', options);
  const { blocks, outside } = splitMarkdown(text);
  const prose = outside.map((o) => o.line);

  it('keeps every fenced block closed by its own fence, with the content intact', () => {
    expect(blocks.map((b) => b.info)).toEqual(['sh', 'text', 'mermaid', ...report.queries.map(() => 'text')]);
    expect(blocks[0]?.content).toBe(sanitizeForTerminal(report.remediation?.commands.join('\n') ?? ''));
    report.queries.forEach((q, i) =>
      expect(blocks[3 + i]?.content).toBe(sanitizeForTerminal(q.queryString).replace(/\n+$/, '')),
    );
  });

  it('keeps the Mermaid chart free of log text', () => {
    expect(blocks[2]?.content).toMatch(/^[\w\s"(),:.\-[\]>,]+$/);
  });

  it('gives every table row the header column count', () => {
    const tables = markdownTables(outside);
    expect(tables.length).toBeGreaterThanOrEqual(5);
    expect(tables[0]).toHaveLength(report.timeline.length + 2);
    expect(tables[1]).toHaveLength(report.topWriters.length + 2);
    for (const table of tables) {
      const columns = tableCells(table[0] ?? '').length;
      for (const row of table) expect(tableCells(row), row.slice(0, 120)).toHaveLength(columns);
    }
  });

  it('starts no block from log text: headings and quotes are only ours', () => {
    const ours =
      /^(## etcd incident: |### (Summary|Timeline \(UTC\)|Top writers|Object growth|etcd strain|Database size|Remediation|Write rate and failures|Queries used|Warnings and notes)|#### Query \d+: )/;
    for (const line of prose.filter((l) => l.startsWith('#'))) expect(line).toMatch(ours);
    for (const line of prose.filter((l) => l.startsWith('>')))
      expect(line).toMatch(/^> \*\*(Warning|Incomplete):\*\* /);
  });

  it('leaves no raw HTML, unescaped markup or non-https link outside code blocks', () => {
    const joined = prose.join('\n');
    expect(joined.replace(/<br>/g, '')).not.toContain('<');
    expect(joined).not.toMatch(/(?<!\\)`/);
    const destinations = [...joined.matchAll(/(?<!\\)\]\(([^)\s]*)/g)].map((m) => m[1] ?? '');
    expect(destinations.length).toBeGreaterThan(0);
    for (const d of destinations) expect(d).toMatch(/^https:\/\//);
    const labels = [...joined.matchAll(/(?<!\\)\[([^\]]*)\]/g)].map((m) => m[1]);
    for (const label of labels) expect(['console', 'Open in CloudWatch Logs Insights']).toContain(label);
    expect(text).not.toMatch(FORBIDDEN_CONTROL);
  });
});

describe('hostile content: html', () => {
  const html = renderIncident(report, 'html', options);
  const tags = htmlTags(html);
  const allowed = new Set([
    'html',
    'head',
    'meta',
    'title',
    'style',
    'body',
    'main',
    'header',
    'footer',
    'h1',
    'h2',
    'h3',
    'p',
    'strong',
    'section',
    'dl',
    'dt',
    'dd',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
    'a',
    'pre',
    'code',
    'ul',
    'li',
    'figure',
    'figcaption',
    'svg',
    'desc',
    'rect',
    'line',
    'text',
    'path',
    'g',
  ]);

  it('contains only our own tags: no script, no event handler, no style attribute', () => {
    for (const tag of tags) {
      expect(allowed.has(tag.name), tag.name).toBe(true);
      for (const attribute of tag.attributes) {
        expect(attribute.name.startsWith('on'), attribute.name).toBe(false);
        expect(attribute.name).not.toBe('style');
        expect(attribute.value.trim().toLowerCase().startsWith('javascript:')).toBe(false);
      }
    }
    expect(tags.filter((t) => t.name === 'style')).toHaveLength(2);
    expect(tags.filter((t) => t.name === 'title')).toHaveLength(4);
    expect(tags.filter((t) => t.name === 'svg')).toHaveLength(2);
  });

  it('links only to https console URLs', () => {
    const hrefs = tags.flatMap((t) => t.attributes.filter((a) => a.name === 'href').map((a) => a.value));
    expect(hrefs.length).toBeGreaterThan(0);
    for (const href of hrefs) expect(href).toMatch(/^https:\/\/us-east-1\.console\.aws\.amazon\.com\//);
  });

  it('shows the payloads as text', () => {
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
    expect(html).toContain('&amp;lt;script&amp;gt;entity');
    expect(html).not.toMatch(FORBIDDEN_CONTROL);
    expect(html).not.toContain('pwned');
  });
});

describe('hostile content: csv', () => {
  const text = renderIncident(report, 'csv', options);
  const records = parseCsv(text);

  it('parses back to six fields per record, one record per event', () => {
    expect(records).toHaveLength(report.timeline.length + 1);
    for (const record of records) expect(record).toHaveLength(6);
  });

  it('starts no cell with a formula character', () => {
    for (const record of records)
      for (const cell of record)
        expect(FORMULA_START.test(cell), JSON.stringify(cell.slice(0, 20))).toBe(false);
  });

  it('keeps the text otherwise intact, and only http(s) URLs', () => {
    report.timeline.forEach((event, i) => {
      const title = records[i + 1]?.[2] ?? '';
      const expected = sanitizeForTerminal(event.title);
      expect(title === expected || title === `'${expected}`).toBe(true);
      const url = records[i + 1]?.[5] ?? '';
      expect(url === '' || url.startsWith('https://')).toBe(true);
    });
    expect(text.replace(/\r\n/g, '')).not.toMatch(FORBIDDEN_CONTROL);
  });
});

it('the fixture really is hostile: every payload appears in it', () => {
  const json = JSON.stringify(report);
  for (const payload of PAYLOADS) expect(json).toContain(JSON.stringify(payload).slice(1, -1));
});
