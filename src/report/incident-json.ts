import type { IncidentReport } from '../analysis/incident-report.js';

// JSON.stringify escapes C0 controls but writes DEL, C1 controls (U+009B is a CSI on some terminals),
// bidi controls and the line separators raw. These can only occur inside strings, where a \u escape
// is the same value, so the document parses to the same report and is safe to `cat` to a terminal.
const UNSAFE_IN_TERMINAL = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

/**
 * The report as JSON: `schemaVersion` first, then the fields in schema order, 2-space indent, trailing
 * newline. Control and bidi characters from logs are written as \u escapes.
 */
export function renderIncidentJson(report: IncidentReport): string {
  const { schemaVersion, ...rest } = report;
  const json = JSON.stringify({ schemaVersion, ...rest }, null, 2).replace(
    UNSAFE_IN_TERMINAL,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return `${json}\n`;
}
