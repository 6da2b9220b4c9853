import type { IncidentReport } from '../analysis/incident-report.js';
import { renderTerminalChart } from './chart-terminal.js';
import {
  displayWidth,
  renderTerminalTable,
  terminalLine,
  truncateToWidth,
} from './incident-terminal-table.js';
import {
  formatBytes,
  formatCount,
  formatDuration,
  formatGrowth,
  formatShare,
  formatUsd,
  formatUtc,
  qualifiedResource,
  readinessSummary,
  remediationPrefixes,
  remediationScope,
} from './incident-text.js';
import { sanitizeForTerminal } from './terminal-text.js';

export interface TerminalRenderOptions {
  color: boolean;
  width?: number;
}

// Free text (warnings, notes) is cut here; it stays readable and a hostile 50 MB value cannot flood the screen.
const MAX_TEXT = 400;

/** The report for a terminal: verdict first, then the timeline, writers, growth, remediation and chart. */
export function renderIncidentTerminal(report: IncidentReport, options: TerminalRenderOptions): string {
  const width = Math.max(40, Math.floor(options.width ?? 100));
  const paint = (code: string, text: string): string =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  const bold = (text: string): string => paint('1', text);
  const dim = (text: string): string => paint('2', text);
  const text = (value: string, max = MAX_TEXT): string => truncateToWidth(terminalLine(value), max);
  const time = (iso: string): string => text(formatUtc(iso), 40);
  const out: string[] = [];
  const section = (title: string): void => {
    out.push('', bold(title));
  };
  const field = (label: string, value: string): void => {
    out.push(`  ${label.padEnd(14)}${value}`);
  };
  // Long lists are cut to their head on a terminal; the other formats carry them whole.
  const table = (
    columns: Parameters<typeof renderTerminalTable>[0],
    rows: string[][],
    limit = Infinity,
  ): void => {
    out.push(...renderTerminalTable(columns, rows.slice(0, limit), width, { header: dim }));
    if (rows.length > limit)
      out.push(dim(`  … and ${formatCount(rows.length - limit)} more (see --format json)`));
  };

  const failing = report.failures.count > 0;
  const flood = !failing && report.floodOnset !== null;
  const verdictColor = failing ? '1;31' : flood ? '1;33' : '1';
  const verdictLabel = failing ? 'FAILING: ' : flood ? 'WARNING: ' : '';
  out.push(paint(verdictColor, `${verdictLabel}${text(report.verdict, 1000)}`));
  const cluster = report.cluster === null ? 'local files' : `cluster ${text(report.cluster, 120)}`;
  out.push(
    dim(
      `${cluster} · ${text(report.source.label, 200)} · ${time(report.window.start)} → ${time(report.window.end)} UTC`,
    ),
  );
  if (!report.complete) {
    out.push(
      paint(
        '1;33',
        'Incomplete: this report holds what was found before the run stopped (see warnings below).',
      ),
    );
  }

  section('Summary');
  const first = report.firstFailure;
  if (first === null) {
    field('First failure', 'none in the window');
  } else {
    field('First failure', `${time(first.timestamp)} UTC`);
    field('  user', text(first.user));
    field('  user agent', text(first.userAgent));
    field(
      '  request',
      text(
        `${first.verb} ${qualifiedResource(first.resource, first.apiGroup)} in ${first.namespace || '(cluster scope)'}`,
      ),
    );
    field('  URI', text(first.requestURI));
  }
  const last = report.failures.last === null ? '' : `, last ${time(report.failures.last)}`;
  field(
    'Failures',
    `${formatCount(report.failures.count)}${last}${report.failures.stillFailing ? paint('1;31', ', still failing') : ''}`,
  );
  const onset = report.floodOnset;
  field(
    'Flood onset',
    onset === null
      ? 'none found'
      : `${time(onset.timestamp)} UTC (${formatCount(onset.onsetPerBin)} writes per ${formatDuration(onset.binMs)}, baseline ${formatCount(onset.baselinePerBin)})`,
  );
  const audit = readinessSummary(report.readiness);
  if (audit !== null) field('Audit logs', text(audit));
  if (report.readiness.blindBefore !== null) {
    field('Blind before', `${time(report.readiness.blindBefore)} UTC (no audit logs before then)`);
  }

  section('Timeline (UTC)');
  if (report.timeline.length === 0) out.push('  No events.');
  else {
    // One event per block: the title whole on the time line, the detail wrapped beneath it. A table
    // would cut titles and details to a few characters each at 100 columns, and at 3 a.m. the
    // responder needs to read them, not guess.
    const indent = ' '.repeat(2 + 23 + 2);
    for (const e of report.timeline) {
      out.push(
        `  ${formatUtc(e.timestamp).padEnd(23)}  ${bold(text(e.title, Math.max(20, width - indent.length)))}`,
      );
      for (const line of wrapWords(text(e.detail), width - indent.length)) out.push(`${indent}${line}`);
      if (e.evidence !== null)
        out.push(
          dim(`${indent}evidence: ${text(e.evidence.query, Math.max(10, width - indent.length - 10))}`),
        );
    }
  }

  const leadUp =
    report.leadUp === null ? '' : ` (lead-up ${time(report.leadUp.start)} → ${time(report.leadUp.end)})`;
  section(`Top writers${leadUp}`);
  if (report.topWriters.length === 0) out.push('  No writes found.');
  else
    table(
      [
        { header: '#', align: 'right' },
        { header: 'User', flexible: true },
        { header: 'User agent', flexible: true },
        { header: 'Resource', flexible: true },
        { header: 'Namespace', flexible: true },
        { header: 'Writes', align: 'right' },
        { header: 'Share', align: 'right' },
        { header: 'Growth', align: 'right' },
      ],
      report.topWriters.map((w, i) => [
        String(i + 1),
        w.user,
        w.userAgent,
        qualifiedResource(w.resource, w.apiGroup),
        w.namespace,
        formatCount(w.writes),
        formatShare(w.share),
        formatGrowth(w.growth),
      ]),
    );

  section('Object growth (creates - deletes)');
  if (report.objectGrowth.length === 0) out.push('  No object growth found.');
  else
    table(
      [
        { header: 'Resource', flexible: true },
        { header: 'Namespace', flexible: true },
        { header: 'Creates', align: 'right' },
        { header: 'Deletes', align: 'right' },
        { header: 'Net', align: 'right' },
      ],
      report.objectGrowth.map((g) => [
        qualifiedResource(g.resource, g.apiGroup),
        g.namespace,
        formatCount(g.creates),
        formatCount(g.deletes),
        formatCount(g.net),
      ]),
      15,
    );

  const strain = report.strain;
  if (strain.timeouts + strain.serverErrors + strain.throttled > 0) {
    section('etcd strain');
    const firstTimeout = strain.firstTimeout === null ? '' : ` (first ${time(strain.firstTimeout)})`;
    out.push(
      `  ${formatCount(strain.timeouts)} request timeouts${firstTimeout}, ${formatCount(strain.serverErrors)} 5xx, ${formatCount(strain.throttled)} 429`,
    );
    if (strain.byUserAgent.length > 0)
      table(
        [
          { header: 'User agent', flexible: true },
          { header: '5xx', align: 'right' },
          { header: '429', align: 'right' },
        ],
        strain.byUserAgent.map((s) => [s.userAgent, formatCount(s.serverErrors), formatCount(s.throttled)]),
        10,
      );
  }

  const size = report.databaseSize;
  if (size !== null) {
    section(`Database size (${text(size.metricName, 80)}, limit ${formatBytes(size.limitBytes)})`);
    table(
      [
        { header: 'Endpoint', flexible: true },
        { header: 'Size', align: 'right' },
        { header: 'Of limit', align: 'right' },
      ],
      size.endpoints.map((e) => [e.endpoint, formatBytes(e.bytes), formatShare(e.fractionOfLimit)]),
    );
    if (size.objectCounts.length > 0) {
      out.push('');
      table(
        [
          { header: 'Stored objects', flexible: true },
          { header: 'Count', align: 'right' },
        ],
        size.objectCounts.map((c) => [c.resource, formatCount(c.count)]),
        10,
      );
    }
  }

  const fix = report.remediation;
  if (fix !== null) {
    section(
      `Remediation: ${text(qualifiedResource(fix.resource, fix.apiGroup), 200)} in ${text(remediationScope(fix.namespace), 120)}, about ${formatCount(fix.estimatedObjects)} objects`,
    );
    for (const warning of fix.warnings) out.push(paint('33', `  ! ${text(warning)}`));
    out.push('  Commands (review first; this tool never runs them):');
    // Commands are printed whole (cutting them would make them wrong), one terminal line each.
    for (const command of fix.commands) out.push(`    ${terminalLine(command)}`);
    const prefixes = remediationPrefixes(fix);
    if (prefixes.length === 1)
      out.push(`  etcd key prefix for AWS Support: ${terminalLine(prefixes[0] ?? '')}`);
    else {
      out.push('  etcd key prefixes for AWS Support:');
      for (const prefix of prefixes) out.push(`    ${terminalLine(prefix)}`);
    }
    if ((fix.namespaces ?? []).length > 1) {
      out.push('  Net growth by namespace:');
      table(
        [
          { header: 'Namespace', flexible: true },
          { header: 'Net objects', align: 'right' },
        ],
        (fix.namespaces ?? []).map((n) => [remediationScope(n.namespace), formatCount(n.net)]),
        10,
      );
    }
    if (fix.knownCulprit !== null) {
      out.push(`  Known culprit: ${text(fix.knownCulprit.name)}`);
      for (const note of fix.knownCulprit.notes) out.push(`    - ${text(note)}`);
    }
  }

  section('Chart');
  out.push(
    ...renderTerminalChart(report.series, { width: width - 2, color: options.color }).map(
      (line) => `  ${line}`,
    ),
  );

  const notes = [...report.readiness.notes];
  if (report.skippedLines.count > 0) {
    notes.push(`${formatCount(report.skippedLines.count)} malformed input lines skipped`);
    for (const s of report.skippedLines.samples.slice(0, 5)) notes.push(`  ${s.file}:${s.line}: ${s.reason}`);
  }
  if (notes.length > 0 || report.warnings.length > 0) {
    section('Warnings and notes');
    for (const warning of report.warnings) out.push(paint('33', `  ! ${text(warning)}`));
    for (const note of notes) out.push(`  ${text(note)}`);
  }

  section('Cost');
  const truncated = report.queries.filter((q) => q.truncated).length;
  out.push(
    `  ${formatCount(report.queries.length)} queries, ${formatBytes(report.cost.bytesScanned)} scanned, about ${formatUsd(report.cost.estimatedUsd)} at ${formatUsd(report.cost.pricePerGb)} per GB` +
      (truncated > 0 ? `; ${truncated} hit the result limit` : ''),
  );
  // Everything above went through terminalLine/text; this last pass is a guard for any value added later.
  return `${out.map((line) => sanitizeKeepingOwnColour(line, options.color)).join('\n')}\n`;
}

