import type { IncidentReport } from '../analysis/incident-report.js';
import { renderSvgChart } from './chart-svg.js';
import { escapeHtml } from './escape-html.js';
import { htmlDocument } from './incident-html-document.js';
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

const h = (text: string): string => escapeHtml(clipText(text));

function tableOf(model: TableModel): string {
  return table(model.headers, model.rows, model.numeric);
}

/** HTML table; `numeric` columns are right-aligned. Every cell is escaped here (raw values in, HTML out). */
function table(
  headers: string[],
  rows: (string | { html: string })[][],
  numeric: number[] = [],
  timeColumn = -1,
): string {
  const cls = (i: number): string =>
    numeric.includes(i) ? ' class="num"' : i === timeColumn ? ' class="time"' : '';
  const head = headers.map((text, i) => `<th scope="col"${cls(i)}>${h(text)}</th>`).join('');
  const body = rows
    .map(
      (row) =>
        `<tr>${headers
          .map((_, i) => {
            const cell = row[i] ?? '';
            return `<td${cls(i)}>${typeof cell === 'string' ? h(cell) : cell.html}</td>`;
          })
          .join('')}</tr>`,
    )
    .join('\n');
  return `<table>\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>`;
}

/** A link only for http(s) URLs, with no referrer; anything else is dropped (it is shown nowhere). */
function link(url: string | null | undefined, label: string): string {
  const safe = safeHttpUrl(url);
  return safe === null ? '' : `<a href="${escapeHtml(safe)}" rel="noreferrer noopener">${h(label)}</a>`;
}

/**
 * The report as one self-contained HTML file: no script, no external request, a strict CSP, the same
 * sections as the Markdown and an inline SVG chart. Every value is escaped for HTML text or attributes.
 */
