import { sanitizeForTerminal } from './terminal-text.js';

const HTML_SPECIALS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/**
 * Escapes untrusted text for HTML element content and double- or single-quoted attribute values.
 * Control characters, escape sequences and bidi overrides are removed or made visible first (a NUL is
 * a parse error in HTML; a bidi override reorders what the reader sees).
 */
export function escapeHtml(text: string): string {
  return sanitizeForTerminal(text).replace(/[&<>"']/g, (c) => HTML_SPECIALS[c] ?? c);
}

/** Escapes text for an attribute and keeps it on one line (titles, aria labels). */
export function escapeHtmlAttribute(text: string): string {
  return escapeHtml(text.replace(/\s+/g, ' '));
}
