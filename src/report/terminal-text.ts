/* eslint-disable no-control-regex -- matching control characters is the point of this file. */
/**
 * Log content is attacker-controlled: a username or user agent can carry ANSI/OSC escape sequences that
 * rewrite the terminal (hide lines, set the title, plant hyperlinks). Everything taken from logs passes
 * through here before it reaches a terminal.
 */

// CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), other two-character ESC sequences, and C1 controls.
const ESCAPE_SEQUENCES = /\u001b\[[0-?]*[ -/]*[@-~]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)?|\u001b[@-Z\\-_]|[\u0080-\u009f]/g;
// C0 controls except tab and newline, and DEL.
const CONTROL_CHARACTERS = /[\u0000-\u0008\u000b-\u001f\u007f]/g;

/** Removes escape sequences and control characters (keeps newlines and tabs). */
export function sanitizeForTerminal(text: string): string {
  return text.replace(ESCAPE_SEQUENCES, '').replace(CONTROL_CHARACTERS, (c) => (c === '\r' ? '' : '\uFFFD'));
}