export function renderIncidentHtml(report: IncidentReport): string {
  const time = (iso: string): string => h(formatUtc(iso));
  const where =
    report.cluster === null ? `local files (${report.source.label})` : `cluster ${report.cluster}`;
  const failing = report.failures.count > 0;
  const body: string[] = [];
  body.push(`<header>\n<h1>etcd incident: ${h(where)}</h1>`);
  body.push(
    `<p class="verdict${failing ? ' failing' : report.floodOnset !== null ? ' flood' : ''}">${h(report.verdict)}</p>`,
  );
  body.push(
    `<p class="meta">${time(report.window.start)} to ${time(report.window.end)} UTC, from ${h(report.source.label)}. Generated ${time(report.generatedAt)} UTC by ${h(report.tool.name)} ${h(report.tool.version)}.</p>`,
  );
  if (!report.complete)
    body.push(
      '<p class="incomplete"><strong>Incomplete:</strong> this report holds what was found before the run stopped; see the warnings below.</p>',
    );
  body.push('</header>');

  const summary: [string, string][] = [];
  const first = report.firstFailure;
  if (first === null) summary.push(['First failure', 'none in the window']);
  else {
    summary.push(['First failure', `${time(first.timestamp)} UTC`]);
    summary.push([
      'Request',
      `${h(first.verb)} ${h(qualifiedResource(first.resource, first.apiGroup))} in ${h(first.namespace || '(cluster scope)')}`,
    ]);
    summary.push(
      ['User', h(first.user)],
      ['User agent', h(first.userAgent)],
      ['Request URI', `<code>${h(first.requestURI)}</code>`],
    );
  }
  const last = report.failures.last === null ? '' : `, last at ${time(report.failures.last)} UTC`;
  summary.push([
    'Failures',
    `${formatCount(report.failures.count)}${last}${report.failures.stillFailing ? ', <strong>still failing</strong> at the end of the window' : ''}`,
  ]);
  const onset = report.floodOnset;
  summary.push([
    'Flood onset',
    onset === null
      ? 'none found'
      : `${time(onset.timestamp)} UTC, ${formatCount(onset.onsetPerBin)} writes per ${formatDuration(onset.binMs)} against a baseline of ${formatCount(onset.baselinePerBin)}`,
  ]);
  const audit = readinessSummary(report.readiness);
  if (audit !== null) summary.push(['Audit logs', h(audit)]);
  if (report.readiness.blindBefore !== null)
    summary.push(['Blind before', `${time(report.readiness.blindBefore)} UTC (no audit logs before then)`]);
  body.push(
    '<section id="summary">\n<h2>Summary</h2>\n<dl class="summary">',
    ...summary.map(([k, v]) => `<dt>${h(k)}</dt><dd>${v}</dd>`),
    '</dl>\n</section>',
  );

  body.push('<section id="timeline">\n<h2>Timeline (UTC)</h2>');
  body.push(
    report.timeline.length === 0
      ? '<p>No events.</p>'
      : table(
          ['Time (UTC)', 'Event', 'Detail', 'Evidence'],
          report.timeline.map((e) => {
            const evidence =
              e.evidence === null
                ? ''
                : `${h(e.evidence.query)} ${link(e.evidence.consoleUrl, 'console')}`.trim();
            return [formatUtc(e.timestamp), e.title, e.detail, { html: evidence }];
          }),
          [],
          0,
        ),
  );
  body.push('</section>');

  const chart = renderSvgChart(report.series, 'rate-chart');
  body.push('<section id="chart">\n<h2>Write rate and failures</h2>');
  body.push(
    chart === null
      ? '<p>No write or failure data to chart.</p>'
      : `<figure>\n${chart}\n<figcaption>Bars: write requests per bin (left axis). Line: failed requests per bin (right axis). Times in UTC.</figcaption>\n</figure>`,
  );
  body.push('</section>');

  const leadUp =
    report.leadUp === null ? '' : ` (lead-up ${time(report.leadUp.start)} to ${time(report.leadUp.end)} UTC)`;
  body.push(`<section id="top-writers">\n<h2>Top writers${leadUp}</h2>`);
  body.push(report.topWriters.length === 0 ? '<p>No writes found.</p>' : tableOf(topWritersTable(report)));
  body.push('</section>');

  body.push('<section id="object-growth">\n<h2>Object growth (creates minus deletes)</h2>');
  body.push(
    report.objectGrowth.length === 0 ? '<p>No object growth found.</p>' : tableOf(objectGrowthTable(report)),
  );
  body.push('</section>');

  const strain = report.strain;
  if (strain.timeouts + strain.serverErrors + strain.throttled > 0) {
    const firstTimeout = strain.firstTimeout === null ? '' : ` (first at ${time(strain.firstTimeout)} UTC)`;
    body.push(
      '<section id="strain">\n<h2>etcd strain</h2>',
      `<p>${formatCount(strain.timeouts)} request timeouts${firstTimeout}, ${formatCount(strain.serverErrors)} 5xx responses, ${formatCount(strain.throttled)} 429 responses.</p>`,
    );
    if (strain.byUserAgent.length > 0) body.push(tableOf(strainByUserAgentTable(strain)));
    body.push('</section>');
  }

  const size = report.databaseSize;
  if (size !== null) {
    body.push(
      '<section id="database-size">\n<h2>Database size</h2>',
      `<p>Metric <code>${h(size.metricName)}</code> (${size.source === 'cloudwatch' ? 'CloudWatch' : 'metrics file'}), limit ${formatBytes(size.limitBytes)}.</p>`,
    );
    body.push(tableOf(databaseEndpointsTable(size)));
    if (size.objectCounts.length > 0) body.push(tableOf(storedObjectsTable(size)));
    body.push('</section>');
  }

  const fix = report.remediation;
  if (fix !== null) {
    body.push('<section id="remediation">\n<h2>Remediation</h2>');
    body.push(
      `<p>Delete the piled-up ${h(qualifiedResource(fix.resource, fix.apiGroup))} (${h(fix.apiVersion)}) in ${h(remediationScope(fix.namespace))}: about ${formatCount(fix.estimatedObjects)} objects. This tool never runs these commands; review them first.</p>`,
    );
    for (const warning of fix.warnings)
      body.push(`<p class="warning"><strong>Warning:</strong> ${h(warning)}</p>`);
    body.push(`<pre><code>${escapeHtml(fix.commands.join('\n'))}</code></pre>`);
    const prefixes = remediationPrefixes(fix);
    body.push(
      `<p>etcd key prefix${prefixes.length > 1 ? 'es' : ''} to give AWS Support:</p>\n<pre><code>${escapeHtml(prefixes.join('\n'))}</code></pre>`,
    );
    if ((fix.namespaces ?? []).length > 1) body.push(tableOf(remediationNamespacesTable(fix)));
    if (fix.knownCulprit !== null) {
      body.push(
        `<p>Known culprit: <strong>${h(fix.knownCulprit.name)}</strong></p>`,
        '<ul>',
        ...fix.knownCulprit.notes.map((n) => `<li>${h(n)}</li>`),
        '</ul>',
      );
    }
    body.push('</section>');
  }

  if (report.queries.length > 0) {
    body.push('<section id="queries">\n<h2>Queries used</h2>');
    report.queries.forEach((q, i) => {
      const consoleLink = link(q.consoleUrl, 'Open in CloudWatch Logs Insights');
      body.push(`<h3>Query ${i + 1}: ${h(q.name)}</h3>`);
      body.push(
        `<p class="muted">${time(q.start)} to ${time(q.end)} UTC; ${formatBytes(q.bytesScanned)} scanned, ${formatCount(q.recordsMatched)} of ${formatCount(q.recordsScanned)} records matched${q.truncated ? '; <strong>hit the result limit</strong>' : ''}.${consoleLink === '' ? '' : ` ${consoleLink}`}</p>`,
      );
      body.push(`<pre><code>${escapeHtml(q.queryString)}</code></pre>`);
    });
    body.push('</section>');
  }

  const notes = [...report.warnings, ...report.readiness.notes];
  if (report.skippedLines.count > 0) {
    notes.push(`${formatCount(report.skippedLines.count)} malformed input lines skipped`);
    for (const s of report.skippedLines.samples.slice(0, 10))
      notes.push(`skipped ${s.file}:${s.line}: ${s.reason}`);
  }
  if (notes.length > 0)
    body.push(
      '<section id="warnings">\n<h2>Warnings and notes</h2>\n<ul>',
      ...notes.map((n) => `<li>${h(n)}</li>`),
      '</ul>\n</section>',
    );

  body.push(
    `<footer><p class="muted">Cost: ${formatBytes(report.cost.bytesScanned)} scanned, about ${formatUsd(report.cost.estimatedUsd)} at ${formatUsd(report.cost.pricePerGb)} per GB.</p></footer>`,
  );

  return htmlDocument(`etcd incident: ${where}`, body);
}
