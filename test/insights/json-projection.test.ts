import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  compileQuery,
  createJsonProjector,
  getField,
  parseJsonObject,
  type LogRecord,
} from '../../src/insights/index.js';

/**
 * The JSON projection (the local source's fast path) must read every field exactly as the full
 * JSON.parse does: same values for valid messages, `null` for everything JSON.parse rejects. And a
 * query run on projected records must give the same result as the straightforward engine.
 */

const record = (message: string, json?: Record<string, unknown> | null): LogRecord => {
  const r: LogRecord = { timestamp: 1_718_334_000_000, message, logStream: 's', log: 'l' };
  if (json !== undefined) r.json = json;
  return r;
};

/** Field values read the straightforward way and through the projection, for each name. */
function readBoth(message: string, names: string[]): { full: unknown[]; projected: unknown[] } {
  const project = createJsonProjector(names);
  const full = record(message);
  const fast = record(message, project(message));
  return { full: names.map((n) => getField(full, n)), projected: names.map((n) => getField(fast, n)) };
}

const KEYS = ['username', 'a', 'b', 'a.b', 'c', '0', '1', 'x'];
const TOP_KEYS = ['verb', 'user', 'a', 'a.b', 'objectRef', 'list', '__proto__', 'é', 'k"q', 'x\\y', ''];
const NAMES = [
  'verb',
  'user.username',
  'a.b',
  'a.b.c',
  'a',
  'objectRef.resource',
  'list.0',
  'list.1.a',
  '__proto__',
  '__proto__.x',
  'é',
  'k"q',
  'x\\y',
  'user',
  '@timestamp',
  'a.b.a.b.a.b.a.b.a',
];
const leafValue = fc.oneof(
  fc.constantFrom(
    'get',
    'create',
    'a"b',
    'back\\slash',
    'tab\tin',
    'é',
    '\u2028',
    '',
    'x'.repeat(40),
    '\ud800',
  ),
  fc.constantFrom(500, 5e2, 1.5, 0, -0, -1, 1e21, 1e-7, true, false, null),
  fc.string({ maxLength: 5 }),
);
const jsonValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leafValue,
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom(...KEYS), tie('value'), { maxKeys: 4 }),
  ),
})).value;
const topObject = fc.dictionary(fc.constantFrom(...TOP_KEYS), jsonValue, { maxKeys: 6 });

/** Re-serialises a value with random but legal JSON spellings: whitespace, escapes, number forms. */
function spell(value: unknown, rnd: () => number, controls = false): string {
  // Whitespace other than spaces sends a line to JSON.parse whole, so it is used only sometimes.
  const ws = (): string =>
    (controls ? [' ', '\n', '\t', '\r', ''] : [' ', '', '', ''])[
      Math.floor(rnd() * (controls ? 5 : 4))
    ] as string;
  if (typeof value === 'string') {
    if (rnd() < 0.2)
      return JSON.stringify(value).replace(
        /[a-z]/,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
      );
    if (rnd() < 0.1) return JSON.stringify(value).replace(/\//g, '\\/');
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value > 0 && value < 1e6 && rnd() < 0.3) return `${value / 100}E+2`;
    return JSON.stringify(value);
  }
  if (Array.isArray(value))
    return `[${ws()}${value.map((v) => spell(v, rnd, controls)).join(`${ws()},${ws()}`)}${ws()}]`;
  if (value !== null && typeof value === 'object') {
    const parts = Object.entries(value).map(
      ([k, v]) => `${ws()}${spell(k, rnd, controls)}${ws()}:${ws()}${spell(v, rnd, controls)}${ws()}`,
    );
    // Sometimes a duplicate key: JSON.parse keeps the last one.
    if (parts.length > 0 && rnd() < 0.15) parts.push(parts[0] as string);
    return `{${parts.join(',')}}`;
  }
  return JSON.stringify(value);
}

function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

