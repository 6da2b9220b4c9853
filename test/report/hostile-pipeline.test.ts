/**
 * Hostile log content through the whole pipeline: an audit log whose usernames, user agents, namespaces
 * and resources carry injection payloads is analysed by the built CLI in every format, and each output
 * is checked the way the fixture-based tests check the renderers.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEventLine } from '../support/audit-event-line.js';
import { runCli } from '../support/run-cli.js';
import {
  FORBIDDEN_CONTROL,
  htmlTags,
  markdownTables,
  parseCsv,
  splitMarkdown,
  tableCells,
} from './parse-helpers.js';

const USER = 'evil<script>alert(1)</script>|=cmd\u001b]0;pwned\u0007\u202eexe';
const AGENT = '"><img src=x onerror=alert(1)>`` ``` \u001b[31mred\u009b2J';
const NAMESPACE = 'ns|<b>x</b>\n## heading';
const RESOURCE = '@SUM(1)+things';

function event(
  ms: number,
  user: string,
  agent: string,
  verb: string,
  namespace: string,
  resource: string,
  failed: boolean,
): string {
  return auditEventLine({ ms, user, agent, verb, namespace, resource, failed });
}

let dir = '';
let logFile = '';

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostile-pipeline-'));
  logFile = path.join(dir, 'audit.log');
  const start = Date.parse('2024-06-14T00:00:00.000Z');
  const lines: string[] = [];
  for (let minute = 0; minute < 180; minute += 1) {
    const t = start + minute * 60_000;
    for (let i = 0; i < 3; i += 1)
      lines.push(
        event(t + i * 1000, 'system:node:n1', 'kubelet/v1.29', 'update', 'kube-node-lease', 'leases', false),
      );
    const flood = minute >= 90 ? Math.min(40, (minute - 89) * 2) : 0;
    for (let i = 0; i < flood; i += 1)
      lines.push(event(t + 5000 + i * 100, USER, AGENT, 'create', NAMESPACE, RESOURCE, minute >= 150));
  }
  writeFileSync(logFile, `${lines.join('\n')}\n`);
});

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

async function analyze(format: string): Promise<string> {
  const result = await runCli(['analyze', '--log-file', logFile, '--format', format], { timeoutMs: 120_000 });
  expect(result.stderr).not.toMatch(/internal error/i);
  expect(result.stdout.length).toBeGreaterThan(0);
  return result.stdout;
}

describe('hostile audit log through analyze', () => {
  it('json carries the payloads and the failure, with no raw control character', async () => {
    const text = await analyze('json');
    const report = JSON.parse(text) as {
      firstFailure: { user: string } | null;
      topWriters: { user: string }[];
    };
    expect(report.firstFailure?.user).toBe(USER);
    expect(report.topWriters[0]?.user).toBe(USER);
    expect(text).not.toMatch(FORBIDDEN_CONTROL);
  });

  it('terminal prints no escape sequence or bidi control', async () => {
    const text = await analyze('terminal');
    expect(text).not.toMatch(FORBIDDEN_CONTROL);
    expect(text).not.toContain('pwned');
    expect(text).toContain('evil<script>alert(1)</script>|=cmd');
  });

  it('html has only our tags and shows the payloads as text', async () => {
    const html = await analyze('html');
    const tags = htmlTags(html);
    expect(tags.filter((t) => t.name === 'script' || t.name === 'img' || t.name === 'b')).toEqual([]);
    for (const tag of tags) for (const a of tag.attributes) expect(a.name.startsWith('on')).toBe(false);
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;|=cmd');
    expect(html).not.toMatch(FORBIDDEN_CONTROL);
  });

  it('markdown keeps its tables and fences', async () => {
    const markdown = await analyze('markdown');
    const { outside } = splitMarkdown(markdown);
    for (const table of markdownTables(outside)) {
      const columns = tableCells(table[0] ?? '').length;
      for (const row of table) expect(tableCells(row)).toHaveLength(columns);
    }
    for (const { line } of outside.filter((o) => o.line.startsWith('#')))
      expect(line).not.toContain('heading');
    expect(
      outside
        .map((o) => o.line)
        .join('\n')
        .replace(/<br>/g, ''),
    ).not.toContain('<');
    expect(markdown).not.toMatch(FORBIDDEN_CONTROL);
  });

  it('csv parses back with no formula cell', async () => {
    const records = parseCsv(await analyze('csv'));
    expect(records.length).toBeGreaterThan(2);
    for (const record of records) {
      expect(record).toHaveLength(6);
      for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});
