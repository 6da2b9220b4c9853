import type { IncidentReport } from '../analysis/incident-report.js';
import { renderMermaidChart } from './chart-mermaid.js';
import {
  escapeMarkdownCell,
  escapeMarkdownText,
  markdownCodeBlock,
  markdownLink,
} from './escape-markdown.js';
import {
  clipText,
  formatBytes,
  formatCount,
  formatDuration,
  formatUsd,
  formatUtc,
  qualifiedResource,
  readinessSummary,
  remediationPrefixes,
  remediationScope,
  safeHttpUrl,
} from './incident-text.js';
import {
  databaseEndpointsTable,
  objectGrowthTable,
  remediationNamespacesTable,
  storedObjectsTable,
  strainByUserAgentTable,
  topWritersTable,
  type TableModel,
} from './incident-tables.js';

/** A cell already written as Markdown by this module (a link), passed through unescaped. */
interface MarkdownCell {
  markdown: string;
}

function tableOf(model: TableModel): string[] {
  return table(model.headers, model.rows, model.numeric);
}

/** A GFM table; string cells are escaped here, so callers pass raw values. */
function table(headers: string[], rows: (string | MarkdownCell)[][], rightAligned: number[] = []): string[] {
  const align = headers.map((_, i) => (rightAligned.includes(i) ? '---:' : '---'));
  const cell = (value: string | MarkdownCell | undefined): string =>
    typeof value === 'object' ? value.markdown : escapeMarkdownCell(clipText(value ?? ''));
  const line = (cells: (string | MarkdownCell)[]): string =>
    `| ${headers.map((_, i) => cell(cells[i])).join(' | ')} |`;
  return [line(headers), `| ${align.join(' | ')} |`, ...rows.map(line)];
}

function consoleLink(url: string | null | undefined, label = 'console'): string {
  const safe = safeHttpUrl(url);
  return safe === null ? '' : markdownLink(label, safe);
}

/**
 * The report as a Markdown postmortem section (GFM): summary, timeline, top writers, object growth,
 * remediation, a Mermaid chart and the queries used. Text from logs is escaped for its context: table
 * cells, one-line paragraphs, or fenced blocks whose fence the content cannot close.
 */
