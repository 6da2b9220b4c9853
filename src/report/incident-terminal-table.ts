import { oneLine } from './incident-text.js';
import { sanitizeForTerminal } from './terminal-text.js';

/** A column of a terminal table. Fixed columns (numbers) keep their width; flexible ones share the rest. */
export interface TerminalColumn {
  header: string;
  align?: 'left' | 'right';
  flexible?: boolean;
}

const ZERO_WIDTH = /[\p{Mn}\p{Me}\u200b-\u200d\ufeff]/u;

function isWide(codePoint: number): boolean {
  return (
    (codePoint >= 0x1100 && codePoint <= 0x115f) ||
    (codePoint >= 0x2e80 && codePoint <= 0xa4cf && codePoint !== 0x303f) ||
    (codePoint >= 0xac00 && codePoint <= 0xd7a3) ||
    (codePoint >= 0xf900 && codePoint <= 0xfaff) ||
    (codePoint >= 0xfe30 && codePoint <= 0xfe4f) ||
    (codePoint >= 0xff00 && codePoint <= 0xff60) ||
    (codePoint >= 0xffe0 && codePoint <= 0xffe6) ||
    (codePoint >= 0x1f300 && codePoint <= 0x1f64f) ||
    (codePoint >= 0x1f900 && codePoint <= 0x1f9ff) ||
    (codePoint >= 0x20000 && codePoint <= 0x3fffd)
  );
}

function charWidth(char: string): number {
  if (ZERO_WIDTH.test(char)) return 0;
  return isWide(char.codePointAt(0) ?? 0) ? 2 : 1;
}

/** Columns a string takes in a terminal (East Asian wide characters count two, combining marks zero). */
export function displayWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char);
  return width;
}

/** Cuts text to at most `width` columns, ending in `…` when something was cut. */
export function truncateToWidth(text: string, width: number): string {
  if (displayWidth(text) <= width) return text;
  if (width <= 0) return '';
  let out = '';
  let used = 0;
  for (const char of text) {
    const w = charWidth(char);
    if (used + w > width - 1) break;
    out += char;
    used += w;
  }
  return `${out}…`;
}

/** Untrusted text made safe for one terminal line: escapes stripped, whitespace collapsed. */
export function terminalLine(text: string): string {
  return oneLine(sanitizeForTerminal(text));
}

function pad(text: string, width: number, align: 'left' | 'right'): string {
  const gap = ' '.repeat(Math.max(0, width - displayWidth(text)));
  return align === 'right' ? gap + text : text + gap;
}

/**
 * A plain-text table that fits `width` columns: every cell is sanitised and put on one line, flexible
 * columns are narrowed (widest first) and their cells truncated with `…` until the table fits.
 */
export function renderTerminalTable(
  columns: TerminalColumn[],
  rows: string[][],
  width: number,
  style: { header: (text: string) => string } = { header: (t) => t },
  indent = '  ',
): string[] {
  const separator = 2;
  const cells = rows.map((row) => columns.map((_, i) => terminalLine(row[i] ?? '')));
  const natural = columns.map((column, i) =>
    cells.reduce((max, row) => Math.max(max, displayWidth(row[i] ?? '')), displayWidth(column.header)),
  );
  const widths = [...natural];
  const available = Math.max(columns.length * 4, width - indent.length - separator * (columns.length - 1));
  const minimum = (i: number): number =>
    columns[i]?.flexible === true ? Math.min(natural[i] ?? 0, 6) : (natural[i] ?? 0);
  let total = widths.reduce((a, b) => a + b, 0);
  while (total > available) {
    let widest = -1;
    for (let i = 0; i < widths.length; i += 1) {
      if ((widths[i] ?? 0) > minimum(i) && (widest < 0 || (widths[i] ?? 0) > (widths[widest] ?? 0)))
        widest = i;
    }
    if (widest < 0) break;
    widths[widest] = (widths[widest] ?? 0) - 1;
    total -= 1;
  }
  const line = (row: string[], decorate: (text: string) => string = (t) => t): string =>
    indent +
    row
      .map((cell, i) => {
        const w = widths[i] ?? 0;
        const padded = pad(truncateToWidth(cell, w), w, columns[i]?.align ?? 'left');
        return i === row.length - 1 && columns[i]?.align !== 'right' ? padded.trimEnd() : padded;
      })
      .map(decorate)
      .join(' '.repeat(separator));
  return [
    line(
      columns.map((c) => c.header),
      style.header,
    ),
    ...cells.map((row) => line(row)),
  ];
}
