import type { IncidentReport } from '../analysis/incident-report.js';
import { csvRecord } from './escape-csv.js';
import { safeHttpUrl } from './incident-text.js';

/** Header of the timeline CSV; one record per timeline event follows. */
export const INCIDENT_CSV_COLUMNS = [
  'timestamp',
  'kind',
  'title',
  'detail',
  'evidence_query',
  'evidence_url',
] as const;

/** The timeline as RFC 4180 CSV (CRLF records), formula injection neutralised in every cell. */
export function renderIncidentCsv(report: IncidentReport): string {
  return [
    csvRecord([...INCIDENT_CSV_COLUMNS]),
    ...report.timeline.map((event) =>
      csvRecord([
        event.timestamp,
        event.kind,
        event.title,
        event.detail,
        event.evidence?.query ?? '',
        // Only http(s) links: a spreadsheet may turn a URL cell into a clickable link.
        safeHttpUrl(event.evidence?.consoleUrl) ?? '',
      ]),
    ),
  ].join('');
}
