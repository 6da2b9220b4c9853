import type { QueryOutcome } from '../sources/source.js';

/**
 * `queries run --format json`: `{ "rows": [{field: value}], "statistics": {...} }`, values strings
 * exactly as CloudWatch's GetQueryResults returns them (absent fields are absent), plus `skipped`
 * when malformed input lines were skipped, `truncated` when a result cap was hit, and `consoleUrl`.
 */
export function renderQueryResultJson(outcome: QueryOutcome): string {
  const rows = outcome.rows.map((row) => {
    const ordered: Record<string, string> = {};
    for (const field of outcome.fields) {
      const value = row[field];
      if (value !== undefined) ordered[field] = value;
    }
    // Fields a row has but the column list lacks still belong to the row.
    for (const [field, value] of Object.entries(row)) if (!(field in ordered)) ordered[field] = value;
    return ordered;
  });
  const document: Record<string, unknown> = { rows, statistics: { ...outcome.statistics } };
  if (outcome.skipped !== undefined && outcome.skipped.count > 0) document['skipped'] = outcome.skipped;
  if (outcome.truncated) document['truncated'] = true;
  if (outcome.consoleUrl !== undefined) document['consoleUrl'] = outcome.consoleUrl;
  return `${JSON.stringify(document, null, 2)}\n`;
}
