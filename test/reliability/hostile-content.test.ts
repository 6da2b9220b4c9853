/**
 * Hostile log content end to end, where the report tests do not already go: an audit log carrying
 * HTML/script, Markdown-breaking `|` and newlines, CSV formulas and ANSI/OSC escapes served by
 * CloudWatch (the fake server) and analysed with `analyze --cluster` in every format; hostile
 * `--namespace`/`--user` values in `queries run --cluster`, checked on the query CloudWatch received;
 * and hostile file names and malformed lines reaching stderr (errors, --verbose narration).
 *
 * Reused, not repeated here: the same payloads through `analyze --log-file` in every format
 * (test/report/hostile-pipeline.test.ts), the renderers on a hostile fixture
 * (test/report/hostile-content.test.ts), the escapers as properties (test/report/escapers-property.test.ts),
 * parameter quoting as a property (test/queries/library.test.ts, test/insights/quote.test.ts) and the
 * HTML report in Chromium (test/browser/html-report.test.ts).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import type { LogRecord } from '../../src/insights/record.js';
import { parseQuery } from '../../src/insights/index.js';
import { createFakeAwsServer, dummyAwsEnv, type FakeAwsServer } from '../support/fake-aws/index.js';
import { auditEventLine } from '../support/audit-event-line.js';
import { runCli, type RunCliResult } from '../support/run-cli.js';
import {
  FORBIDDEN_CONTROL,
  htmlTags,
  markdownTables,
  parseCsv,
  splitMarkdown,
  tableCells,
} from '../report/parse-helpers.js';
import { END_MS, GROUP, leftRunning } from './reliability-kit.js';

const USER = 'evil<script>alert(1)</script>|=cmd\u001b]0;pwned\u0007\u202eexe';
const AGENT = '"><img src=x onerror=alert(1)>\u001b[31mred\u009b2J\n| injected | row |';
const NAMESPACE = 'ns|<b>x</b>\n## heading';
const NAME = '=HYPERLINK("http://attacker.example")';
const RESOURCE = '@SUM(1)+things';
const AUDIT_STREAM = 'kube-apiserver-audit-0123456789abcdef0123456789abcdef';

function event(
  ms: number,
  user: string,
  agent: string,
  verb: string,
  namespace: string,
  resource: string,
  failed: boolean,
): LogRecord {
  const message = auditEventLine({
    ms,
    user,
    agent,
    verb,
    namespace,
    resource,
    name: `${NAME}-${ms}`,
    failed,
  });
  return { timestamp: ms, logStream: AUDIT_STREAM, log: '', message };
}

/** Three hours ending at END_MS: steady lease updates, then a hostile flood that ends in NOSPACE failures. */
function hostileRecords(): LogRecord[] {
  const start = END_MS - 3 * 3_600_000;
  const records: LogRecord[] = [];
  for (let minute = 0; minute < 180; minute++) {
    const t = start + minute * 60_000;
    for (let i = 0; i < 3; i++)
      records.push(
        event(t + i * 1000, 'system:node:n1', 'kubelet/v1.29', 'update', 'kube-node-lease', 'leases', false),
      );
    const flood = minute >= 90 ? Math.min(30, (minute - 89) * 2) : 0;
    for (let i = 0; i < flood; i++)
      records.push(event(t + 5000 + i * 100, USER, AGENT, 'create', NAMESPACE, RESOURCE, minute >= 150));
  }
  return records;
}

