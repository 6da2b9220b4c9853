import { describe, expect, it } from 'vitest';
import { renderMermaidChart, MERMAID_MAX_BINS } from '../../src/report/chart-mermaid.js';
import { alignSeries, niceCeiling, tickIndexes, timeTickIndexes } from '../../src/report/chart-series.js';
import { renderSvgChart, SVG_MAX_BINS } from '../../src/report/chart-svg.js';
import { renderTerminalChart } from '../../src/report/chart-terminal.js';
import { displayWidth } from '../../src/report/incident-terminal-table.js';
import { emptyReport, kyvernoFloodReport } from './fixtures.js';

const MIN = 60_000;
const at = (minute: number): string => new Date(Date.UTC(2024, 5, 14, 0, minute)).toISOString();

describe('alignSeries', () => {
  it('puts both series on one grid and fills the gaps with zeros', () => {
    const data = alignSeries(
      {
        binMs: 5 * MIN,
        writes: [
          { timestamp: at(0), value: 3 },
          { timestamp: at(15), value: 7 },
        ],
        failures: [{ timestamp: at(10), value: 2 }],
      },
      100,
    );
    expect(data?.writes).toEqual([3, 0, 0, 7]);
    expect(data?.failures).toEqual([0, 0, 2, 0]);
    expect(data?.binMs).toBe(5 * MIN);
    expect(data?.starts[0]).toBe(Date.parse(at(0)));
  });

  it('merges neighbouring bins by summing, keeping the totals', () => {
    const writes = Array.from({ length: 10 }, (_, i) => ({ timestamp: at(i), value: i + 1 }));
    const data = alignSeries({ binMs: MIN, writes, failures: [] }, 4);
    expect(data?.binMs).toBe(3 * MIN);
    expect(data?.writes).toEqual([1 + 2 + 3, 4 + 5 + 6, 7 + 8 + 9, 10]);
    expect(data?.writes.reduce((a, b) => a + b, 0)).toBe(55);
  });

  it('ignores unparseable timestamps and non-finite values, and returns null for no data', () => {
    expect(
      alignSeries(
        {
          binMs: MIN,
          writes: [
            { timestamp: 'nope', value: 1 },
            { timestamp: at(0), value: Number.NaN },
          ],
          failures: [],
        },
        10,
      ),
    ).toBeNull();
    expect(alignSeries(emptyReport().series, 10)).toBeNull();
  });

  it('stays bounded for a huge span with a tiny bin', () => {
    const data = alignSeries(
      {
        binMs: 1,
        writes: [
          { timestamp: at(0), value: 1 },
          { timestamp: at(60 * 24 * 7), value: 1 },
        ],
        failures: [],
      },
      50,
    );
    expect(data?.starts.length).toBeLessThanOrEqual(50);
  });
});

describe('niceCeiling and tickIndexes', () => {
  it('rounds up to 1, 2, 2.5 or 5 times a power of ten', () => {
    expect([0, 0.3, 1, 7, 12, 24, 26, 4999].map(niceCeiling)).toEqual([1, 0.5, 1, 10, 20, 25, 50, 5000]);
  });
  it('includes the first and last bin', () => {
    expect(tickIndexes(10, 4)).toEqual([0, 3, 6, 9]);
    expect(tickIndexes(1, 4)).toEqual([0]);
  });
});

describe('timeTickIndexes', () => {
  const grid = (count: number, binMs: number, first: number) => ({
    starts: Array.from({ length: count }, (_, i) => first + i * binMs),
    writes: [],
    failures: [],
    binMs,
    spanMs: count * binMs,
  });

  it('labels bins that start on round UTC times, the finest step that fits', () => {
    const data = grid(72, 5 * MIN, Date.parse(at(0)));
    expect(
      timeTickIndexes(data, 8).map((i) => new Date(data.starts[i] ?? 0).toISOString().slice(11, 16)),
    ).toEqual(['00:00', '01:00', '02:00', '03:00', '04:00', '05:00']);
    expect(timeTickIndexes(data, 30)).toEqual(Array.from({ length: 24 }, (_, i) => i * 3));
  });

  it('falls back to evenly spaced bins when the grid is not on round times', () => {
    const data = grid(10, 7 * MIN, Date.parse(at(3)));
    expect(timeTickIndexes(data, 4)).toEqual([0, 3, 6, 9]);
  });
});