const CORRUPTIONS = [
  '',
  ' ',
  '"',
  '\\',
  '{',
  '}',
  '[',
  ']',
  ',',
  ':',
  '0',
  '-',
  'e',
  '.',
  'x',
  '\u0001',
  '\\u12',
  'tru',
  'nul',
];
/** Targeted breakage: the places a lenient scanner would let through. */
const BREAKS: ((text: string) => string)[] = [
  (t) => t.replace(/(?<![\d.eE+-])(\d)/, '0$1'),
  (t) => t.replace(/(\d)(?=[,}\]])/, '$1.'),
  (t) => t.replace(/(\d)(?=[,}\]])/, '$1e'),
  (t) => t.replace(/:(\s*)(\d)/, ':$1+$2'),
  (t) => t.replace(/:(\s*)(\d)/, ':$1.$2'),
  (t) => t.replace(/\\"/, '\\q'),
  (t) => t.replace(/\\u[0-9a-f]{4}/i, '\\u12g4'),
  (t) => t.replace(/"([^"]*)"/, '"$1\u0001"'),
  (t) => t.replace(/true|false|null/, 'ture'),
  (t) => t.replace(/,(?=\s*")/, ''),
  (t) => t.replace(/:/, ''),
  (t) => t.replace(/}\s*$/, '},'),
  (t) => t.replace(/\]/, ',]'),
];
const message = fc
  .tuple(topObject, fc.integer(), fc.nat(2), fc.nat(), fc.constantFrom(...CORRUPTIONS), fc.nat(3))
  .map(([object, seed, corrupt, at, insert, remove]) => {
    const text =
      (seed % 5 === 0 ? '  ' : '') +
      spell(object, seeded(seed), seed % 11 === 0) +
      (seed % 7 === 0 ? ' \n' : '');
    if (corrupt === 0) return text;
    if (corrupt === 1) return (BREAKS[at % BREAKS.length] as (t: string) => string)(text);
    const i = at % (text.length + 1);
    return text.slice(0, i) + insert + text.slice(i + remove);
  });

describe('JSON projection', () => {
  it('reads every field as JSON.parse does, and rejects what JSON.parse rejects', () => {
    let invalid = 0;
    fc.assert(
      fc.property(message, fc.subarray(NAMES, { minLength: 1 }), (text, names) => {
        const full = parseJsonObject(text);
        const projected = createJsonProjector(names)(text);
        if (full === null) invalid++;
        expect(projected === null, text).toBe(full === null);
        const both = readBoth(text, names);
        expect(both.projected, text).toEqual(both.full);
      }),
      { numRuns: 20_000 },
    );
    // Corrupted messages were generated and rejected, so the validation was exercised.
    expect(invalid).toBeGreaterThan(1000);
  });

  it('handles the shapes it hands to JSON.parse', () => {
    const deep = `{"a":${'['.repeat(300)}1${']'.repeat(300)},"verb":"get"}`;
    const cases: [string, string[]][] = [
      [deep, ['verb', 'a']],
      ['{"__proto__":{"x":"1"},"verb":"get"}', ['__proto__.x', 'verb']],
      ['{"__proto__":"p","verb":"get"}', ['verb']],
      ['{"ver\\u0062":"get","user":{"username":"al\\"ice"}}', ['verb', 'user.username']],
      ['{"verb":"get"} {"verb":"x"}', ['verb']],
      ['{"verb":"get",}', ['verb']],
      ['{"verb":"g\tet"}', ['verb']],
      ['{"verb":"get","n":01}', ['verb']],
      ['{"verb":"get","n":1.}', ['verb']],
      ['{"verb":"get","s":"\\x"}', ['verb']],
      ['\n{"verb":"get"}', ['verb']],
      ['[{"verb":"get"}]', ['verb']],
      ['{"a":{"b":"inner"},"a.b":"outer"}', ['a.b']],
      ['{"a.b":"outer","a":{"b":"inner"}}', ['a.b']],
      ['{"list":[{"a":"x"},{"a":"y"}]}', ['list.1.a', 'list.0']],
      ['{"user":"plain","verb":{"nested":"o"}}', ['user', 'user.username', 'verb']],
      ['{"user":{"username":"a"},"user":{"username":"b"}}', ['user.username']],
    ];
    for (const [text, names] of cases) {
      const both = readBoth(text, names);
      expect(both.projected, text).toEqual(both.full);
      expect(createJsonProjector(names)(text) === null, text).toBe(parseJsonObject(text) === null);
    }
    expect(getField(record(deep, createJsonProjector(['verb'])(deep)), 'verb')).toBe('get');
  });

  it('builds only the selected keys', () => {
    const projected = createJsonProjector(['user.username', 'verb'])(
      '{"verb":"get","user":{"username":"alice","groups":["g"],"extra":{"k":["v"]}},"requestObject":{"big":"x"}}',
    );
    expect(projected).toEqual({ verb: 'get', user: { username: 'alice' } });
  });
});

