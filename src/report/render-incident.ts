import type { IncidentReport } from '../analysis/incident-report.js';
import { renderIncidentCsv } from './incident-csv.js';
import { renderIncidentHtml } from './incident-html.js';
import { renderIncidentJson } from './incident-json.js';
import { renderIncidentMarkdown } from './incident-markdown.js';
import { renderIncidentTerminal } from './incident-terminal.js';

/** The formats `analyze --format` accepts. */
export type IncidentFormat = 'terminal' | 'json' | 'markdown' | 'html' | 'csv';

export interface RenderIncidentOptions {
  /** ANSI colour in the terminal format; the CLI sets it only on a TTY and never with NO_COLOR. */
  color: boolean;
  /** Terminal columns (default 100). */
  width?: number;
}

/** Renders an incident report in one format. Pure: the caller writes the string where it belongs. */
export function renderIncident(
  report: IncidentReport,
  format: IncidentFormat,
  options: RenderIncidentOptions,
): string {
  switch (format) {
    case 'terminal':
      return renderIncidentTerminal(report, options);
    case 'json':
      return renderIncidentJson(report);
    case 'markdown':
      return renderIncidentMarkdown(report);
    case 'html':
      return renderIncidentHtml(report);
    case 'csv':
      return renderIncidentCsv(report);
  }
  // Unreachable while the switch covers IncidentFormat; a bad value from untyped callers is a bug.
  throw new Error(`unknown report format: ${String(format)}`);
}
