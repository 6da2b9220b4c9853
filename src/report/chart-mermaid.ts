import type { IncidentReport } from '../analysis/incident-report.js';
import { alignSeries } from './chart-series.js';
import { formatAxisTime, formatDuration } from './incident-text.js';

/** Bins in the Mermaid chart: more than this and the x-axis labels overlap when rendered. */
export const MERMAID_MAX_BINS = 30;

/**
 * A Mermaid `xychart-beta` of writes (bars) and failures (line) per bin, re-binned to at most
 * MERMAID_MAX_BINS. Only numbers and our own UTC labels go into it, never text from logs. Returns the
 * chart source without the surrounding code fence, or null when there is no data.
 */
export function renderMermaidChart(
  series: IncidentReport['series'],
  maxBins = MERMAID_MAX_BINS,
): string | null {
  const data = alignSeries(series, maxBins);
  if (data === null) return null;
  const labels = data.starts.map((ms) => `"${formatAxisTime(ms, data.spanMs)}"`);
  const max = Math.max(1, ...data.writes, ...data.failures);
  const bin = formatDuration(data.binMs);
  return [
    'xychart-beta',
    `    title "Writes (bars) and failures (line) per ${bin}, UTC"`,
    `    x-axis [${labels.join(', ')}]`,
    `    y-axis "Requests per ${bin}" 0 --> ${max}`,
    `    bar [${data.writes.join(', ')}]`,
    `    line [${data.failures.join(', ')}]`,
  ].join('\n');
}
