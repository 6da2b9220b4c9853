/* eslint-disable no-control-regex -- matching control characters is the point of this file. */
/**
 * Log content is attacker-controlled: a username or user agent can carry ANSI/OSC escape sequences that
 * rewrite the terminal (hide lines, set the title, plant hyperlinks), or bidi overrides that make text
 * read differently from what it is ("Trojan Source", CVE-2021-42574). Everything taken from logs passes
 * through here before it reaches a terminal; the HTML, Markdown and CSV escapers start from here too.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... terminated by BEL, ESC \ or the 8-bit ST U+009C; an
// unterminated one runs to the end), other two-character ESC sequences, and C1 controls.
const ESCAPE_SEQUENCES =
  /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b\u009c]*(?:\u0007|\u001b\\|\u009c)?|\u001b[@-Z\\-_]|[\u0080-\u009f]/g;
// C0 controls except tab and newline, and DEL.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;
// Bidi embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069), the implicit marks
// (U+200E, U+200F, U+061C), and the line/paragraph separators that some terminals treat as newlines.
const BIDI_AND_SEPARATORS = /[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c\u2028\u2029]/g;

/**
 * Removes escape sequences and control characters (keeps newlines and tabs; drops CR) and replaces bidi
 * controls with U+FFFD, so that what is printed reads the way it is stored.
 */
export function sanitizeForTerminal(text: string): string {
  return text
    .replace(ESCAPE_SEQUENCES, '')
    .replace(CONTROL_CHARACTERS, (c) => (c === '\r' ? '' : '\uFFFD'))
    .replace(BIDI_AND_SEPARATORS, '\uFFFD');
}
