import { mkdtempSync, readFileSync, rmSync, createWriteStream, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { parseByteSize } from '../../bench/byte-size.js';
import { createFormatter, OUTPUT_FORMATS, type OutputFormat } from '../../bench/incident/formats.js';
import {
  generateIncident,
  type GeneratedEvent,
  type IncidentOptions,
} from '../../bench/incident/generate.js';
import { densityFor, writeIncident } from '../../bench/incident/write-incident.js';

const OPTIONS: IncidentOptions = {
  seed: 21,
  start: '2024-06-14T00:00:00Z',
  durationMs: 3_600_000,
  eventsPerMinute: 30,
  shape: 'operator-flood',
  outcome: 'ongoing',
  withApiStream: true,
  streamRotationEvents: 2000,
};

const dir = mkdtempSync(path.join(tmpdir(), 'incident-formats-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const events: GeneratedEvent[] = [];
const truth = generateIncident(OPTIONS, (e) => events.push(e));
const auditEvents = events.filter((e) => e.logStream.startsWith('kube-apiserver-audit-'));

function render(format: OutputFormat): string {
  const formatter = createFormatter(format, OPTIONS.seed);
  return formatter.header() + events.map((e) => formatter.event(e)).join('') + formatter.footer();
}

async function writeTo(
  format: OutputFormat,
  gzip: boolean,
): Promise<{ file: string; result: Awaited<ReturnType<typeof writeIncident>> }> {
  const file = path.join(dir, `${format}${gzip ? '.gz' : ''}`);
  const result = await writeIncident(OPTIONS, createWriteStream(file), { format, gzip, gzipLevel: 1 });
  return { file, result };
}

describe('output formats', () => {
  it('rotates CloudWatch stream names kube-apiserver-audit-<32 hex> and kube-apiserver-<32 hex>', () => {
    const auditStreams = new Set(auditEvents.map((e) => e.logStream));
    const apiStreams = new Set(events.filter((e) => !auditEvents.includes(e)).map((e) => e.logStream));
    expect(auditStreams.size).toBe(Math.ceil(auditEvents.length / 2000));
    for (const name of auditStreams) expect(name).toMatch(/^kube-apiserver-audit-[0-9a-f]{32}$/);
    expect(apiStreams.size).toBeGreaterThan(0);
    for (const name of apiStreams) expect(name).toMatch(/^kube-apiserver-[0-9a-f]{32}$/);
  });

  it('audit-jsonl: one audit Event per line, api lines left out', () => {
    const lines = render('audit-jsonl').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toEqual(auditEvents.map((e) => e.line));
    for (const line of lines)
      expect((JSON.parse(line) as { apiVersion: string }).apiVersion).toBe('audit.k8s.io/v1');
    expect(lines.length).toBe(truth.events);
  });

  it('cw-jsonl: {timestamp, logStream, message} per line, every stream kept', () => {
    const lines = render('cw-jsonl').trimEnd().split('\n');
    expect(lines.length).toBe(events.length);
    lines.forEach((line, i) => {
      const parsed = JSON.parse(line) as { timestamp: number; logStream: string; message: string };
      expect(Object.keys(parsed)).toEqual(['timestamp', 'logStream', 'message']);
      expect(parsed).toEqual({
        timestamp: events[i]!.timestampMs,
        logStream: events[i]!.logStream,
        message: events[i]!.line,
      });
    });
  });

  it('cw-filter-json: the AWS CLI filter-log-events document', () => {
    const doc = JSON.parse(render('cw-filter-json')) as {
      events: {
        logStreamName: string;
        timestamp: number;
        message: string;
        ingestionTime: number;
        eventId: string;
      }[];
      searchedLogStreams: { logStreamName: string; searchedCompletely: boolean }[];
    };
    expect(doc.events.length).toBe(events.length);
    doc.events.forEach((e, i) => {
      expect(Object.keys(e)).toEqual(['logStreamName', 'timestamp', 'message', 'ingestionTime', 'eventId']);
      expect(e.message).toBe(events[i]!.line);
      expect(e.timestamp).toBe(events[i]!.timestampMs);
      expect(e.ingestionTime).toBeGreaterThan(e.timestamp);
      expect(e.eventId).toMatch(/^\d{56}$/);
    });
    expect(doc.searchedLogStreams.map((s) => s.logStreamName)).toEqual(
      [...new Set(events.map((e) => e.logStream))].sort(),
    );
  });

  it('cw-filter-json with no events is still valid JSON', () => {
    const formatter = createFormatter('cw-filter-json', 1);
    expect(JSON.parse(formatter.header() + formatter.footer())).toEqual({
      events: [],
      searchedLogStreams: [],
    });
  });

  it('s3-export: "<ISO timestamp> <message>", audit streams only', () => {
    const lines = render('s3-export').trimEnd().split('\n');
    expect(lines.length).toBe(auditEvents.length);
    lines.forEach((line, i) => {
      const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) (\{.*\})$/.exec(line);
      expect(match).not.toBeNull();
      expect(Date.parse(match![1]!)).toBe(auditEvents[i]!.timestampMs);
      expect(match![2]).toBe(auditEvents[i]!.line);
    });
  });

  it.each(OUTPUT_FORMATS)(
    '%s: writeIncident writes exactly the rendered text, and gzip round-trips',
    async (format) => {
      const plain = await writeTo(format, false);
      const zipped = await writeTo(format, true);
      const text = readFileSync(plain.file, 'utf8');
      expect(text).toBe(render(format));
      expect(plain.result.rawBytes).toBe(Buffer.byteLength(text));
      expect(plain.result.writtenBytes).toBe(statSync(plain.file).size);
      expect(gunzipSync(readFileSync(zipped.file)).toString('utf8')).toBe(text);
      expect(zipped.result.writtenBytes).toBe(statSync(zipped.file).size);
      expect(zipped.result.writtenBytes).toBeLessThan(plain.result.rawBytes / 4);
      expect(plain.result.truth).toEqual(truth);
    },
  );

  it('gzip output is deterministic', async () => {
    const first = readFileSync((await writeTo('cw-jsonl', true)).file);
    const second = readFileSync((await writeTo('cw-jsonl', true)).file);
    expect(first.equals(second)).toBe(true);
  });
});

describe('sizing', () => {
  it('densityFor lands near a byte target and an event target', async () => {
    const base = { ...OPTIONS, eventsPerMinute: undefined, withApiStream: false };
    const density = densityFor(base, 'audit-jsonl', { bytes: 8_000_000 });
    const { result } = await (async () => {
      const file = path.join(dir, 'sized.jsonl');
      return {
        result: await writeIncident({ ...base, eventsPerMinute: density }, createWriteStream(file), {
          format: 'audit-jsonl',
        }),
      };
    })();
    expect(result.rawBytes).toBeGreaterThan(8_000_000 * 0.85);
    expect(result.rawBytes).toBeLessThan(8_000_000 * 1.15);
    const byEvents = densityFor(base, 'audit-jsonl', { events: 20_000 });
    const counted = generateIncident({ ...base, eventsPerMinute: byEvents }, () => undefined).events;
    expect(counted).toBeGreaterThan(17_000);
    expect(counted).toBeLessThan(23_000);
  });

  it('parses byte sizes', () => {
    expect(parseByteSize('1GiB')).toBe(1024 ** 3);
    expect(parseByteSize('200MB')).toBe(200_000_000);
    expect(parseByteSize('512KiB')).toBe(512 * 1024);
    expect(parseByteSize('1.5G')).toBe(1.5 * 1024 ** 3);
    expect(parseByteSize('4096')).toBe(4096);
    expect(() => parseByteSize('lots')).toThrow(/not a size/);
    expect(() => parseByteSize('10 parsecs')).toThrow(/not a size/);
  });
});
