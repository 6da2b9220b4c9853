import { sanitizeForTerminal } from './terminal-text.js';

// Characters with inline meaning in CommonMark/GFM: escapes, code spans, emphasis, links and images,
// table pipes, strikethrough, GitHub math ($) and @mentions. Backslash escapes work for any ASCII
// punctuation (CommonMark spec, "Backslash escapes"); `&`, `<` and `>` become entities instead so that
// raw HTML and entity references in log text stay inert when the Markdown is rendered to HTML.
const INLINE_SPECIALS = /[\\`*_[\]|~$@]/g;
const HTML_SPECIALS: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

function escapeInline(text: string): string {
  return sanitizeForTerminal(text)
    .replace(INLINE_SPECIALS, (c) => `\\${c}`)
    .replace(/[&<>]/g, (c) => HTML_SPECIALS[c] ?? c);
}

/**
 * Escapes untrusted text for a Markdown paragraph or heading: one line (a newline could start a block
 * such as a heading or a list), no inline markup, no raw HTML.
 */
export function escapeMarkdownText(text: string): string {
  return escapeInline(text.replace(/\s+/g, ' ').trim());
}

/**
 * Escapes untrusted text for a GFM table cell: like escapeMarkdownText, with `|` escaped (GFM honours
 * `\|` even inside code spans and links) and line breaks kept as `<br>`.
 */
export function escapeMarkdownCell(text: string): string {
  const lines = sanitizeForTerminal(text)
    .split('\n')
    .map((line) => escapeInline(line.replace(/\s+/g, ' ').trim()))
    .filter((line, i, all) => line !== '' || (i > 0 && i < all.length - 1));
  return lines.join('<br>');
}

/**
 * A fenced code block that its content cannot close: the fence is one backtick longer than the longest
 * backtick run inside (CommonMark: a closing fence must be at least as long as the opening one). It
 * must be written at the top level, never inside a list item, where an unindented line would end it.
 */
export function markdownCodeBlock(content: string, language = ''): string {
  const clean = sanitizeForTerminal(content).replace(/\n+$/, '');
  let longest = 0;
  for (const run of clean.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return `${fence}${language}\n${clean}\n${fence}`;
}

/**
 * A Markdown link to an http(s) URL (validated by the caller), written so that no character of the
 * URL can end the link or a table cell early: parentheses are backslash-escaped (CommonMark link
 * destinations honour backslash escapes); `|`, brackets, backslash and whitespace are percent-encoded
 * (console links never contain them: JSURL escapes them as `*xx`).
 */
export function markdownLink(label: string, url: string): string {
  const destination = url
    .replace(/[\\|\s<>`[\]]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`)
    .replace(/[()]/g, (c) => `\\${c}`);
  return `[${escapeMarkdownText(label)}](${destination})`;
}
