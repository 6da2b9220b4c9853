import type { IncidentReport } from '../analysis/incident-report.js';
import { alignSeries, niceCeiling, timeTickIndexes } from './chart-series.js';
import { escapeHtml } from './escape-html.js';
import { formatAxisTime, formatCount, formatDuration } from './incident-text.js';

/** Bins in the SVG chart: enough detail for an incident, few enough for a readable print. */
export const SVG_MAX_BINS = 240;

const WIDTH = 880;
const HEIGHT = 340;
const MARGIN = { left: 72, right: 72, top: 48, bottom: 56 };
const WRITE_COLOUR = '#2f6fb0';
const FAILURE_COLOUR = '#c62828';

const num = (value: number): string => (Math.round(value * 100) / 100).toString();

/**
 * An inline SVG chart of writes (bars, left axis) and failures (line, right axis) per bin, with UTC
 * x labels, a legend and an accessible title. Only numbers and our own labels go into it. `idPrefix`
 * keeps the title/desc ids unique when several charts share a page. Returns null when there is no data.
 */
export function renderSvgChart(series: IncidentReport['series'], idPrefix = 'chart'): string | null {
  const data = alignSeries(series, SVG_MAX_BINS);
  if (data === null) return null;
  const plotW = WIDTH - MARGIN.left - MARGIN.right;
  const plotH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const bins = data.starts.length;
  const slot = plotW / bins;
  const writesMax = niceCeiling(data.writes.reduce((a, b) => Math.max(a, b), 0));
  const failuresMax = niceCeiling(data.failures.reduce((a, b) => Math.max(a, b), 0));
  const baseY = MARGIN.top + plotH;
  const yWrites = (v: number): number => baseY - (v / writesMax) * plotH;
  const yFailures = (v: number): number => baseY - (v / failuresMax) * plotH;
  const bin = formatDuration(data.binMs);
  const totalWrites = data.writes.reduce((a, b) => a + b, 0);
  const totalFailures = data.failures.reduce((a, b) => a + b, 0);
  const first = formatAxisTime(data.starts[0] ?? 0, Number.POSITIVE_INFINITY);
  const last = formatAxisTime((data.starts[bins - 1] ?? 0) + data.binMs, Number.POSITIVE_INFINITY);
  const title = `Writes and failures per ${bin}, ${first} to ${last} UTC`;
  const desc = `${formatCount(totalWrites)} writes and ${formatCount(totalFailures)} failed requests in ${bins} bins of ${bin}; peak ${formatCount(Math.max(...data.writes))} writes per bin.`;

  const parts: string[] = [];
  parts.push(
    `<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-labelledby="${idPrefix}-title ${idPrefix}-desc">`,
    `<title id="${idPrefix}-title">${escapeHtml(title)}</title>`,
    `<desc id="${idPrefix}-desc">${escapeHtml(desc)}</desc>`,
    `<rect class="plot-bg" x="${MARGIN.left}" y="${MARGIN.top}" width="${num(plotW)}" height="${num(plotH)}" fill="#fafafa"/>`,
  );

  // Horizontal grid and the left (writes) and right (failures) axis labels, at quarters of the scale.
  for (let i = 0; i <= 4; i += 1) {
    const y = num(baseY - (i / 4) * plotH);
    parts.push(
      `<line x1="${MARGIN.left}" y1="${y}" x2="${MARGIN.left + plotW}" y2="${y}" stroke="#ddd" stroke-width="1"/>`,
    );
    parts.push(
      `<text x="${MARGIN.left - 8}" y="${y}" text-anchor="end" dominant-baseline="middle" class="tick" fill="${WRITE_COLOUR}">${formatCount((writesMax * i) / 4)}</text>`,
    );
    if (totalFailures > 0)
      parts.push(
        `<text x="${MARGIN.left + plotW + 8}" y="${y}" dominant-baseline="middle" class="tick" fill="${FAILURE_COLOUR}">${formatCount((failuresMax * i) / 4)}</text>`,
      );
  }

  // Writes as bars: one per bin, a gap between them while bins are wide enough to show one.
  const gap = slot > 4 ? 1 : 0;
  const bars = data.writes
    .map((v, i) => {
      if (v <= 0) return '';
      const y = yWrites(v);
      return `<rect x="${num(MARGIN.left + i * slot + gap / 2)}" y="${num(y)}" width="${num(Math.max(0.5, slot - gap))}" height="${num(Math.max(0.5, baseY - y))}"/>`;
    })
    .join('');
  parts.push(`<g class="writes" fill="${WRITE_COLOUR}" fill-opacity="0.75">${bars}</g>`);

  // Failures as a line through the bin centres, on their own scale (they are often far fewer than writes).
  if (totalFailures > 0) {
    const d = data.failures
      .map((v, i) => `${i === 0 ? 'M' : 'L'}${num(MARGIN.left + (i + 0.5) * slot)},${num(yFailures(v))}`)
      .join(' ');
    parts.push(
      `<path class="failures" d="${d}" fill="none" stroke="${FAILURE_COLOUR}" stroke-width="2" stroke-linejoin="round"/>`,
    );
  }

  // Axes.
  parts.push(
    `<path class="axis" d="M${MARGIN.left},${MARGIN.top} V${baseY} H${MARGIN.left + plotW}${totalFailures > 0 ? ` V${MARGIN.top}` : ''}" fill="none" stroke="#444" stroke-width="1"/>`,
  );
  const ticks = timeTickIndexes(data, 8);
  for (const index of ticks) {
    const x = num(MARGIN.left + index * slot);
    parts.push(`<line x1="${x}" y1="${baseY}" x2="${x}" y2="${baseY + 5}" stroke="#444"/>`);
    parts.push(
      `<text x="${x}" y="${baseY + 18}" text-anchor="middle" class="tick">${escapeHtml(formatAxisTime(data.starts[index] ?? 0, data.spanMs))}</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle" class="axis-label">time (UTC), bins of ${bin}</text>`,
  );
  parts.push(
    `<text x="16" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${MARGIN.top + plotH / 2})" class="axis-label" fill="${WRITE_COLOUR}">writes per ${bin}</text>`,
  );
  if (totalFailures > 0) {
    const x = WIDTH - 16;
    parts.push(
      `<text x="${x}" y="${MARGIN.top + plotH / 2}" text-anchor="middle" transform="rotate(90 ${x} ${MARGIN.top + plotH / 2})" class="axis-label" fill="${FAILURE_COLOUR}">failures per ${bin}</text>`,
    );
  }

  // Legend.
  parts.push(
    `<g class="legend" transform="translate(${MARGIN.left},18)">`,
    `<rect x="0" y="0" width="14" height="14" fill="${WRITE_COLOUR}" fill-opacity="0.75"/><text x="20" y="11">writes</text>`,
    `<path d="M90,7 H114" stroke="${FAILURE_COLOUR}" stroke-width="2"/><text x="120" y="11">failures (mvcc: database space exceeded)${totalFailures === 0 ? ': none' : ''}</text>`,
    '</g>',
    '</svg>',
  );
  return parts.join('\n');
}