// Our own SGR colour codes, the only escapes allowed through (split keeps them as odd-index parts).
// eslint-disable-next-line no-control-regex -- matching ESC is the point
const OWN_SGR = /(\u001b\[[0-9;]*m)/;

/** Strips any escape sequence that is not one of our own SGR colour codes. */
function sanitizeKeepingOwnColour(line: string, color: boolean): string {
  if (!color) return sanitizeForTerminal(line);
  return line
    .split(OWN_SGR)
    .map((part, i) => (i % 2 === 1 ? part : sanitizeForTerminal(part)))
    .join('');
}

/** Splits text into lines of at most `width` columns at spaces (a longer word gets a line of its own). */
function wrapWords(value: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  // A word wider than the line (a hostile 50 kB user agent, say) is cut into pieces that fit.
  const words = value.split(' ').flatMap((word) => chunkToWidth(word, width));
  for (const word of words) {
    if (line === '') line = word;
    else if (displayWidth(line) + 1 + displayWidth(word) <= width) line += ` ${word}`;
    else {
      lines.push(line);
      line = word;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}

function chunkToWidth(word: string, width: number): string[] {
  if (displayWidth(word) <= width) return [word];
  const pieces: string[] = [];
  let piece = '';
  for (const char of word) {
    if (displayWidth(piece + char) > width) {
      pieces.push(piece);
      piece = '';
    }
    piece += char;
  }
  if (piece !== '') pieces.push(piece);
  return pieces;
}
