/**
 * The shaped fast path on CloudWatch exports (sources/shaped-lines.ts) against the ordinary path,
 * end to end through the local source: JSON lines, whose audit event is the `message` string
 * (unescaped into a scratch buffer), and S3 export lines, `<ISO time> <event>`. Generated incidents,
 * lines of every odd kind the fast path must either read exactly or hand back, and the real audit
 * samples wrapped as export lines. Outcomes, data range and input summaries must be identical.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, test } from 'vitest';
import { generate, writeIncidentFile } from '../analysis/analysis-support.js';
import { auditEvent, bothWays, sampleFiles, SAMPLES, START } from './shaped-path-support.js';

const HOUR = 3_600_000;
const T0 = Date.parse(START);
const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A fresh folder named like an S3 export's stream folder, inside a temporary directory. */
function streamDir(stream = 'kube-apiserver-audit-0a1b'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'eei-shaped-exports-'));
  dirs.push(dir);
  const folder = path.join(dir, stream);
  mkdirSync(folder);
  return folder;
}

/** Writes lines (strings or raw bytes) joined by `\n` to `name` in a fresh folder. */
function writeLines(name: string, lines: readonly (string | Buffer)[], gzip = false): string {
  const parts = lines.flatMap((line) => [
    typeof line === 'string' ? Buffer.from(line) : line,
    Buffer.from('\n'),
  ]);
  const data = Buffer.concat(parts);
  const file = path.join(streamDir(), name);
  writeFileSync(file, gzip ? gzipSync(data) : data);
  return file;
}

/** Go's encoding/json escapes <, > and & as \u003c, \u003e, \u0026 (the EKS exports carry these). */
function goEscaped(token: string): string {
  return token.replaceAll('<', '\\u003c').replaceAll('>', '\\u003e').replaceAll('&', '\\u0026');
}

/** A CloudWatch JSON line whose message token is written as given (`token`: a JSON string or any JSON). */
function cwLine(
  token: string,
  fields = `"timestamp":${T0 + 1000},"logStream":"kube-apiserver-audit-1"`,
): string {
  return `{${fields},"message":${token}}`;
}

/** An audit event's JSON text. */