export function renderIncidentMarkdown(report: IncidentReport): string {
  const t = (text: string): string => escapeMarkdownText(clipText(text));
  const time = (iso: string): string => t(formatUtc(iso));
  const out: string[] = [];
  const where =
    report.cluster === null ? `local files (${report.source.label})` : `cluster ${report.cluster}`;
  out.push(`## etcd incident: ${t(where)}`, '');
  out.push(`**Verdict:** ${t(report.verdict)}`, '');
  if (!report.complete)
    out.push(
      '> **Incomplete:** this report holds what was found before the run stopped; see the warnings below.',
      '',
    );

  out.push('### Summary', '');
  out.push(
    `- **Window:** ${time(report.window.start)} to ${time(report.window.end)} UTC, from ${t(report.source.label)}`,
  );
  const first = report.firstFailure;
  if (first === null) out.push('- **First failure:** none in the window');
  else {
    out.push(
      `- **First failure:** ${time(first.timestamp)} UTC, ${t(first.verb)} ${t(qualifiedResource(first.resource, first.apiGroup))} in ${t(first.namespace || '(cluster scope)')} by ${t(first.user)} (${t(first.userAgent)})`,
    );
    out.push(`- **Request URI:** ${t(first.requestURI)}`);
  }
  const last = report.failures.last === null ? '' : `, last at ${time(report.failures.last)} UTC`;
  out.push(
    `- **Failures:** ${formatCount(report.failures.count)}${last}${report.failures.stillFailing ? ', **still failing** at the end of the window' : ''}`,
  );
  const onset = report.floodOnset;
  out.push(
    onset === null
      ? '- **Flood onset:** none found'
      : `- **Flood onset:** ${time(onset.timestamp)} UTC, ${formatCount(onset.onsetPerBin)} writes per ${formatDuration(onset.binMs)} against a baseline of ${formatCount(onset.baselinePerBin)}`,
  );
  const audit = readinessSummary(report.readiness);
  if (audit !== null) out.push(`- **Audit logs:** ${t(audit)}`);
  if (report.readiness.blindBefore !== null)
    out.push(`- **Blind before:** ${time(report.readiness.blindBefore)} UTC (no audit logs before then)`);
  out.push(
    `- **Generated:** ${time(report.generatedAt)} UTC by ${t(report.tool.name)} ${t(report.tool.version)}`,
    '',
  );

  out.push('### Timeline (UTC)', '');
  if (report.timeline.length === 0) out.push('No events.');
  else
    out.push(
      ...table(
        ['Time (UTC)', 'Event', 'Detail', 'Evidence'],
        report.timeline.map((e) => {
          const link = consoleLink(e.evidence?.consoleUrl);
          const query = escapeMarkdownCell(clipText(e.evidence?.query ?? ''));
          return [
            formatUtc(e.timestamp),
            e.title,
            e.detail,
            { markdown: link === '' ? query : `${query} ${link}` },
          ];
        }),
      ),
    );
  out.push('');

  const leadUp =
    report.leadUp === null ? '' : ` (lead-up ${time(report.leadUp.start)} to ${time(report.leadUp.end)} UTC)`;
  out.push(`### Top writers${leadUp}`, '');
  if (report.topWriters.length === 0) out.push('No writes found.');
  else out.push(...tableOf(topWritersTable(report)));
  out.push('');

  out.push('### Object growth (creates minus deletes)', '');
  if (report.objectGrowth.length === 0) out.push('No object growth found.');
  else out.push(...tableOf(objectGrowthTable(report)));
  out.push('');

  const strain = report.strain;
  if (strain.timeouts + strain.serverErrors + strain.throttled > 0) {
    const firstTimeout = strain.firstTimeout === null ? '' : ` (first at ${time(strain.firstTimeout)} UTC)`;
    out.push(
      '### etcd strain',
      '',
      `${formatCount(strain.timeouts)} request timeouts${firstTimeout}, ${formatCount(strain.serverErrors)} 5xx responses, ${formatCount(strain.throttled)} 429 responses.`,
      '',
    );
    if (strain.byUserAgent.length > 0) out.push(...tableOf(strainByUserAgentTable(strain)), '');
  }

  const size = report.databaseSize;
  if (size !== null) {
    out.push(
      '### Database size',
      '',
      `Metric ${t(size.metricName)} (${size.source === 'cloudwatch' ? 'CloudWatch' : 'metrics file'}), limit ${formatBytes(size.limitBytes)}.`,
      '',
    );
    out.push(...tableOf(databaseEndpointsTable(size)), '');
    if (size.objectCounts.length > 0) out.push(...tableOf(storedObjectsTable(size)), '');
  }

  const fix = report.remediation;
  if (fix !== null) {
    out.push('### Remediation', '');
    out.push(
      `Delete the piled-up ${t(qualifiedResource(fix.resource, fix.apiGroup))} (${t(fix.apiVersion)}) in ${t(remediationScope(fix.namespace))}: about ${formatCount(fix.estimatedObjects)} objects. This tool never runs these commands; review them first.`,
      '',
    );
    for (const warning of fix.warnings) out.push(`> **Warning:** ${t(warning)}`, '');
    out.push(markdownCodeBlock(fix.commands.join('\n'), 'sh'), '');
    const prefixes = remediationPrefixes(fix);
    out.push(
      `etcd key prefix${prefixes.length > 1 ? 'es' : ''} to give AWS Support:`,
      '',
      markdownCodeBlock(prefixes.join('\n'), 'text'),
      '',
    );
    if ((fix.namespaces ?? []).length > 1) out.push(...tableOf(remediationNamespacesTable(fix)), '');
    if (fix.knownCulprit !== null) {
      out.push(`Known culprit: **${t(fix.knownCulprit.name)}**`, '');
      for (const note of fix.knownCulprit.notes) out.push(`- ${t(note)}`);
      out.push('');
    }
  }

  out.push('### Write rate and failures', '');
  const chart = renderMermaidChart(report.series);
  out.push(chart === null ? 'No write or failure data to chart.' : markdownCodeBlock(chart, 'mermaid'), '');

  if (report.queries.length > 0) {
    out.push('### Queries used', '');
    report.queries.forEach((q, i) => {
      const link = consoleLink(q.consoleUrl, 'Open in CloudWatch Logs Insights');
      out.push(`#### Query ${i + 1}: ${t(q.name)}`, '');
      out.push(
        `${time(q.start)} to ${time(q.end)} UTC; ${formatBytes(q.bytesScanned)} scanned, ${formatCount(q.recordsMatched)} of ${formatCount(q.recordsScanned)} records matched${q.truncated ? '; **hit the result limit**' : ''}.${link === '' ? '' : ` ${link}`}`,
        '',
        markdownCodeBlock(q.queryString, 'text'),
        '',
      );
    });
  }

  const notes = [...report.warnings, ...report.readiness.notes];
  if (report.skippedLines.count > 0) {
    notes.push(`${formatCount(report.skippedLines.count)} malformed input lines skipped`);
    for (const s of report.skippedLines.samples.slice(0, 10))
      notes.push(`skipped ${s.file}:${s.line}: ${s.reason}`);
  }
  if (notes.length > 0) {
    out.push('### Warnings and notes', '');
    for (const note of notes) out.push(`- ${t(note)}`);
    out.push('');
  }

  out.push(
    `_Cost: ${formatBytes(report.cost.bytesScanned)} scanned, about ${t(formatUsd(report.cost.estimatedUsd))} at ${t(formatUsd(report.cost.pricePerGb))} per GB._`,
  );
  return `${out.join('\n')}\n`;
}