const dir = mkdtempSync(path.join(tmpdir(), 'eei-rel-hostile-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function expectCleanStderr(result: RunCliResult): void {
  expect(result.stderr).not.toMatch(FORBIDDEN_CONTROL);
  expect(result.stderr).not.toMatch(/internal error/i);
}

describe('analyze --cluster on a hostile audit log, every format', () => {
  let server: FakeAwsServer | undefined;
  const outputs = new Map<string, RunCliResult>();
  beforeAll(async () => {
    server = await createFakeAwsServer({
      clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }],
      logGroups: [{ name: GROUP, records: hostileRecords() }],
    });
    const env = dummyAwsEnv(server.url);
    for (const format of ['json', 'terminal', 'markdown', 'html', 'csv']) {
      outputs.set(
        format,
        await runCli(
          [
            'analyze',
            '--cluster',
            'prod',
            '--lookback',
            '1d',
            '--end',
            new Date(END_MS).toISOString(),
            '--format',
            format,
            '--verbose',
          ],
          {
            env,
            timeoutMs: 120_000,
          },
        ),
      );
    }
  }, 300_000);
  afterAll(async () => {
    if (server !== undefined) expect(leftRunning(server)).toEqual([]);
    await server?.close();
  });

  const output = (format: string): string => {
    const result = outputs.get(format);
    expect(result?.exitCode, result?.stderr).toBe(0);
    if (result === undefined) throw new Error(`no ${format} run`);
    expectCleanStderr(result);
    return result.stdout;
  };

  test('json: the payloads survive exactly (they are evidence), no raw control character', () => {
    const text = output('json');
    const report = JSON.parse(text) as IncidentReport;
    expect(report.firstFailure?.user).toBe(USER);
    expect(report.firstFailure?.userAgent).toBe(AGENT);
    expect(report.topWriters[0]?.user).toBe(USER);
    expect(text).not.toMatch(FORBIDDEN_CONTROL);
  });

  test('terminal: no escape sequence, C1 or bidi control; the text is still there', () => {
    const text = output('terminal');
    expect(text).not.toMatch(FORBIDDEN_CONTROL);
    expect(text).not.toContain('pwned');
    expect(text).toContain('evil<script>alert(1)</script>|=cmd');
  });

  test('html: only our tags, no handlers, a CSP that forbids other scripts, payloads as text', () => {
    const html = output('html');
    const tags = htmlTags(html);
    expect(tags.filter((t) => ['script', 'img', 'b', 'iframe', 'object'].includes(t.name))).toEqual([]);
    for (const tag of tags)
      for (const a of tag.attributes) expect(a.name.startsWith('on'), `${tag.name} ${a.name}`).toBe(false);
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]*)"/i.exec(html)?.[1] ?? '';
    expect(csp).toMatch(/default-src 'none'|script-src 'none'/);
    expect(html).toContain('evil&lt;script&gt;alert(1)&lt;/script&gt;|=cmd');
    expect(html).not.toMatch(FORBIDDEN_CONTROL);
  });

  test('markdown: every table row keeps the header column count, no heading or markup from the logs', () => {
    const markdown = output('markdown');
    const { outside } = splitMarkdown(markdown);
    const tables = markdownTables(outside);
    expect(tables.length).toBeGreaterThan(0);
    for (const table of tables) {
      const columns = tableCells(table[0] ?? '').length;
      for (const row of table) expect(tableCells(row), row).toHaveLength(columns);
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

  test('csv: parses back to whole records, no cell starts a formula', () => {
    const records = parseCsv(output('csv'));
    expect(records.length).toBeGreaterThan(2);
    const width = records[0]?.length ?? 0;
    for (const record of records) {
      expect(record).toHaveLength(width);
      for (const cell of record) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    }
  });
});

describe('queries run --cluster: hostile --namespace / --user cannot change the query', () => {
  const HOSTILE = [
    'default" or verb != "x',
    'default" | stats count(*) as n by user.username | filter "1" = "1',
    '\\" | display @message #',
    "x' | limit 1 | fields '",
    'ns`\n| filter 1 = 1\n# ',
    '/.*/ | sort @timestamp',
  ];
  let server: FakeAwsServer | undefined;
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const window = [
    '--start',
    new Date(END_MS - 3_600_000).toISOString(),
    '--end',
    new Date(END_MS).toISOString(),
  ];
  const write = (ms: number, user: string, namespace: string): LogRecord => {
    const r = event(ms, user, 'kubectl/v1.29', 'create', namespace, 'configmaps', false);
    return r;
  };

  test.each([
    ['--namespace', 'top-writers-by-user'],
    ['--user', 'top-writers-by-namespace'],
  ])(
    '%s on %s: each value matches only itself, and the query keeps its commands',
    async (flag, query) => {
      // For every hostile value, 2 writes that carry exactly it, next to 5 writes in "default" by "alice".
      const records: LogRecord[] = [];
      let t = END_MS - 30 * 60_000;
      for (let i = 0; i < 5; i++) records.push(write((t += 1000), 'alice', 'default'));
      for (const value of HOSTILE)
        for (let i = 0; i < 2; i++)
          records.push(
            flag === '--namespace'
              ? write((t += 1000), `u-${i}`, value)
              : write((t += 1000), value, `ns-${i}`),
          );
      server = await createFakeAwsServer({
        clusters: [{ name: 'prod', logging: [{ types: ['audit'], enabled: true }] }],
        logGroups: [{ name: GROUP, records }],
      });
      const env = dummyAwsEnv(server.url);

      const control = await runCli(
        [
          'queries',
          'run',
          query,
          '--cluster',
          'prod',
          flag,
          flag === '--namespace' ? 'default' : 'alice',
          '--format',
          'json',
          ...window,
        ],
        { env },
      );
      expect(control.exitCode, control.stderr).toBe(0);
      const controlRows = (JSON.parse(control.stdout) as { rows: Record<string, string>[] }).rows;
      expect(controlRows.map((r) => r['writes'])).toEqual(['5']);
      const sent = [...server.state.queries.values()];
      const controlCommands = parseQuery(sent[0]?.queryString ?? '').commands.map((c) => c.kind);

      for (const value of HOSTILE) {
        const before = server.state.queries.size;
        const result = await runCli(
          ['queries', 'run', query, '--cluster', 'prod', flag, value, '--format', 'json', ...window],
          { env },
        );
        expect(result.exitCode, `${value}: ${result.stderr}`).toBe(0);
        const rows = (JSON.parse(result.stdout) as { rows: Record<string, string>[] }).rows;
        // Exactly the two writes that carry the value: no more (the filter held), no fewer (it was matched literally).
        expect(
          rows.reduce((sum, r) => sum + Number(r['writes']), 0),
          value,
        ).toBe(2);
        const received = [...server.state.queries.values()].slice(before);
        expect(received).toHaveLength(1);
        expect(
          parseQuery(received[0]?.queryString ?? '').commands.map((c) => c.kind),
          value,
        ).toEqual(controlCommands);
      }
      expect(leftRunning(server)).toEqual([]);
    },
    120_000,
  );
});

describe('stderr stays safe: hostile file names and malformed lines', () => {
  test('--verbose narration and the skipped-line report strip escapes from file names', async () => {
    const logs = path.join(dir, 'logs');
    mkdirSync(logs);
    const good = hostileRecords()
      .slice(0, 300)
      .map((r) => r.message)
      .join('\n');
    writeFileSync(path.join(logs, 'evil\u001b]0;pwned\u0007\u001b[31m.log'), `${good}\n`);
    writeFileSync(path.join(logs, 'bad\u001b[1m\u202e.log'), '{"kind":"\u001b[2J\u001b]8;;http://x\u0007"\n');
    for (const format of ['terminal', 'json']) {
      const result = await runCli(['analyze', '--verbose', '--log-file', logs, '--format', format]);
      expect(result.exitCode, result.stderr).toBe(0);
      expect(result.stderr).toMatch(/^read .*evil.*\.log: /m);
      expectCleanStderr(result);
      if (format === 'terminal') expect(result.stdout).not.toMatch(FORBIDDEN_CONTROL);
    }
  });

  test('a file whose only line is hostile: the exit-4 message quotes it without its escapes', async () => {
    const p = path.join(dir, 'only-bad.log');
    writeFileSync(p, 'not json \u001b]52;c;cHduZWQ=\u0007 \u001b[2J\u009b31m\u202e\n');
    const result = await runCli(['analyze', '--log-file', p]);
    expect(result.exitCode).toBe(4);
    expect(result.stderr).toContain(p);
    expectCleanStderr(result);
  });
});