describe('the shaped fast path on CloudWatch JSON lines gives what the ordinary path gives', () => {
  test.each([
    { seed: 21, shape: 'operator-flood', outcome: 'ongoing' },
    { seed: 22, shape: 'user-flood', outcome: 'recovered', stages: 'all' },
  ] as const)('generated incident $shape $outcome', async (options) => {
    const { events } = generate({ ...options, start: START, durationMs: 3 * HOUR });
    const { file, cleanup } = writeIncidentFile(events, 'cw-jsonl', options.seed);
    try {
      await bothWays([file]);
    } finally {
      cleanup();
    }
  });

  test('generated incident as FilteredLogEvents lines, Go-escaped, with eventId and ingestionTime', async () => {
    const { events } = generate({
      seed: 23,
      shape: 'operator-flood',
      outcome: 'recovered',
      start: START,
      durationMs: 2 * HOUR,
    });
    const lines = events.map((e, i) => {
      const token = goEscaped(JSON.stringify(e.line));
      const id = `${String(e.timestampMs)}${String(i).padStart(8, '0')}`;
      // Both stream keys on some lines (logStreamName wins), escaped slashes on others.
      const stream =
        i % 3 === 0
          ? `"logStreamName":"${e.logStream}","logStream":"other"`
          : `"logStreamName":"${e.logStream}"`;
      const message = i % 5 === 0 ? token.replaceAll('/', '\\/') : token;
      return `{"eventId":"${id}","ingestionTime":${e.timestampMs + 300 + (i % 2000)},${stream},"timestamp":${e.timestampMs},"message":${message}}`;
    });
    await bothWays([writeLines('events.jsonl', lines)]);
  });

  test('lines it must read exactly or hand back to the ordinary path', async () => {
    const m = auditEvent();
    const odd = auditEvent({ user: { username: 'b\u00e9atrice <admin> & co \ud83d\ude00' }, verb: 'update' });
    const t = JSON.stringify(m);
    const lines: (string | Buffer)[] = [
      `\ufeff${cwLine(t)}`,
      cwLine(t),
      `${cwLine(t)}\r`,
      // Escapes of every kind inside the message token.
      cwLine(goEscaped(JSON.stringify(odd))),
      cwLine(JSON.stringify(odd).replace('\u00e9', '\\u00E9').replace('\ud83d\ude00', '\\ud83d\\ude00')),
      cwLine(JSON.stringify(odd).replace('\ud83d\ude00', '\\ude00\\ud83d')),
      cwLine(JSON.stringify(odd).replace('\ud83d\ude00', '\\ud83d\\u0041')),
      cwLine(JSON.stringify(m.replace('alice', 'lone \ud800 high'))),
      cwLine(JSON.stringify(m.replace('alice', 'lone \udc00 low'))),
      cwLine(JSON.stringify(auditEvent({ user: { username: 'escaped in the event \ud800' } }))),
      cwLine(t.replace('{', '\\u007b').replaceAll('\\"verb\\"', '\\u0022verb\\u0022')),
      cwLine(t.replaceAll('/', '\\/').replace('create', 'cr\\u0065ate')),
      cwLine(JSON.stringify(m.replace('{"kind"', '{\t\n\r "kind"'))),
      cwLine(JSON.stringify(m.replace('"alice"', '"al\tice"'))),
      cwLine(JSON.stringify(m.replace('"alice"', '"al\bi\fce\u0000"'))),
      cwLine(JSON.stringify(m.replace('"verb"', '"ve\\u0072b"'))),
      cwLine(JSON.stringify(` ${m}`)),
      cwLine(JSON.stringify(`${m} x`)),
      cwLine(JSON.stringify(`${m}\t `)),
      cwLine('"hello world"'),
      cwLine('"[1,2]"'),
      cwLine('"\\u0000"'),
      cwLine('"\\x41"'),
      cwLine('"\\u12"'),
      // A message that is not a string.
      cwLine(m),
      cwLine('[1,2]'),
      cwLine('null'),
      cwLine('42'),
      `{"timestamp":${T0 + 2000},"logStream":"kube-apiserver-audit-1"}`,
      // Timestamps.
      cwLine(t, '"logStream":"s"'),
      cwLine(t, `"timestamp":"${T0 + 3000}","logStream":"s"`),
      cwLine(t, '"timestamp":"2024-06-14T00:00:04Z","logStream":"s"'),
      cwLine(t, `"timestamp":${T0 + 5000}.7,"logStream":"s"`),
      cwLine(t, '"timestamp":1.718323206e12,"logStream":"s"'),
      cwLine(t, '"timestamp":-1,"logStream":"s"'),
      cwLine(t, '"timestamp":-0,"logStream":"s"'),
      cwLine(t, '"timestamp":0,"logStream":"s"'),
      cwLine(t, '"timestamp":null,"logStream":"s"'),
      cwLine(t, '"timestamp":true,"logStream":"s"'),
      cwLine(t, '"timestamp":"0001718323207000","logStream":"s"'),
      cwLine(t, '"timestamp":"yesterday","logStream":"s"'),
      cwLine(t, '"timestamp":17183232080000000,"logStream":"s"'),
      cwLine(t, `"timestamp":{"ms":${T0}},"logStream":"s"`),
      // Streams.
      cwLine(t, `"timestamp":${T0 + 9000},"logStreamName":"named"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStreamName":"named","logStream":"plain"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStreamName":null,"logStream":"plain"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStreamName":{},"logStream":"plain"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStreamName":[],"logStream":"plain"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStreamName":5,"logStream":"plain"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":5`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":null`),
      cwLine(t, `"timestamp":${T0 + 9000}`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":"kube\\u002dapiserver"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":"kube-apiserver"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":"kube\\u002dapiserver"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":"${'s'.repeat(700)}"`),
      cwLine(t, `"timestamp":${T0 + 9000},"logStream":"${'s'.repeat(700)}"`),
      // ingestionTime and eventId.
      cwLine(t, `"timestamp":${T0},"logStream":"s","ingestionTime":${T0 + 10},"eventId":"e1"`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","ingestionTime":"${T0 + 11}","eventId":7`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","ingestionTime":"2024-06-14T00:00:12Z","eventId":null`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","ingestionTime":null,"eventId":"e\\u0032"`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","ingestionTime":${T0}.5,"eventId":{}`),
      // Duplicate keys: JSON.parse keeps the last.
      cwLine(t, `"timestamp":${T0},"logStream":"s","message":"{}"`),
      cwLine(t, `"timestamp":${T0},"timestamp":${T0 + 13},"logStream":"s"`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","logStream":"t"`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","eventId":"a","eventId":"b"`),
      cwLine(t, `"timestamp":${T0},"logStream":"s","x":1,"x":2`),
      // Broken JSON, escaped keys, whitespace.
      cwLine(t).slice(0, -5),
      `${cwLine(t).slice(0, -1)},}`,
      cwLine(t).slice(0, -1),
      cwLine(t).replace('"message"', '"mess\\u0061ge"'),
      cwLine(t).replace('"timestamp"', '"time\\u0073tamp"'),
      ` ${cwLine(t)}`,
      `${cwLine(t)} \t`,
      cwLine(t).replaceAll(':', ' : ').replaceAll(',"', ' , "'),
      // Invalid UTF-8 next to escapes, inside the message and in the stream.
      Buffer.concat([
        Buffer.from(`{"timestamp":${T0},"logStream":"s`),
        Buffer.from([0xff]),
        Buffer.from('","message":"{\\"verb\\":\\"get\\",\\"user\\":{\\"username\\":\\"a'),
        Buffer.from([0xe2, 0x82]),
        Buffer.from('\\u00e9'),
        Buffer.from([0xff, 0xc3]),
        Buffer.from('\\"},\\"objectRef\\":{\\"resource\\":\\"'),
        Buffer.from([0xe2]),
        Buffer.from('\\"}}"}'),
      ]),
      // Big and deep messages.
      cwLine(JSON.stringify(auditEvent({ requestObject: { data: 'x'.repeat(1_100_000) } }))),
      cwLine(
        JSON.stringify(auditEvent({ requestObject: JSON.parse('['.repeat(70) + ']'.repeat(70)) as unknown })),
      ),
    ];
    await bothWays([writeLines('odd.jsonl', [...lines, ...lines, ...lines])]);
  });
});