// Fast path against the straightforward engine on random queries and audit-like events.
const VALUES = [
  'get',
  'create',
  'delete',
  'alice',
  'kube-system',
  'ResponseComplete',
  'RequestReceived',
  '500',
  'mvcc: database space exceeded',
];
const fieldValue = fc.oneof(
  fc.constantFrom(...VALUES),
  fc.constantFrom(200, 201, 429, 500, 503, 1.5),
  fc.constant(null),
);
const event = fc.record(
  {
    stage: fc.constantFrom('ResponseComplete', 'RequestReceived'),
    verb: fieldValue,
    user: fc.oneof(
      fc.record(
        { username: fieldValue, groups: fc.array(fieldValue, { maxLength: 2 }) },
        { requiredKeys: [] },
      ),
      fieldValue,
    ),
    objectRef: fc.record(
      { resource: fieldValue, namespace: fieldValue, apiGroup: fieldValue },
      { requiredKeys: [] },
    ),
    responseStatus: fc.record({ code: fieldValue, message: fieldValue }, { requiredKeys: [] }),
    requestObject: jsonValue,
  },
  { requiredKeys: [] },
);
const auditRecord = fc
  .tuple(event, fc.integer({ min: 0, max: 3_600_000 }), fc.nat(20))
  .map(([e, t, cut]): LogRecord => {
    const text = JSON.stringify(e);
    // One in twenty lines is cut short, as a crashed writer leaves it.
    return {
      timestamp: 1_718_334_000_000 + t,
      message: cut === 0 ? text.slice(0, Math.max(1, text.length - 7)) : text,
      logStream: 's',
      log: 'l',
    };
  });
const field = fc.constantFrom(
  'verb',
  'user.username',
  'user',
  'objectRef.resource',
  'objectRef.namespace',
  'responseStatus.code',
  'responseStatus.message',
  'stage',
  'user.groups.0',
);
const literal = fc.oneof(
  fc.constantFrom(...VALUES).map((v) => JSON.stringify(v)),
  fc.constantFrom('500', '429', '1.5'),
);
const condition = fc.oneof(
  fc.tuple(field, fc.constantFrom('=', '!=', '>=', '<'), literal).map(([f, op, l]) => `${f} ${op} ${l}`),
  fc.tuple(field, fc.constantFrom(...VALUES)).map(([f, w]) => `${f} like ${JSON.stringify(w)}`),
  fc
    .tuple(field, fc.array(literal, { minLength: 1, maxLength: 3 }))
    .map(([f, ls]) => `${f} in [${ls.join(', ')}]`),
  field.map((f) => `not ispresent(${f})`),
  fc.tuple(field, field).map(([a, b]) => `ispresent(${a}) or ${b} = "get"`),
);
const tail = fc.oneof(
  fc
    .tuple(field, field)
    .map(
      ([a, b]) =>
        `| stats count(*) as n, count_distinct(${a}) as d, min(${b}) as lo, max(${b}) as hi by ${a}, bin(10m)`,
    ),
  fc.tuple(field, field).map(([a, b]) => `| fields ${a}, ${b} as alias | sort alias asc | limit 4`),
  fc
    .tuple(field)
    .map(
      ([a]) =>
        `| fields strcontains("|create|delete|", concat("|", verb, "|")) as w, floor(responseStatus.code / 500) as e | stats sum(w) as writes, sum(e) as errors by ${a}`,
    ),
  fc.tuple(field).map(([a]) => `| fields @timestamp, ${a} | sort @timestamp desc | limit 2`),
  fc.constant(
    '| stats pct(responseStatus.code, 50) as p, earliest(verb) as first, latest(user.username) as last by stage',
  ),
);
const query = fc
  .tuple(fc.array(condition, { minLength: 0, maxLength: 2 }), tail)
  .map(([cs, t]) => `${cs.map((c) => `filter ${c} | `).join('')}${t.slice(2)}`);

describe('fast path vs straightforward engine', () => {
  it('gives the same result on random queries and events', () => {
    fc.assert(
      fc.property(query, fc.array(auditRecord, { maxLength: 25 }), (q, records) => {
        const compiled = compileQuery(q);
        const plain = compiled.createRun();
        const fast = compiled.createRun();
        const project = createJsonProjector(compiled.fieldNames);
        for (const r of records) {
          plain.add({ ...r });
          if (!compiled.mightMatch(r.message)) continue;
          fast.add({ ...r, json: project(r.message) });
        }
        expect(fast.finish(), q).toEqual(plain.finish());
      }),
      { numRuns: 2000 },
    );
  });
});
