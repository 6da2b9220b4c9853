import { createHash } from 'node:crypto';
import { escapeHtml } from './escape-html.js';
import { INCIDENT_HTML_CSS } from './incident-html-style.js';

const STYLE_HASH = createHash('sha256').update(INCIDENT_HTML_CSS).digest('base64');

/**
 * No script from anywhere, no fetch, no external fonts or images; only our stylesheet (by hash) and
 * data: images. `base-uri`/`form-action` are not covered by default-src, so they are closed explicitly.
 */
export const INCIDENT_HTML_CSP = `default-src 'none'; style-src 'sha256-${STYLE_HASH}'; img-src data:; base-uri 'none'; form-action 'none'`;

/**
 * The HTML shell around the report body: the CSP first in <head> (before anything it must govern),
 * no referrer, and the one stylesheet. `title` is untrusted text; it is escaped and kept short.
 */
export function htmlDocument(title: string, body: string[]): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="${INCIDENT_HTML_CSP}">`,
    '<meta name="referrer" content="no-referrer">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(Array.from(title.replace(/\s+/g, ' ')).slice(0, 200).join(''))}</title>`,
    `<style>${INCIDENT_HTML_CSS}</style>`,
    '</head>',
    '<body>',
    '<main>',
    ...body,
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
