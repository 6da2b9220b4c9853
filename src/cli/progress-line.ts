/**
 * The progress line on stderr while CloudWatch queries run: per query its status, records and bytes
 * scanned and elapsed time, redrawn in place and cleared at the end. Only on a terminal: when stderr is
 * a pipe or a file nothing is written, so logs and `--format json` consumers see no control codes.
 */
import type { CommandIo } from './io.js';
import type { QueryProgress } from '../sources/source.js';
import { formatBytes } from '../sources/cloudwatch/cost.js';
import { sanitizeForTerminal } from '../report/terminal-text.js';

/** A redrawable status line. */
export interface ProgressLine {
  update(progress: QueryProgress): void;
  /** Erases the line (call before printing anything else, and at the end). */
  clear(): void;
}

const CLEAR_LINE = '\r\u001b[2K';
/** Redraw at most this often, so thousands of polls do not flood a slow terminal. */
const MIN_REDRAW_MS = 100;

/** Creates the progress line; a no-op unless stderr is a TTY. */
export function createProgressLine(io: CommandIo, now: () => number = Date.now): ProgressLine {
  if (!io.stderrIsTTY) return { update: () => undefined, clear: () => undefined };
  const latest = new Map<string, QueryProgress>();
  let drawn = false;
  let lastDraw = 0;
  const width = Math.max(40, Number(io.env['COLUMNS'] ?? '') || 100);

  const draw = (): void => {
    io.stderr(`${CLEAR_LINE}${renderProgress([...latest.values()], width)}`);
    drawn = true;
    lastDraw = now();
  };

  return {
    update(progress) {
      const previous = latest.get(progress.name);
      latest.set(progress.name, progress);
      // A status change is always shown; byte counters only every MIN_REDRAW_MS.
      if (previous?.status !== progress.status || now() - lastDraw >= MIN_REDRAW_MS) draw();
    },
    clear() {
      if (drawn) io.stderr(CLEAR_LINE);
      drawn = false;
    },
  };
}

/** One line: a summary, then each query (running ones first), cut to `width` columns. */
export function renderProgress(queries: QueryProgress[], width: number): string {
  const running = queries.filter((q) => q.status === 'Running' || q.status === 'Scheduled');
  const done = queries.length - running.length;
  const bytes = queries.reduce((sum, q) => sum + q.bytesScanned, 0);
  const parts = [`queries: ${running.length} running, ${done} done, ${formatBytes(bytes)} scanned`];
  for (const q of [...running, ...queries.filter((x) => !running.includes(x))]) {
    parts.push(
      `${sanitizeForTerminal(q.name).replace(/\s+/g, ' ')} ${q.status} ${q.recordsScanned.toLocaleString('en-US')} rec ${formatBytes(q.bytesScanned)} ${Math.round(q.elapsedMs / 1000)}s`,
    );
  }
  const line = parts.join(' | ');
  return line.length <= width - 1 ? line : `${line.slice(0, width - 2)}…`;
}