describe('renderTerminalChart', () => {
  it('draws bars for writes and failures with axis labels in UTC, within the width', () => {
    const lines = renderTerminalChart(kyvernoFloodReport().series, { width: 80, color: false });
    expect(lines[0]).toMatch(/^Writes and failures per 20m \(UTC\)$/);
    for (const line of lines) expect(displayWidth(line)).toBeLessThanOrEqual(80);
    const bars = lines.filter((l) => /[▁▂▃▄▅▆▇█]/.test(l));
    expect(bars.length).toBeGreaterThanOrEqual(7);
    expect(lines.at(-1)).toMatch(/12:00 .* 0\d:\d\d/);
    expect(lines.join('\n')).not.toContain('\u001b');
  });

  it('the tallest write column reaches the top row', () => {
    const series = {
      binMs: MIN,
      writes: [
        { timestamp: at(0), value: 1 },
        { timestamp: at(1), value: 10 },
      ],
      failures: [],
    };
    const lines = renderTerminalChart(series, { width: 40, color: false, height: 4 });
    const top = lines[2] ?? '';
    expect(top.endsWith('█')).toBe(true);
    expect(lines.some((l) => l.includes('failures (none)'))).toBe(true);
  });

  it('colours only when asked', () => {
    const lines = renderTerminalChart(kyvernoFloodReport().series, { width: 80, color: true });
    expect(lines.join('\n')).toContain('\u001b[36m');
  });

  it('says so when there is nothing to draw', () => {
    expect(renderTerminalChart(emptyReport().series, { width: 80, color: false })).toEqual([
      'No write or failure data to chart.',
    ]);
  });
});

describe('renderSvgChart', () => {
  it('draws write bars and a failure line with axes, legend and an accessible title', () => {
    const svg = renderSvgChart(kyvernoFloodReport().series, 'c') ?? '';
    expect(svg).toMatch(
      /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"[^>]* role="img" aria-labelledby="c-title c-desc">/,
    );
    expect(svg).toContain(
      '<title id="c-title">Writes and failures per 5m, 06-13 12:00 to 06-14 06:00 UTC</title>',
    );
    expect((svg.match(/<rect x=/g) ?? []).length).toBeGreaterThan(100);
    expect(svg).toMatch(/<path class="failures" d="M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+"/);
    expect(svg).toContain('class="legend"');
    expect(svg).toContain('time (UTC), bins of 5m');
    expect(svg).not.toMatch(/NaN|Infinity|undefined/);
  });

  it('re-bins to at most SVG_MAX_BINS bars', () => {
    const writes = Array.from({ length: 1000 }, (_, i) => ({
      timestamp: new Date(Date.UTC(2024, 0, 1) + i * MIN).toISOString(),
      value: 5,
    }));
    const svg = renderSvgChart({ binMs: MIN, writes, failures: [] }) ?? '';
    expect((svg.match(/<rect x=/g) ?? []).length - 2).toBeLessThanOrEqual(SVG_MAX_BINS);
    expect(svg).not.toContain('class="failures"');
    expect(svg).toContain('failures (mvcc: database space exceeded): none');
  });

  it('returns null without data', () => {
    expect(renderSvgChart(emptyReport().series)).toBeNull();
  });
});

describe('renderMermaidChart', () => {
  it('writes an xychart-beta with one label and one value per bin for both series', () => {
    const chart = renderMermaidChart(kyvernoFloodReport().series) ?? '';
    const lines = chart.split('\n');
    expect(lines[0]).toBe('xychart-beta');
    const labels = /x-axis \[(.*)\]/.exec(chart)?.[1]?.split(', ') ?? [];
    const bars = /bar \[(.*)\]/.exec(chart)?.[1]?.split(', ').map(Number) ?? [];
    const line = /line \[(.*)\]/.exec(chart)?.[1]?.split(', ').map(Number) ?? [];
    expect(labels.length).toBeLessThanOrEqual(MERMAID_MAX_BINS);
    expect(labels.length).toBeGreaterThan(10);
    expect(bars).toHaveLength(labels.length);
    expect(line).toHaveLength(labels.length);
    for (const label of labels) expect(label).toMatch(/^"\d\d:\d\d"$/);
    const report = kyvernoFloodReport();
    expect(bars.reduce((a, b) => a + b, 0)).toBe(report.series.writes.reduce((a, p) => a + p.value, 0));
    expect(line.reduce((a, b) => a + b, 0)).toBe(report.failures.count);
    const max = Number(/y-axis "[^"]*" 0 --> (\d+)/.exec(chart)?.[1]);
    expect(max).toBe(Math.max(...bars, ...line));
  });

  it('returns null without data', () => {
    expect(renderMermaidChart(emptyReport().series)).toBeNull();
  });
});
