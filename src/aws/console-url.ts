/**
 * Deep links to the CloudWatch Logs Insights console with a query, its window and its log groups filled
 * in, so a responder can open exactly what the tool ran. The console reads its state from the URL
 * fragment in JSURL v1 (npm `jsurl` 0.1.x, Sage/jsurl README "Syntax"); see aws-facts.md section D.
 */

/** A value JSURL can encode. */
export type JsurlValue =
  string | number | boolean | null | JsurlValue[] | { [key: string]: JsurlValue | undefined };

/**
 * Escapes a key or string the JSURL v1 way: `[A-Za-z0-9_.-]` kept, `$` -> `!`, other code units up to
 * 0xFF -> `*` + 2 lowercase hex digits, above -> `**` + 4 hex digits. The regex has no `u` flag on
 * purpose: JSURL escapes UTF-16 code units, so an astral character becomes two `**xxxx` groups.
 * (Current Sage/jsurl HEAD leaves `'` and `(` alone; the console's own URLs escape them, as here.)
 */
function escapeJsurl(text: string): string {
  return text.replace(/[^A-Za-z0-9_.-]/g, (ch) => {
    if (ch === '$') return '!';
    const code = ch.charCodeAt(0);
    return code < 0x100
      ? `*${code.toString(16).padStart(2, '0')}`
      : `**${code.toString(16).padStart(4, '0')}`;
  });
}

/** Encodes a value as JSURL v1 (`~(k~v)`, `~(~a~b)`, `~'text`, `~12`, `~true`). */
export function encodeJsurl(value: JsurlValue): string {
  if (value === null) return '~null';
  if (typeof value === 'number') return Number.isFinite(value) ? `~${value}` : '~null';
  if (typeof value === 'boolean') return value ? '~true' : '~false';
  if (typeof value === 'string') return `~'${escapeJsurl(value)}`;
  if (Array.isArray(value)) {
    // aws-facts D: an empty array is `~()`.
    return `~(${value.map((item) => encodeJsurl(item)).join('')})`;
  }
  const parts: string[] = [];
  for (const [key, item] of Object.entries(value)) {
    if (item === undefined) continue;
    parts.push(`${escapeJsurl(key)}${encodeJsurl(item)}`);
  }
  return `~(${parts.join('~')})`;
}

/** The console host for a region: the commercial partition, GovCloud or China. */
export function consoleHost(region: string): string {
  if (region.startsWith('us-gov-')) return `${region}.console.amazonaws-us-gov.com`;
  if (region.startsWith('cn-')) return `${region}.console.amazonaws.cn`;
  return `${region}.console.aws.amazon.com`;
}

/** What a Logs Insights console link is built from: region, log groups, window and query. */
export interface LogsInsightsLinkInput {
  region: string;
  /** Log group names or ARNs (ARNs without the trailing `:*`). */
  logGroups: string[];
  queryString: string;
  /** Window in epoch ms; shown as absolute ISO times. */
  startMs: number;
  endMs: number;
  queryId?: string;
  /** Time zone the console shows; we report in UTC, so UTC by default. */
  tz?: 'UTC' | 'LOCAL';
}

/** Builds the Logs Insights console URL with the query, window and log groups filled in. */
export function logsInsightsConsoleUrl(input: LogsInsightsLinkInput): string {
  // Key order as in URLs the console itself produces (aws-facts D, captured URL).
  const detail: JsurlValue = {
    end: new Date(input.endMs).toISOString(),
    start: new Date(input.startMs).toISOString(),
    timeType: 'ABSOLUTE',
    tz: input.tz ?? 'UTC',
    editorString: input.queryString,
    queryId: input.queryId,
    source: input.logGroups,
    lang: 'CWLI',
  };
  // `$3F` and `$3D` are `?` and `=` escaped with `$` instead of `%`, as the console writes them.
  return (
    `https://${consoleHost(input.region)}/cloudwatch/home?region=${encodeURIComponent(input.region)}` +
    `#logsV2:logs-insights$3FqueryDetail$3D${encodeJsurl(detail)}`
  );
}
