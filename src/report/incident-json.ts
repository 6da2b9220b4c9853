import type { IncidentReport } from '../analysis/incident-report.js';

/**
 * The report as JSON: `schemaVersion` first, then the fields in schema order, 2-space indent, trailing
 * newline. JSON.stringify escapes every control character, so log content cannot break the document.
 */
export function renderIncidentJson(report: IncidentReport): string {
  const { schemaVersion, ...rest } = report;
  return `${JSON.stringify({ schemaVersion, ...rest }, null, 2)}\n`;
}
