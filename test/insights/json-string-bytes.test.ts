import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unescapeJsonString } from '../../src/insights/json-string-bytes.js';

/** No lone surrogate: with the u flag, \p{Cs} matches only unpaired halves. */
function wellFormed(text: string): boolean {
  return !/\p{Cs}/u.test(text);
}

/** unescapeJsonString over a whole token: the output's text, or -1. */
function unescape(token: Buffer): string | -1 {
  const out = Buffer.alloc(token.length);
  const n = unescapeJsonString(token, 0, token.length, out);
  return n < 0 ? -1 : out.toString('utf8', 0, n);
}

/** JSON.parse accepts the token. */
function parses(token: Buffer): boolean {
  try {
    JSON.parse(token.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** What the fast path must give for a token: JSON.parse's string when UTF-8 can hold it, else -1. */
function expected(token: Buffer): string | -1 {
  let parsed: unknown;
  try {
    parsed = JSON.parse(token.toString('utf8'));
  } catch {
    return -1;
  }
  if (typeof parsed !== 'string') return -1;
  return wellFormed(parsed) ? parsed : -1;
}

const SIMPLE: Record<string, string> = {
  '"': '\\"',
  '\\': '\\\\',
  '/': '\\/',
  '\b': '\\b',
  '\f': '\\f',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
};

/** One UTF-16 unit or code point, spelled raw, as a simple escape, or as \u (either case of hex). */
const spelledChar = fc
  .tuple(
    fc.oneof(
      fc.integer({ min: 0, max: 0x7f }),
      fc.integer({ min: 0x80, max: 0xffff }),
      fc.integer({ min: 0xd7f0, max: 0xe010 }),
      fc.integer({ min: 0x10000, max: 0x10ffff }),
    ),
    fc.integer({ min: 0, max: 3 }),
  )
  .map(([cp, style]) => {
    const text = String.fromCodePoint(cp);
    const simple = SIMPLE[text];
    if (style === 1 && simple !== undefined) return simple;
    if (style >= 2 || text === '"' || text === '\\' || cp < 0x20) {
      let escaped = '';
      for (let i = 0; i < text.length; i++) {
        const hex = text.charCodeAt(i).toString(16).padStart(4, '0');
        escaped += `\\u${style === 3 ? hex.toUpperCase() : hex}`;
      }
      return escaped;
    }
    return text;
  });

/** Bytes that are often not a valid token: raw bytes of any value and pieces of escapes. */
const fragment = fc.oneof(
  fc.integer({ min: 0, max: 255 }).map((b) => Buffer.from([b])),
  fc
    .constantFrom(
      '\\u',
      '\\ud83d',
      '\\ude00',
      '\\uDBFF',
      '\\u00e9',
      '\\n',
      '\\"',
      '\\\\',
      '\\x',
      '"',
      'a',
      '\u00e9',
      '\\',
    )
    .map((s) => Buffer.from(s)),
  fc.constantFrom([0xe2, 0x82], [0xf0, 0x9f], [0xed, 0xa0, 0x80], [0xc3], [0xbf]).map((b) => Buffer.from(b)),
);

describe('unescapeJsonString', () => {
  it('gives the UTF-8 of JSON.parse for any string spelled any way', () => {
    fc.assert(
      fc.property(fc.array(spelledChar, { maxLength: 40 }), (chars) => {
        const token = Buffer.from(`"${chars.join('')}"`, 'utf8');
        expect(unescape(token)).toBe(expected(token));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees with JSON.parse on any valid token of arbitrary bytes, invalid UTF-8 included', () => {
    let valid = 0;
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 30 }), (parts) => {
        const token = Buffer.concat([Buffer.from('"'), ...parts, Buffer.from('"')]);
        // Invalid tokens never reach it (the byte scanner refuses their line): it must only stay
        // inside its buffers on them.
        const out = Buffer.alloc(token.length + 8, 0xaa);
        const n = unescapeJsonString(token, 0, token.length, out);
        expect(n).toBeLessThanOrEqual(token.length);
        expect(out.subarray(token.length)).toEqual(Buffer.alloc(8, 0xaa));
        if (!parses(token)) return;
        valid++;
        expect(unescape(token)).toBe(expected(token));
      }),
      { numRuns: 8000 },
    );
    expect(valid).toBeGreaterThan(500);
  });

  it('gives exactly the bytes Buffer.from gives the parsed string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 60 }), (text) => {
        const token = Buffer.from(JSON.stringify(text));
        const out = Buffer.alloc(token.length);
        const n = unescapeJsonString(token, 0, token.length, out);
        if (!wellFormed(text)) expect(n).toBe(-1);
        else expect(out.subarray(0, n)).toEqual(Buffer.from(text, 'utf8'));
      }),
    );
  });

  it('reads the escapes Go writes and surrogate pairs', () => {
    expect(unescape(Buffer.from('"\\u003cb\\u003e \\u0026 caf\\u00e9 \\ud83d\\ude00 \\u20AC"'))).toBe(
      '<b> & café 😀 €',
    );
    expect(unescape(Buffer.from('"{\\"kind\\":\\"Event\\",\\"uri\\":\\"\\/api\\/v1\\"}"'))).toBe(
      '{"kind":"Event","uri":"/api/v1"}',
    );
  });

  it('refuses lone surrogates, and the escapes and ends it does see broken', () => {
    for (const token of [
      '"\\ud800"',
      '"\\udc00\\ud800"',
      '"\\ud83d\\u0041"',
      '"\\ud83d"',
      '"\\ud83d\\"',
      'a"',
      '"',
      '"\\q"',
      '"\\u12"',
      '"\\u12g4"',
    ])
      expect(unescape(Buffer.from(token)), token).toBe(-1);
  });

  it('reads a token in the middle of a larger buffer, into a buffer at an offset', () => {
    const line = Buffer.from('xx{"message":"a\\u00e9\\"bcdefgh"}yy');
    const from = line.indexOf('"a');
    const to = line.indexOf('}');
    const backing = Buffer.alloc(64);
    const out = backing.subarray(3);
    const n = unescapeJsonString(line, from, to, out);
    expect(out.toString('utf8', 0, n)).toBe('aé"bcdefgh');
  });
});
