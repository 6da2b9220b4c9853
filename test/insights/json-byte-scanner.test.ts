import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytes, parsesAsObject } from './json-bytes-support.js';
import { getField, type LogRecord } from '../../src/insights/index.js';
import {
  createJsonByteScanner,
  type JsonByteScanner,
  type JsonByteScannerKind,
} from '../../src/insights/json-byte-scanner.js';

/**
 * The byte scanner's contract (issue 5, the shaped fast path): scan() is true only for lines that
 * JSON.parse accepts as an object starting at the first byte, and then each slot holds the token
 * getField reads (-1 when getField gives undefined). So lines with byte-equal slots agree on every
 * field. getField on the decoded line is the oracle throughout. Every test runs against both
 * implementations: the JS reference and the WebAssembly one (native/json-scan.c).
 */

const decode = (bytes: Uint8Array): string => Buffer.from(bytes).toString('utf8');
const recordOf = (bytes: Uint8Array): LogRecord => ({
  message: decode(bytes),
  timestamp: 0,
  logStream: '',
  log: '',
});

/** field-resolver.ts leaf() of a token's parsed value. */
function leafOf(token: Uint8Array): unknown {
  const v: unknown = JSON.parse(decode(token));
  if (typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

const slotToken = (s: JsonByteScanner, bytes: Uint8Array, k: number): Uint8Array | undefined =>
  (s.slotStart[k] as number) < 0 ? undefined : bytes.subarray(s.slotStart[k], s.slotEnd[k]);

/**
 * Checks everything a true scan promises for one line; returns whether it was accepted. The slice
 * is scanned inside a larger buffer so that nothing outside [start, end) can leak in.
 */
function checkLine(scanner: JsonByteScanner, bytes: Uint8Array): boolean {
  const framed = Buffer.concat([Buffer.from('{"x":1}\n'), bytes, Buffer.from('\n"]}')]);
  // And again with plain bytes right after the line, and with the line at the very end of its buffer.
  const before = scanner.scan(Buffer.concat([bytes, Buffer.from('aaaaaaa"}')]), 0, bytes.length);
  const atEnd = scanner.scan(new Uint8Array(bytes), 0, bytes.length);
  const ok = scanner.scan(framed, 8, 8 + bytes.length);
  expect([before, atEnd]).toEqual([ok, ok]);
  if (!ok) return false;
  expect(parsesAsObject(bytes)).toBe(true);
  expect(bytes[0]).toBe(0x7b);
  let last = bytes.length - 1;
  while (bytes[last] === 0x20 || bytes[last] === 0x09) last--;
  expect(bytes[last]).toBe(0x7d);
  const record = recordOf(bytes);
  scanner.fieldNames.forEach((name, k) => {
    const start = scanner.slotStart[k] as number;
    const expected = getField(record, name);
    if (start < 0) expect(expected).toBeUndefined();
    else expect(leafOf(framed.subarray(start, scanner.slotEnd[k]))).toBe(expected);
  });
  return true;
}

/** A JSON tree that keeps what JSON.stringify cannot: duplicate keys, number spellings, escapes. */
type Json =
  | { t: 'str'; v: string; style: number }
  | { t: 'raw'; v: string }
  | { t: 'arr'; items: Json[] }
  | { t: 'obj'; entries: [string, number, Json][] };

const KEYS = [
  'verb',
  'user',
  'username',
  'objectRef',
  'resource',
  'a',
  'b',
  'c',
  'a.b',
  'b.c',
  'objectRef.resource',
  'user.username',
  'annotations',
  'authorization.k8s.io/decision',
  'authorization',
  'k8s.io/decision',
  'sourceIPs',
  '0',
  'length',
  'é',
  '',
  '__proto__',
  'other',
];
const NAMES = [
  'verb',
  'user.username',
  'objectRef.resource',
  'objectRef',
  'a.b.c',
  'a.b',
  'annotations.authorization.k8s.io/decision',
  'sourceIPs',
  'é',
  '',
  'other.0',
];
const NUMBERS = [
  '0',
  '-0',
  '7',
  '-12',
  '1.5',
  '0.25e3',
  '1E+2',
  '2e-3',
  '-1.0E-0',
  '1e400',
  '12345678901234567890',
];
const STRINGS = [
  'get',
  'pods',
  '',
  'a"b',
  'back\\slash',
  'é',
  '\u2028',
  '/x/',
  '\ud800',
  'tab\there',
  'x'.repeat(30),
];

const scalar: fc.Arbitrary<Json> = fc.oneof(
  fc.record({
    t: fc.constant('str' as const),
    v: fc.oneof(fc.constantFrom(...STRINGS), fc.string({ unit: 'binary', maxLength: 6 })),
    style: fc.nat(3),
  }),
  fc.record({ t: fc.constant('raw' as const), v: fc.constantFrom(...NUMBERS, 'true', 'false', 'null') }),
);
const tree: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalar,
    fc.record({ t: fc.constant('arr' as const), items: fc.array(tie('value'), { maxLength: 3 }) }),
    fc.record({
      t: fc.constant('obj' as const),
      entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.nat(9), tie('value')), { maxLength: 5 }),
    }),
  ),
})).value;
const topTree = fc.record({
  t: fc.constant('obj' as const),
  entries: fc.array(fc.tuple(fc.constantFrom(...KEYS), fc.nat(9), tree), { maxLength: 7 }),
});

