/**
 * Micro benchmark of the shaped fast path's byte level (issue 5): JsonByteScanner.scan and
 * ShapeTable.intern over the first 200 MB of the cached 1 GiB incident log, in microseconds per line.
 * Not a test. Run: `npx tsx bench/local/scanner-bench.ts [file] [megabytes] [rounds]`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsonByteScanner } from '../../src/insights/json-byte-scanner.js';
import { ShapeTable } from '../../src/insights/shape-table.js';

const FIELDS = [
  'stage',
  'verb',
  'responseStatus.code',
  'responseStatus.message',
  'user.username',
  'userAgent',
  'objectRef.resource',
  'objectRef.apiGroup',
  'objectRef.apiVersion',
  'objectRef.namespace',
  'objectRef.subresource',
  'requestURI',
];

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const file = process.argv[2] ?? path.join(projectRoot, 'bench/.cache/incident-1GiB.jsonl');
const megabytes = Number(process.argv[3] ?? 200);
const rounds = Number(process.argv[4] ?? 5);

function readHead(name: string, bytes: number): Buffer {
  const buf = Buffer.allocUnsafe(bytes);
  const fd = openSync(name, 'r');
  let got = 0;
  try {
    while (got < bytes) {
      const n = readSync(fd, buf, got, bytes - got, got);
      if (n === 0) break;
      got += n;
    }
  } finally {
    closeSync(fd);
  }
  return buf.subarray(0, buf.lastIndexOf(10, got - 1) + 1);
}

const buf = readHead(file, megabytes * 1024 * 1024);
const lineStarts: number[] = [0];
for (let at = buf.indexOf(10); at !== -1; at = buf.indexOf(10, at + 1)) lineStarts.push(at + 1);
const lines = lineStarts.length - 1;

const scanner = createJsonByteScanner(FIELDS);
if (scanner === undefined) throw new Error('the bench fields were refused');

function timeScan(): { us: number; accepted: number } {
  let accepted = 0;
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < lines; l++) {
    if (scanner!.scan(buf, lineStarts[l]!, lineStarts[l + 1]! - 1)) accepted++;
  }
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / lines, accepted };
}

function timeScanAndIntern(): { us: number; shapes: number; bytes: number } {
  const table = new ShapeTable(
    FIELDS.map((_, k) => k),
    1_000_000,
  );
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < lines; l++) {
    if (scanner!.scan(buf, lineStarts[l]!, lineStarts[l + 1]! - 1)) table.intern(buf, scanner!);
  }
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / lines, shapes: table.size, bytes: table.bytes };
}

function timeJsonParse(): number {
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < lines; l += 10)
    JSON.parse(buf.toString('utf8', lineStarts[l]!, lineStarts[l + 1]! - 1));
  return (Number(process.hrtime.bigint() - t0) / 1000 / lines) * 10;
}

console.log(
  `${path.basename(file)}: ${(buf.length / 1e6).toFixed(0)} MB, ${lines} lines, ${FIELDS.length} fields`,
);
for (let r = 0; r < rounds; r++) {
  const scan = timeScan();
  const both = timeScanAndIntern();
  console.log(
    `round ${r + 1}: scan ${scan.us.toFixed(3)} us/line (${scan.accepted} accepted), ` +
      `scan+intern ${both.us.toFixed(3)} us/line => intern ${(both.us - scan.us).toFixed(3)} us/line, ` +
      `${both.shapes} shapes, ${(both.bytes / 1024).toFixed(0)} KiB`,
  );
}
console.log(`baseline: decode + JSON.parse ${timeJsonParse().toFixed(3)} us/line (every 10th line)`);
