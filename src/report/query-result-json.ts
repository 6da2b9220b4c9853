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
  return `${escapeInvisible(JSON.stringify(document, null, 2))}\n`;
}

// JSON.stringify escapes C0 controls but not C1 controls (U+009B is CSI on some terminals) nor bidi
// overrides and line separators, which can make JSON on a terminal read differently from what it is.
// Writing them as \uXXXX escapes changes nothing for a JSON parser.
const INVISIBLE = /[\u0080-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;

function escapeInvisible(json: string): string {
  return json.replace(INVISIBLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