const WS = ['', '', '', ' ', '\t', '\n', '\r\n  '];
/** Serialises a tree; `style` picks the spelling of strings (plain, \u escapes, \/) and keys. */
function spell(node: Json, ws: () => string): string {
  switch (node.t) {
    case 'raw':
      return node.v;
    case 'str':
      return spellString(node.v, node.style);
    case 'arr':
      return `[${ws()}${node.items.map((v) => spell(v, ws)).join(`${ws()},${ws()}`)}${ws()}]`;
    case 'obj':
      return `{${node.entries
        .map(
          ([k, style, v]) =>
            `${ws()}${spellString(k, style === 9 ? 1 : 0)}${ws()}:${ws()}${spell(v, ws)}${ws()}`,
        )
        .join(',')}}`;
  }
}

function spellString(v: string, style: number): string {
  if (style === 1)
    return `"${[...v].map((ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`;
  if (style === 2) return JSON.stringify(v).replace(/\//g, '\\/');
  if (style === 3)
    return JSON.stringify(v)
      .toUpperCase()
      .replace(/\\U/g, '\\u')
      .replace(/\\(["\\/BFNRT])/g, (m) => m.toLowerCase());
  return JSON.stringify(v);
}

const spacing = fc.array(fc.constantFrom(...WS), { minLength: 1, maxLength: 16 }).map((list) => {
  let i = 0;
  return (): string => list[i++ % list.length] as string;
});
const line = fc.tuple(topTree, spacing).map(([t, ws]) => Buffer.from(spell(t, ws), 'utf8'));

const KINDS: JsonByteScannerKind[] = ['js', 'wasm'];

describe.each(KINDS)('%s scanner', (kind) => {
  const scanner = createJsonByteScanner(NAMES, kind) as JsonByteScanner;

  describe('createJsonByteScanner', () => {
    it('refuses names it cannot answer exactly', () => {
      for (const name of [
        '@timestamp',
        '@message',
        '@log',
        '__proto__',
        'a.__proto__.b',
        'a.b.c.d.e.f.g.h.i',
        'x\ud800',
        '\ufffd',
      ])
        expect(createJsonByteScanner(['verb', name], kind), name).toBeUndefined();
      expect(createJsonByteScanner(['a.b.c.d.e.f.g.h', '@foo', 'x\ud83d\ude00', ''], kind)).toBeDefined();
    });
  });

  describe('JsonByteScanner.scan', () => {
    it('agrees with getField on random objects, duplicates, dotted keys and every spelling', () => {
      let accepted = 0;
      fc.assert(
        fc.property(line, (bytes) => {
          if (checkLine(scanner, bytes)) accepted++;
        }),
        { numRuns: 3000 },
      );
      expect(accepted).toBeGreaterThan(1000);
    });

    it('accepts and reads exactly the plain JSON.stringify lines', () => {
      const plainKeys = fc.constantFrom(
        'verb',
        'user',
        'username',
        'objectRef',
        'resource',
        'x',
        'é',
        'other',
      );
      const value: fc.Arbitrary<unknown> = fc.letrec<{ v: unknown }>((tie) => ({
        v: fc.oneof(
          { depthSize: 'small' },
          fc.oneof(fc.string({ unit: 'binary' }), fc.double(), fc.integer(), fc.boolean(), fc.constant(null)),
          fc.dictionary(plainKeys, tie('v'), { maxKeys: 4 }),
        ),
      })).v;
      const names = ['verb', 'user.username', 'objectRef.resource', 'objectRef', 'é', 'x'];
      const plain = createJsonByteScanner(names, kind) as JsonByteScanner;
      fc.assert(
        fc.property(fc.dictionary(plainKeys, value, { maxKeys: 6 }), (object) => {
          const bytes = Buffer.from(JSON.stringify(object), 'utf8');
          expect(checkLine(plain, bytes)).toBe(true);
          expect(plain.scan(bytes, 0, bytes.length)).toBe(true);
          // (c) the token parses to the value along the plain path.
          names.forEach((name, k) => {
            let v: unknown = JSON.parse(decode(bytes));
            for (const seg of name.split('.'))
              v = v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[seg] : undefined;
            const token = slotToken(plain, bytes, k);
            if (token === undefined)
              expect(v === null || v === undefined || typeof v === 'object').toBe(true);
            else expect(JSON.parse(decode(token))).toEqual(v);
          });
        }),
        { numRuns: 1000 },
      );
    });

    it('never accepts a corrupted line that JSON.parse rejects, and reads the ones it accepts right', () => {
      const corruption = fc.oneof(
        fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
        fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), byte: fc.nat(255) }),
        fc.record({
          kind: fc.constant('insert' as const),
          at: fc.nat(),
          text: fc.constantFrom(
            '\u0001',
            '\t',
            '\r',
            '\\x',
            '\\u12',
            '\\ud800',
            '\\udc00\\ud800',
            '"',
            ',',
            '}',
            ']',
            ' ',
            'tru',
            '-',
            '0',
            '\u00ff',
          ),
        }),
        fc.record({
          kind: fc.constant('bytes' as const),
          at: fc.nat(),
          byte: fc.constantFrom(0x80, 0xc3, 0xff, 0xed, 0x00, 0x1f),
        }),
      );
      let rejected = 0;
      fc.assert(
        fc.property(line, fc.array(corruption, { minLength: 1, maxLength: 3 }), (bytes, changes) => {
          let b: Buffer = bytes;
          for (const c of changes) {
            const at = b.length === 0 ? 0 : c.at % (b.length + 1);
            if (c.kind === 'truncate') b = b.subarray(0, at);
            else if (c.kind === 'flip')
              b = Buffer.concat([b.subarray(0, at), Buffer.from([c.byte]), b.subarray(at + 1)]);
            else if (c.kind === 'insert')
              b = Buffer.concat([b.subarray(0, at), Buffer.from(c.text, 'utf8'), b.subarray(at)]);
            else b = Buffer.concat([b.subarray(0, at), Buffer.from([c.byte]), b.subarray(at)]);
          }
          if (!checkLine(scanner, b)) rejected++;
        }),
        { numRuns: 3000 },
      );
      expect(rejected).toBeGreaterThan(500);
    });

    it('gives equal field values to lines with equal slot tokens', () => {
      const key = (s: JsonByteScanner, bytes: Uint8Array): string =>
        s.fieldNames
          .map((_, k) => (s.slotStart[k]! < 0 ? '-' : Buffer.from(slotToken(s, bytes, k)!).toString('hex')))
          .join('|');
      // Pairs that differ only in unselected keys and in spacing, and random unrelated pairs.
      const noise = fc.array(fc.tuple(fc.constantFrom('zz', 'q', 'k', 'verbs'), fc.nat(9), tree), {
        maxLength: 3,
      });
      let compared = 0;
      fc.assert(
        fc.property(topTree, noise, spacing, spacing, line, (t, extra, ws1, ws2, other) => {
          const a = Buffer.from(spell(t, ws1), 'utf8');
          const b = Buffer.from(spell({ t: 'obj', entries: [...extra, ...t.entries] }, ws2), 'utf8');
          const candidates = [b, other];
          if (!scanner.scan(a, 0, a.length)) return;
          const keyA = key(scanner, a);
          for (const c of candidates) {
            if (!scanner.scan(c, 0, c.length) || key(scanner, c) !== keyA) continue;
            compared++;
            for (const name of NAMES) expect(getField(recordOf(c), name)).toBe(getField(recordOf(a), name));
          }
        }),
        { numRuns: 2000 },
      );
      expect(compared).toBeGreaterThan(500);
    });
  });

  describe('JsonByteScanner refusals and edge cases', () => {
    const bytesOf = (text: string): Buffer => Buffer.from(text, 'utf8');
    const scanText = (names: string[], text: string): boolean => {
      const s = createJsonByteScanner(names, kind) as JsonByteScanner;
      const bytes = bytesOf(text);
      const ok = checkLine(s, bytes);
      expect(s.scan(bytes, 0, bytes.length)).toBe(ok);
      return ok;
    };
    const tokens = (names: string[], text: string): (string | null)[] => {
      const s = createJsonByteScanner(names, kind) as JsonByteScanner;
      const bytes = bytesOf(text);
      expect(s.scan(bytes, 0, bytes.length)).toBe(true);
      return names.map((_, k) => {
        const t = slotToken(s, bytes, k);
        return t === undefined ? null : decode(t);
      });
    };

    it('tells a key with a null, an object or an array from an absent one (found)', () => {
      const s = createJsonByteScanner(['a', 'b', 'c', 'd', 'e', 'x.y'], kind) as JsonByteScanner;
      const bytes = bytesOf('{"a":null,"b":{},"c":[1],"d":"v","x":{"z":1},"q":{"e":1}}');
      expect(s.scan(bytes, 0, bytes.length)).toBe(true);
      expect([0, 1, 2, 3, 4, 5].map((k) => [s.slotStart[k] === -1, s.found(k)])).toEqual([
        [true, true],
        [true, true],
        [true, true],
        [false, true],
        [true, false],
        [true, false],
      ]);
    });

    it('reads the leaf tokens of an ordinary audit line', () => {
      const text =
        '{"kind":"Event","stage":"ResponseComplete","verb":"create","user":{"username":"system:admin","groups":["a"]},' +
        '"objectRef":{"resource":"pods","namespace":"default"},"responseStatus":{"metadata":{},"code":201},' +
        '"annotations":{"authorization.k8s.io/decision":"allow"},"ok":true,"n":null}';
      expect(
        tokens(
          [
            'verb',
            'user.username',
            'objectRef.resource',
            'responseStatus.code',
            'annotations.authorization.k8s.io/decision',
            'ok',
            'n',
            'user',
            'user.groups',
            'objectRef.apiGroup',
          ],
          text,
        ),
      ).toEqual(['"create"', '"system:admin"', '"pods"', '201', '"allow"', 'true', null, null, null, null]);
    });

    it('refuses an escaped key where keys are selected, and allows it elsewhere', () => {
      expect(scanText(['verb'], '{"v\\u0065rb":"get"}')).toBe(false);
      expect(scanText(['verb'], '{"x\\"y":"get"}')).toBe(false);
      expect(scanText(['user.username'], '{"user":{"\\u0075sername":"a"}}')).toBe(false);
      expect(scanText(['verb'], '{"other":{"v\\u0065rb":1},"verb":"get"}')).toBe(true);
      expect(scanText(['user.username'], '{"verb":{"\\u0075sername":"a"},"user":{"username":"b"}}')).toBe(
        true,
      );
    });

    it('refuses a selected key written twice in one object, not an unselected one', () => {
      expect(scanText(['verb'], '{"verb":"a","verb":"b"}')).toBe(false);
      expect(scanText(['user.username'], '{"user":{"username":"a","username":"b"}}')).toBe(false);
      expect(scanText(['user.username'], '{"user":{},"user":{"username":"b"}}')).toBe(false);
      expect(scanText(['verb'], '{"x":1,"x":2,"verb":"a","o":{"verb":1,"verb":2}}')).toBe(true);
    });

    it('follows the resolver through keys that hold dots', () => {
      expect(tokens(['objectRef.resource'], '{"objectRef.resource":"pods"}')).toEqual(['"pods"']);
      expect(
        tokens(['objectRef.resource'], '{"objectRef":{"resource":null},"objectRef.resource":"x"}'),
      ).toEqual(['"x"']);
      expect(
        tokens(['objectRef.resource'], '{"objectRef.resource":"x","objectRef":{"resource":"y"}}'),
      ).toEqual(['"y"']);
      expect(tokens(['a.b.c'], '{"a.b":{"c":1},"a":{"b.c":2}}')).toEqual(['2']);
      expect(tokens(['a.b.c'], '{"a.b":{"c":1},"a":{"b.c":{}}}')).toEqual(['1']);
      expect(tokens(['a.b'], '{"a":"text","a.b":3}')).toEqual(['3']);
    });

    it('refuses a selected path through an array, and reads an array leaf as absent', () => {
      expect(scanText(['sourceIPs.0'], '{"sourceIPs":["10.0.0.1"]}')).toBe(false);
      expect(scanText(['objectRef.resource'], '{"objectRef":[]}')).toBe(false);
      expect(scanText(['objectRef.resource'], '{"objectRef":"pods"}')).toBe(true);
      expect(tokens(['sourceIPs', 'x'], '{"sourceIPs":["10.0.0.1"],"x":[{"verb":1}]}')).toEqual([null, null]);
    });

    it('refuses nesting deeper than 64', () => {
      const nest = (n: number): string => '{"a":'.repeat(n - 1) + '{}' + '}'.repeat(n - 1);
      expect(scanText(['verb'], nest(64))).toBe(true);
      expect(scanText(['verb'], nest(65))).toBe(false);
      expect(scanText(['verb'], `{"x":${'['.repeat(63)}${']'.repeat(63)}}`)).toBe(true);
      expect(scanText(['verb'], `{"x":${'['.repeat(64)}${']'.repeat(64)}}`)).toBe(false);
    });

    it('wants the object at the first byte and only spaces or tabs after it', () => {
      expect(scanText(['verb'], '{"verb":"a"} \t ')).toBe(true);
      expect(scanText(['verb'], ' {"verb":"a"}')).toBe(false);
      expect(scanText(['verb'], '{"verb":"a"}\r')).toBe(false);
      expect(scanText(['verb'], '{"verb":"a"}x')).toBe(false);
      expect(scanText(['verb'], '{"verb":"a"}{}')).toBe(false);
      expect(scanText(['verb'], '["verb"]')).toBe(false);
      expect(scanText(['verb'], '')).toBe(false);
      expect(scanText(['verb'], '\ufeff{"verb":"a"}')).toBe(false);
    });

    it('validates strings, numbers and literals as JSON.parse does', () => {
      for (const bad of [
        '01',
        '1.',
        '.5',
        '-',
        '1e',
        '1e+',
        '+1',
        '0x1',
        'tru',
        'nul',
        'True',
        'NaN',
        '"\\x"',
        '"\\u12g4"',
        '"a\tb"',
        '"a\u0000"',
        "'a'",
      ])
        expect(scanText(['v'], `{"v":${bad}}`), bad).toBe(false);
      for (const good of [
        '0',
        '-0',
        '10',
        '1.5',
        '1e5',
        '1E-5',
        '-1.25e+10',
        'true',
        'false',
        'null',
        '"\\ud800"',
        '"\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9"',
      ])
        expect(scanText(['v'], `{"v":${good}}`), good).toBe(true);
      expect(scanText(['v'], '{"v":1,}')).toBe(false);
      expect(scanText(['v'], '{"v":[1,]}')).toBe(false);
      expect(scanText(['v'], '{"v" 1}')).toBe(false);
      expect(scanText(['v'], '{,"v":1}')).toBe(false);
      expect(scanText(['v'], '{ "v" :\n1 ,\r\n"w":[ ] }')).toBe(true);
    });

    it('finds every special byte at every position of a string (the four-byte fast path)', () => {
      const s = createJsonByteScanner(['v'], kind) as JsonByteScanner;
      const specials = [
        ...Array.from({ length: 32 }, (_, c) => [c]),
        [0x22],
        [0x5c],
        [0x5c, 0x6e],
        [0x5c, 0x78],
        [0x7f],
        [0x80],
        [0xff],
      ];
      let accepted = 0;
      for (let length = 0; length <= 13; length++)
        for (let at = 0; at <= length; at++)
          for (const special of specials) {
            const inner = Buffer.concat([
              Buffer.from('a'.repeat(at)),
              Buffer.from(special),
              Buffer.from('b'.repeat(length - at)),
            ]);
            for (const text of [
              Buffer.concat([Buffer.from('{"v":"'), inner, Buffer.from('"}')]),
              Buffer.concat([Buffer.from('{"w":"'), inner, Buffer.from('","v":1}')]),
            ]) {
              const ok = checkLine(s, text);
              expect(ok, text.toString('latin1')).toBe(parsesAsObject(text));
              if (ok) accepted++;
            }
          }
      expect(accepted).toBeGreaterThan(300);
    });

    it('lets invalid UTF-8 through inside strings only', () => {
      const s = createJsonByteScanner(['v', 'é'], kind) as JsonByteScanner;
      expect(checkLine(s, bytes('{"v":"a', [0xff, 0xc3], '","', [0xed, 0xa0, 0x80], '":1}'))).toBe(true);
      expect(checkLine(s, bytes('{"v":1', [0xc2, 0xa0], '}'))).toBe(false);
      expect(checkLine(s, bytes('{"', [0xc3, 0xa9], '":"x"}'))).toBe(true);
      const e = bytes('{"', [0xc3, 0xa9], '":"x"}');
      expect(s.scan(e, 0, e.length)).toBe(true);
      expect(decode(slotToken(s, e, 1)!)).toBe('"x"');
      // A broken key never equals a selected one (it decodes to U+FFFD).
      expect(checkLine(s, bytes('{"', [0xc3], '":"x"}'))).toBe(true);
      expect(s.slotStart[1]).toBe(-1);
    });
  });

  describe('JsonByteScanner on real audit logs', () => {
    const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
    const samples =
      process.env.REAL_AUDIT_SAMPLES ?? path.resolve(projectRoot, '../shared/real-audit-samples');
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const full = path.join(dir, name);
        if (statSync(full).isDirectory()) return files(full);
        return /\.(log|json|jsonl)$/.test(name) ? [full] : [];
      });
    let present = false;
    try {
      present = statSync(samples).isDirectory();
    } catch {
      present = false;
    }

    it.skipIf(!present)('reads every field of the real samples as getField does', () => {
      const names = [
        'stage',
        'verb',
        'responseStatus.code',
        'responseStatus.message',
        'user.username',
        'userAgent',
        'objectRef.resource',
        'objectRef.apiGroup',
        'objectRef.namespace',
        'objectRef.subresource',
        'requestURI',
        'annotations.authorization.k8s.io/decision',
        'impersonatedUser.username',
        'sourceIPs',
        'event.verb',
      ];
      const s = createJsonByteScanner(names, kind) as JsonByteScanner;
      let accepted = 0;
      let lines = 0;
      for (const file of files(samples)) {
        const buf = readFileSync(file);
        let start = 0;
        while (start < buf.length) {
          let end = buf.indexOf(10, start);
          if (end === -1) end = buf.length;
          lines++;
          if (checkLine(s, buf.subarray(start, end))) accepted++;
          start = end + 1;
        }
      }
      expect(lines).toBeGreaterThan(900);
      expect(accepted / lines).toBeGreaterThan(0.9);
    });
  });
});
