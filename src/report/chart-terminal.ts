import type { IncidentReport } from '../analysis/incident-report.js';
import { alignSeries, niceCeiling, timeTickIndexes, type ChartData } from './chart-series.js';
import { formatAxisTime, formatCount, formatDuration } from './incident-text.js';

const BLOCKS = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

export interface TerminalChartOptions {
  /** Total columns available, labels included. */
  width: number;
  color: boolean;
  /** Rows for the write series (failures get a third of it). */
  height?: number;
}

/** Block-character rows for one series: each column is one bin, scaled to `max`, eighths of a row per step. */
function barRows(values: number[], max: number, height: number): string[] {
  const rows: string[] = [];
  for (let row = 0; row < height; row += 1) {
    const floor = (height - 1 - row) * 8;
    let line = '';
    for (const value of values) {
      // A non-zero bin always shows at least the lowest block, so a trickle of failures is visible.
      const eighths = value > 0 ? Math.max(1, Math.round((value / max) * height * 8)) : 0;
      const fill = Math.min(8, Math.max(0, eighths - floor));
      line += fill === 0 ? ' ' : (BLOCKS[fill - 1] ?? '█');
    }
    rows.push(line);
  }
  return rows;
}

/** The x-axis labels line: UTC bin starts at evenly spaced columns, never overlapping. */
function axisLabels(data: ChartData, columns: number): string {
  const sample = formatAxisTime(data.starts[0] ?? 0, data.spanMs);
  const ticks = timeTickIndexes(data, Math.max(1, Math.floor(columns / (sample.length + 3))));
  let line = '';
  for (const index of ticks) {
    const label = formatAxisTime(data.starts[index] ?? 0, data.spanMs);
    const at = Math.min(index, Math.max(0, columns - label.length));
    if (at < line.length + (line.length === 0 ? 0 : 2)) continue;
    line = line.padEnd(at) + label;
  }
  return line;
}

/**
 * Write rate and failures over time as block-character bar rows with y labels and UTC x labels,
 * re-binned so one column is one bin. Returns the lines, or a one-line notice when there is no data.
 */
export function renderTerminalChart(
  series: IncidentReport['series'],
  options: TerminalChartOptions,
): string[] {
  const height = Math.max(2, options.height ?? 6);
  const failureHeight = Math.max(1, Math.round(height / 3));
  // The y labels must fit whatever the re-binning sums to: the total is an upper bound for any bin.
  const total = (points: { value: number }[]): number =>
    points.reduce((sum, p) => sum + (Number.isFinite(p.value) ? p.value : 0), 0);
  const bound = niceCeiling(Math.max(total(series.writes), total(series.failures)));
  const labelWidth = Math.max(3, formatCount(bound).length);
  const columns = Math.max(10, options.width - labelWidth - 2);
  const data = alignSeries(series, columns);
  if (data === null) return ['No write or failure data to chart.'];
  const paint = (code: string, text: string): string =>
    options.color ? `\u001b[${code}m${text}\u001b[0m` : text;
  // Scaled to the real peak (labelled), so the tallest bin reaches the top row: rows are few here.
  const writesMax = Math.max(
    1,
    data.writes.reduce((a, b) => Math.max(a, b), 0),
  );
  const failuresMax = Math.max(
    1,
    data.failures.reduce((a, b) => Math.max(a, b), 0),
  );
  const gutter = (label: string, tick: boolean): string =>
    `${label.padStart(labelWidth)} ${tick ? '┤' : '│'}`;

  const lines = [`Writes and failures per ${formatDuration(data.binMs)} (UTC)`];
  lines.push(`${''.padStart(labelWidth)}  writes`);
  barRows(data.writes, writesMax, height).forEach((row, i) => {
    const label = i === 0 ? formatCount(writesMax) : i === height - 1 ? '0' : '';
    lines.push(gutter(label, label !== '') + paint('36', row));
  });
  const totalFailures = data.failures.reduce((a, b) => a + b, 0);
  lines.push(`${''.padStart(labelWidth)}  failures${totalFailures === 0 ? ' (none)' : ''}`);
  barRows(data.failures, failuresMax, failureHeight).forEach((row, i) => {
    const label =
      i === 0 && totalFailures > 0 ? formatCount(failuresMax) : i === failureHeight - 1 ? '0' : '';
    lines.push(gutter(label, label !== '') + paint('31', row));
  });
  lines.push(`${''.padStart(labelWidth)} └${'─'.repeat(data.starts.length)}`);
  lines.push(`${''.padStart(labelWidth)}  ${axisLabels(data, data.starts.length)}`);
  return lines;
}
