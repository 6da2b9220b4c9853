/**
 * Value formatting shared by every incident renderer: times in UTC, counts, shares, bytes, money.
 * Pure and locale-independent, so the same report renders the same bytes on every machine.
 */

const MS_PER_UNIT: [string, number][] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1000],
];

/** Epoch ms of an ISO timestamp, or null when it does not parse. */
export function parseIsoMs(iso: string | null | undefined): number | null {
  if (iso === null || iso === undefined) return null;
  const ms = Date.parse(iso);
  return Number.isNaN(ms) ? null : ms;
}

/** `2024-06-14 03:02:01.123` (UTC); an unparseable value is returned as given, for the caller to escape. */
export function formatUtc(iso: string, withMs = true): string {
  const ms = parseIsoMs(iso);
  if (ms === null) return iso;
  const text = new Date(ms).toISOString().replace('T', ' ').replace('Z', '');
  return withMs ? text : text.slice(0, 19);
}

/** A UTC axis label for a bin start: `HH:MM`, with the date when the chart spans more than a day. */
export function formatAxisTime(ms: number, spanMs: number): string {
  const iso = new Date(ms).toISOString();
  if (spanMs > 86_400_000) return `${iso.slice(5, 10)} ${iso.slice(11, 16)}`;
  return iso.slice(11, 16);
}

/** 1234567 -> `1,234,567` (no locale: the same on every machine). */
export function formatCount(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const sign = value < 0 ? '-' : '';
  const [whole = '0', fraction] = Math.abs(value).toString().split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? `${sign}${grouped}` : `${sign}${grouped}.${fraction.slice(0, 2)}`;
}

/** A 0..1 fraction as a percentage with one decimal. */
export function formatShare(fraction: number): string {
  return Number.isFinite(fraction) ? `${(fraction * 100).toFixed(1)}%` : '-';
}

/** Growth against the baseline: `x12.5`, or `new` when the baseline had none. */
export function formatGrowth(growth: number | null): string {
  if (growth === null) return 'new';
  if (!Number.isFinite(growth)) return '-';
  return `x${growth >= 100 ? Math.round(growth).toString() : growth.toFixed(1)}`;
}

/** Bytes in binary units: `512 B`, `3.2 MiB`, `7.9 GiB`. */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes)) return String(bytes);
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (Math.abs(value) >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit] ?? ''}`;
}

/** US dollars with enough precision for query costs: `$0.0042`, `$1.25`. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return String(amount);
  return amount >= 1 ? `$${amount.toFixed(2)}` : `$${amount.toFixed(4)}`;
}

/** A duration in the largest whole units: `5m`, `1h30m`, `2d`, `250ms`. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms <= 0) return `${ms}ms`;
  let rest = Math.round(ms);
  let text = '';
  for (const [unit, size] of MS_PER_UNIT) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      text += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return rest > 0 ? `${text}${rest}ms` : text;
}

/** Collapses every run of whitespace (newlines and tabs included) to one space: for one-line cells. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** `resource.group` as kubectl names it, or the bare resource for the core group. */
export function qualifiedResource(resource: string, apiGroup: string): string {
  return apiGroup === '' ? resource : `${resource}.${apiGroup}`;
}

/** Accepts only absolute http(s) URLs (console links); anything else yields null and is shown as text. */
export function safeHttpUrl(url: string | null | undefined): string | null {
  if (url === null || url === undefined) return null;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return null;
  if (parsed.username !== '' || parsed.password !== '') return null;
  return parsed.href;
}

/** Where the remediation applies: a namespace, `(cluster scope)` for '', `several namespaces` for '*'. */
export function remediationScope(namespace: string): string {
  if (namespace === '') return '(cluster scope)';
  return namespace === '*' ? 'several namespaces' : namespace;
}

/** The etcd key prefixes to hand to AWS Support: the list when the analysis gave one, else the single prefix. */
export function remediationPrefixes(remediation: {
  etcdKeyPrefix: string;
  etcdKeyPrefixes?: string[];
}): string[] {
  const list = remediation.etcdKeyPrefixes ?? [];
  return list.length > 0 ? list : [remediation.etcdKeyPrefix];
}

/** Longest value from logs that the HTML and Markdown reports show whole; JSON always has all of it. */
export const MAX_SHOWN_CHARS = 2000;

/** Cuts a very long value, saying how much was left out (never splitting a surrogate pair). */
export function clipText(text: string, max = MAX_SHOWN_CHARS): string {
  if (text.length <= max) return text;
  let end = max;
  const last = text.charCodeAt(end - 1);
  if (last >= 0xd800 && last <= 0xdbff) end -= 1;
  return `${text.slice(0, end)}… [${formatCount(text.length - end)} more characters; see --format json]`;
}

/** One line on audit logging: on or off, since when, and the span of events available; null when nothing is known. */
export function readinessSummary(readiness: {
  auditLoggingEnabled: boolean | null;
  enabledSince: string | null;
  oldestEvent: string | null;
  newestEvent: string | null;
}): string | null {
  const parts: string[] = [];
  if (readiness.auditLoggingEnabled === true)
    parts.push(
      readiness.enabledSince === null ? 'enabled' : `enabled since ${formatUtc(readiness.enabledSince)} UTC`,
    );
  if (readiness.auditLoggingEnabled === false) parts.push('DISABLED');
  if (readiness.oldestEvent !== null && readiness.newestEvent !== null)
    parts.push(`events from ${formatUtc(readiness.oldestEvent)} to ${formatUtc(readiness.newestEvent)} UTC`);
  return parts.length === 0 ? null : parts.join('; ');
}