describe('the shaped fast path on S3 export lines gives what the ordinary path gives', () => {
  test.each([false, true])('generated incident (gzip: %s)', async (gzip) => {
    const { events } = generate({
      seed: 24,
      shape: 'user-flood',
      outcome: 'ongoing',
      start: START,
      durationMs: 2 * HOUR,
    });
    const { file, cleanup } = writeIncidentFile(events, 's3-export', 24);
    try {
      const lines = readFileSync(file, 'utf8').split('\n').slice(0, -1);
      await bothWays([writeLines(gzip ? '000000.gz' : '000000', lines, gzip)]);
    } finally {
      cleanup();
    }
  });

  test('lines it must read exactly or hand back to the ordinary path', async () => {
    const m = auditEvent();
    const lines = [
      `\ufeff2024-06-14T00:00:01.000Z ${m}`,
      `2024-06-14T00:00:01.000Z ${m}`,
      `2024-06-14T00:00:01.000Z ${m}\r`,
      `2024-06-14T00:00:02Z ${m}`,
      `2024-06-14T00:00:02.123456Z ${m}`,
      `2024-06-14T02:00:03+02:00 ${m}`,
      `2024-06-14T00:00:04.5Z ${m}`,
      `2024-06-14 00:00:05Z ${m}`,
      `2024-06-14T00:00:06Z${m}`,
      ` 2024-06-14T00:00:07Z ${m}`,
      `2024-06-14T00:00:08Z  ${m}`,
      `2024-06-14T00:00:09Z\t${m}`,
      `2024-06-14T00:00:10Z ${m} `,
      `2024-06-14T00:00:11Z ${m} x`,
      `2024-06-14T00:00:12Z hello world`,
      `2024-06-1\u00e9T00:00:13Z ${m}`,
      `${'2'.repeat(70)} ${m}`,
      `yesterday ${m}`,
      `2024-06-14T00:00:14Z ${m.replace('"verb"', '"ve\\u0072b"')}`,
      `2024-06-14T00:00:15Z ${m.replace('"verb":"create"', '"verb":"create","verb":"get"')}`,
      `2024-06-14T00:00:16Z ${auditEvent({ 'objectRef.resource': 'dotted', objectRef: undefined })}`,
      `2024-06-14T00:00:17Z ${m.slice(0, -3)}`,
      `2024-06-14T00:00:18Z ${auditEvent({ user: { username: 'b\u00e9atrice' } })}`,
      '2024-06-14T00:00:19Z ',
    ];
    await bothWays([writeLines('000000', [...lines, ...lines, ...lines])]);
  });
});

const files = sampleFiles();
describe.skipIf(files.length === 0)('the shaped fast path on the real audit samples as exports', () => {
  const cases = files.map((f) => [path.relative(SAMPLES, f), f]);
  test.each(cases)('%s as CloudWatch JSON lines', async (_name, file) => {
    const lines = readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
    const wrapped = lines.map((line, i) => {
      const token = JSON.stringify(line);
      return `{"timestamp":${T0 + i * 1000},"logStream":"kube-apiserver-audit-${i % 3}","message":${i % 2 === 0 ? goEscaped(token) : token}}`;
    });
    await bothWays([writeLines('sample.jsonl', wrapped)]);
  });
  test.each(cases)('%s as S3 export lines', async (_name, file) => {
    const lines = readFileSync(file, 'utf8')
      .split(/\r?\n/)
      .filter((line) => line.trim() !== '');
    const wrapped = lines.map((line, i) => `${new Date(T0 + i * 1000).toISOString()} ${line}`);
    await bothWays([writeLines('000000', wrapped)]);
  });
});
