/* eslint-disable no-control-regex -- these tests look for control characters on purpose. */
import { describe, expect, it } from 'vitest';
import type { QueryRecord, TimelineEvent, TopWriter } from '../../src/analysis/incident-report.js';
import { INCIDENT_CSV_COLUMNS } from '../../src/report/incident-csv.js';
import { INCIDENT_HTML_CSP } from '../../src/report/incident-html-document.js';
import { displayWidth } from '../../src/report/incident-terminal-table.js';
import { renderIncident } from '../../src/report/render-incident.js';
import { emptyReport, kyvernoFloodReport, noFailureReport } from './fixtures.js';
import { htmlTags, markdownTables, parseCsv, splitMarkdown, tableCells } from './parse-helpers.js';

const plain = { color: false, width: 100 };

describe('json', () => {
  it('is the report itself, schemaVersion first, 2-space indent, trailing newline', () => {
    const report = kyvernoFloodReport();
    const text = renderIncident(report, 'json', plain);
    expect(text.startsWith('{\n  "schemaVersion": 1,\n')).toBe(true);
    expect(text.endsWith('}\n')).toBe(true);
    expect(JSON.parse(text)).toEqual(report);
  });
});

describe('terminal', () => {
  const report = kyvernoFloodReport();
  const text = renderIncident(report, 'terminal', plain);
  const lines = text.split('\n');

  it('opens with the verdict and has every section', () => {
    expect(lines[0]).toBe(`FAILING: ${report.verdict}`);
    for (const heading of [
      'Summary',
      'Timeline (UTC)',
      'Top writers (lead-up',
      'Object growth',
      'etcd strain',
      'Database size',
      'Remediation:',
      'Chart',
      'Cost',
    ]) {
      expect(lines.some((l) => l.startsWith(heading))).toBe(true);
    }
  });

  it('says since when audit logs exist', () => {
    expect(lines).toContain(
      '  Audit logs    enabled since 2024-05-02 09:14:00.000 UTC; events from 2024-05-02 09:15:12.004 to 2024-06-14 05:59:58.771 UTC',
    );
    expect(renderIncident(report, 'markdown', plain)).toContain(
      '- **Audit logs:** enabled since 2024-05-02 09:14:00.000 UTC;',
    );
    expect(renderIncident(report, 'html', plain)).toContain(
      '<dt>Audit logs</dt><dd>enabled since 2024-05-02 09:14:00.000 UTC;',
    );
  });

  it('lists every timeline event in UTC and every top writer', () => {
    const start = lines.indexOf('Timeline (UTC)');
    const rows = lines.slice(start + 1, lines.indexOf('', start + 1)).filter((l) => /^ {2}\d{4}-/.test(l));
    expect(rows.map((r) => r.slice(2, 25))).toEqual(
      report.timeline.map((e) => e.timestamp.replace('T', ' ').replace('Z', '')),
    );
    const writers = lines.findIndex((l) => l.startsWith('Top writers'));
    expect(lines[writers + 2]).toMatch(/^ {2}1 {2}system:servi.*1,204,311 {2}91\.2% {5}new$/);
    expect(lines[writers + 2 + report.topWriters.length]).toBe('');
  });

  it('fits tables and the chart within the width, truncating with an ellipsis', () => {
    const tableLines = lines.filter((l) => /^ {2}\d+ {2}system:/.test(l) || /^ {2}20\d\d-/.test(l));
    expect(tableLines.length).toBeGreaterThan(5);
    for (const line of tableLines) expect(displayWidth(line)).toBeLessThanOrEqual(100);
    expect(tableLines.some((l) => l.includes('…'))).toBe(true);
    const narrow = renderIncident(report, 'terminal', { color: false, width: 60 }).split('\n');
    const chart = narrow.slice(narrow.indexOf('Chart'), narrow.indexOf('Cost') - 1);
    for (const line of chart) expect(displayWidth(line)).toBeLessThanOrEqual(60);
  });

  it('prints the remediation commands whole, and the etcd key prefix', () => {
    for (const command of report.remediation?.commands ?? []) expect(lines).toContain(`    ${command}`);
    expect(text).toContain(
      'etcd key prefix for AWS Support: /registry/reports.kyverno.io/ephemeralreports/trading',
    );
  });

  it('uses colour only when asked', () => {
    expect(text).not.toContain('\u001b');
    const coloured = renderIncident(report, 'terminal', { color: true, width: 100 });
    expect(coloured.startsWith('\u001b[1;31mFAILING:')).toBe(true);
    expect(coloured.replace(/\u001b\[[0-9;]*m/g, '')).toBe(text);
  });

  it('says when nothing failed, and when the report is incomplete', () => {
    const ok = renderIncident(noFailureReport(), 'terminal', plain);
    expect(ok.split('\n')[0]).toMatch(/^WARNING: No etcd space failure/);
    expect(renderIncident(emptyReport(), 'terminal', plain).split('\n')[0]).toBe(
      'No audit events in the window.',
    );
    expect(ok).toContain('First failure none in the window');
    expect(ok).toContain('3 malformed input lines skipped');
    const empty = renderIncident(emptyReport(), 'terminal', plain);
    expect(empty).toContain('Incomplete: this report holds what was found');
    expect(empty).toContain('No write or failure data to chart.');
    expect(empty).toContain('! Interrupted (SIGINT)');
  });
});

describe('markdown', () => {
  const report = kyvernoFloodReport();
  const text = renderIncident(report, 'markdown', plain);
  const { blocks, outside } = splitMarkdown(text);
  const tables = markdownTables(outside);

  it('has the postmortem sections', () => {
    const headings = outside.filter((o) => o.line.startsWith('#')).map((o) => o.line);
    expect(headings.slice(0, 9)).toEqual([
      '## etcd incident: cluster prod-trading',
      '### Summary',
      '### Timeline (UTC)',
      '### Top writers (lead-up 2024-06-13 18:40:00.000 to 2024-06-14 03:12:44.318 UTC)',
      '### Object growth (creates minus deletes)',
      '### etcd strain',
      '### Database size',
      '### Remediation',
      '### Write rate and failures',
    ]);
    expect(headings).toContain('#### Query 2: top-writers-by-user');
  });

  it('writes tables with the right row and column counts', () => {
    const [timeline, writers, growth] = tables;
    expect(timeline).toHaveLength(report.timeline.length + 2);
    expect(writers).toHaveLength(report.topWriters.length + 2);
    expect(growth).toHaveLength(report.objectGrowth.length + 2);
    for (const table of tables) {
      const columns = tableCells(table[0] ?? '').length;
      for (const row of table) expect(tableCells(row)).toHaveLength(columns);
    }
    expect(tableCells(writers?.[2] ?? '')).toEqual([
      '1',
      'system:serviceaccount:kyverno:kyverno-admission-controller',
      'kyverno/v1.11.1 (linux/amd64) kubernetes/\\$Format',
      'ephemeralreports.reports.kyverno.io',
      'trading',
      '1,204,311',
      '91.2%',
      'new',
    ]);
  });

  it('links evidence and queries to the console', () => {
    expect(tableCells(tables[0]?.[3] ?? '')[3]).toMatch(
      /^write-volume-over-time \[console\]\(https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/home\?region=us-east-1#logsV2:logs-insights\$3FqueryDetail\$3D~\\\(end/,
    );
    expect(text.match(/\[Open in CloudWatch Logs Insights\]\(https:/g)).toHaveLength(2);
  });

  it('puts commands, the key prefix, the chart and the queries in fenced blocks', () => {
    expect(blocks.map((b) => b.info)).toEqual(['sh', 'text', 'mermaid', 'text', 'text']);
    expect(blocks[0]?.content).toBe(report.remediation?.commands.join('\n'));
    expect(blocks[1]?.content).toBe(report.remediation?.etcdKeyPrefix);
    expect(blocks[2]?.content.startsWith('xychart-beta\n')).toBe(true);
    expect(blocks[4]?.content).toBe(report.queries[1]?.queryString);
  });

  it('escapes the dollar signs of the cost line (GitHub renders $...$ as math)', () => {
    expect(text).toMatch(/_Cost: 4\.5 GiB scanned, about \\\$0\.0225 at \\\$0\.0050 per GB\._\n$/);
  });

  it('handles a report with no data', () => {
    const empty = renderIncident(emptyReport(), 'markdown', plain);
    expect(empty).toContain('> **Incomplete:**');
    expect(empty).toContain('No events.');
    expect(empty).toContain('No write or failure data to chart.');
    expect(splitMarkdown(empty).blocks).toEqual([]);
  });
});

describe('html', () => {
  const report = kyvernoFloodReport();
  const html = renderIncident(report, 'html', plain);
  const tags = htmlTags(html);

  it('is one document with a CSP that allows no script and nothing external', () => {
    expect(
      html.startsWith(
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n<meta http-equiv="Content-Security-Policy"',
      ),
    ).toBe(true);
    expect(INCIDENT_HTML_CSP).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*'; img-src data:; base-uri 'none'; form-action 'none'$/,
    );
    expect(tags.filter((t) => t.name === 'script')).toEqual([]);
    expect(tags.filter((t) => t.name === 'link' || t.name === 'img' || t.name === 'iframe')).toEqual([]);
    expect(html).not.toMatch(/@import|url\(/);
  });

  it('names the exact stylesheet in the CSP hash', async () => {
    const { createHash } = await import('node:crypto');
    const css = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    expect(INCIDENT_HTML_CSP).toContain(`'sha256-${createHash('sha256').update(css).digest('base64')}'`);
  });

  it('links only to http(s) with no referrer', () => {
    const links = tags.filter((t) => t.name === 'a' && !t.closing);
    expect(links.length).toBe(
      report.timeline.filter((e) => e.evidence?.consoleUrl !== undefined).length + report.queries.length,
    );
    for (const a of links) {
      expect(a.attributes.find((x) => x.name === 'href')?.value).toMatch(/^https:\/\//);
      expect(a.attributes.find((x) => x.name === 'rel')?.value).toBe('noreferrer noopener');
    }
  });

  it('has the sections, tables with the right row counts and the SVG chart', () => {
    for (const id of [
      'summary',
      'timeline',
      'chart',
      'top-writers',
      'object-growth',
      'strain',
      'database-size',
      'remediation',
      'queries',
    ]) {
      expect(html).toContain(`<section id="${id}">`);
    }
    const section = (id: string): string =>
      html.slice(
        html.indexOf(`<section id="${id}">`),
        html.indexOf('</section>', html.indexOf(`<section id="${id}">`)),
      );
    expect(section('timeline').match(/<tr>/g)).toHaveLength(report.timeline.length + 1);
    expect(section('top-writers').match(/<tr>/g)).toHaveLength(report.topWriters.length + 1);
    expect(section('chart')).toMatch(/<svg [^>]*role="img"/);
    expect(html).toContain('<p class="verdict failing">');
    expect(html).toContain('@media print');
  });

  it('renders the no-failure and empty reports', () => {
    expect(renderIncident(noFailureReport(), 'html', plain)).toContain('<p class="verdict flood">');
    const empty = renderIncident(emptyReport(), 'html', plain);
    expect(empty).toContain('No write or failure data to chart.');
    expect(empty).toContain('<p class="incomplete">');
    expect(() => htmlTags(empty)).not.toThrow();
  });
});

describe('csv', () => {
  it('writes the timeline rows under the fixed header', () => {
    const report = kyvernoFloodReport();
    const records = parseCsv(renderIncident(report, 'csv', plain));
    expect(records[0]).toEqual([...INCIDENT_CSV_COLUMNS]);
    expect(records).toHaveLength(report.timeline.length + 1);
    expect(records[1]).toEqual([
      '2024-05-02T09:14:00.000Z',
      'logging-enabled',
      'Audit logging enabled',
      'EKS update 3f1c...',
      '',
      '',
    ]);
    expect(records[3]?.[4]).toBe('write-volume-over-time');
    expect(records[3]?.[5]).toBe(report.timeline[2]?.evidence?.consoleUrl);
  });

  it('is only the header for a report without events', () => {
    expect(renderIncident(emptyReport(), 'csv', plain)).toBe(
      'timestamp,kind,title,detail,evidence_query,evidence_url\r\n',
    );
  });
});

describe('remediation spread over several namespaces', () => {
  const base = kyvernoFloodReport();
  const report = {
    ...base,
    remediation: base.remediation && {
      ...base.remediation,
      namespace: '*',
      etcdKeyPrefix: '/registry/reports.kyverno.io/ephemeralreports/',
      etcdKeyPrefixes: [
        '/registry/reports.kyverno.io/ephemeralreports/trading/',
        '/registry/reports.kyverno.io/ephemeralreports/risk/',
      ],
      namespaces: [
        { namespace: 'trading', net: 900_000 },
        { namespace: 'risk', net: 303_199 },
      ],
    },
  };

  it('lists every key prefix and the growth per namespace in each format', () => {
    const terminal = renderIncident(report, 'terminal', plain);
    expect(terminal).toContain('Remediation: ephemeralreports.reports.kyverno.io in several namespaces');
    expect(terminal).toContain(
      '  etcd key prefixes for AWS Support:\n    /registry/reports.kyverno.io/ephemeralreports/trading/\n    /registry/reports.kyverno.io/ephemeralreports/risk/\n',
    );
    expect(terminal).toMatch(/Net growth by namespace:\n.*\n {2}trading +900,000\n {2}risk +303,199\n/);
    const markdown = renderIncident(report, 'markdown', plain);
    expect(splitMarkdown(markdown).blocks[1]?.content).toBe(report.remediation?.etcdKeyPrefixes.join('\n'));
    expect(markdown).toContain('| trading | 900,000 |');
    const html = renderIncident(report, 'html', plain);
    expect(html).toContain(
      '<pre><code>/registry/reports.kyverno.io/ephemeralreports/trading/\n/registry/reports.kyverno.io/ephemeralreports/risk/</code></pre>',
    );
    expect(html).toContain('<td>risk</td><td class="num">303,199</td>');
  });

  it('falls back to the single prefix when no list is given', () => {
    const markdown = renderIncident(kyvernoFloodReport(), 'markdown', plain);
    expect(markdown).toContain('etcd key prefix to give AWS Support:');
    expect(markdown).not.toContain('Net objects');
  });
});

describe('long lists on a terminal', () => {
  it('shows the head of the object growth and says how many more there are', () => {
    const base = kyvernoFloodReport();
    const objectGrowth = Array.from({ length: 20 }, (_, i) => ({
      resource: 'configmaps',
      apiGroup: '',
      apiVersion: 'v1',
      namespace: `team-${i}`,
      creates: 100 - i,
      deletes: 0,
      net: 100 - i,
    }));
    const lines = renderIncident({ ...base, objectGrowth }, 'terminal', plain).split('\n');
    const start = lines.findIndex((l) => l.startsWith('Object growth'));
    expect(lines.slice(start + 2, start + 17).every((l) => l.includes('configmaps'))).toBe(true);
    expect(lines[start + 17]).toBe('  … and 5 more (see --format json)');
    expect(renderIncident({ ...base, objectGrowth }, 'markdown', plain)).toContain(
      '| configmaps | v1 | team-19 |',
    );
  });
});

describe('very long values', () => {
  it('are clipped with a count in HTML and Markdown, and kept whole in JSON', () => {
    const base = kyvernoFloodReport();
    const user = `${'u'.repeat(2500)}😀${'v'.repeat(10)}`;
    const report = { ...base, topWriters: [{ ...(base.topWriters[0] as TopWriter), user }] };
    const clipped = `${'u'.repeat(2000)}… [512 more characters; see --format json]`;
    expect(renderIncident(report, 'html', plain)).toContain(`<td>${clipped}</td>`);
    expect(renderIncident(report, 'markdown', plain)).toContain(
      `| 1 | ${clipped.replace('[', '\\[').replace(']', '\\]')} |`,
    );
    expect(renderIncident(report, 'json', plain)).toContain(user);
  });
});

describe('long console links', () => {
  it('are never clipped, in HTML, Markdown or CSV', () => {
    const base = kyvernoFloodReport();
    const url = `https://us-east-1.console.aws.amazon.com/cloudwatch/home?region=us-east-1#logsV2:logs-insights$3FqueryDetail$3D~(editorString~'${'x'.repeat(5000)})`;
    const report = {
      ...base,
      timeline: [{ ...(base.timeline[1] as TimelineEvent), evidence: { query: 'q', consoleUrl: url } }],
      queries: [{ ...(base.queries[0] as QueryRecord), consoleUrl: url }],
    };
    expect(renderIncident(report, 'html', plain).split(`href="${url.replace(/'/g, '&#39;')}"`)).toHaveLength(
      3,
    );
    expect(renderIncident(report, 'markdown', plain).split(url.replace(/[()]/g, '\\$&'))).toHaveLength(3);
    expect(parseCsv(renderIncident(report, 'csv', plain))[1]?.[5]).toBe(url);
  });
});
