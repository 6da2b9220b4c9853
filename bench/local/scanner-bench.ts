/**
 * Micro benchmark of the shaped fast path's byte level (issue 5): JsonByteScanner.scan and
 * ShapeTable.intern over the first 200 MB of the cached 1 GiB incident log, in microseconds per line,
 * for both scanners (JS and WebAssembly), which must agree on every line.
 * Not a test. Run: `npx tsx bench/local/scanner-bench.ts [file] [megabytes] [rounds]`.
 */
import { closeSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createJsonByteScanner, type JsonByteScanner } from '../../src/insights/json-byte-scanner.js';
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

const scanners = {
  js: createJsonByteScanner(FIELDS, 'js') as JsonByteScanner,
  wasm: createJsonByteScanner(FIELDS, 'wasm') as JsonByteScanner,
};

/** Lines on which the two scanners disagree (acceptance or any slot): must be 0. */
function disagreements(): number {
  let count = 0;
  for (let l = 0; l < lines; l++) {
    const start = lineStarts[l]!;
    const end = lineStarts[l + 1]! - 1;
    const a = scanners.js.scan(buf, start, end);
    const b = scanners.wasm.scan(buf, start, end);
    if (a !== b) count++;
    else if (
      a &&
      FIELDS.some(
        (_, k) =>
          scanners.js.slotStart[k] !== scanners.wasm.slotStart[k] ||
          scanners.js.slotEnd[k] !== scanners.wasm.slotEnd[k],
      )
    )
      count++;
  }
  return count;
}

function timeScan(scanner: JsonByteScanner): { us: number; accepted: number } {
  let accepted = 0;
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < lines; l++) {
    if (scanner.scan(buf, lineStarts[l]!, lineStarts[l + 1]! - 1)) accepted++;
  }
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / lines, accepted };
}

/** Scan and intern every line; the table keys on `slots` (indexes into FIELDS). */
function timeScanAndIntern(
  scanner: JsonByteScanner,
  slots: number[],
): { us: number; shapes: number; bytes: number } {
  const table = new ShapeTable(slots, 1_000_000);
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < lines; l++) {
    if (scanner.scan(buf, lineStarts[l]!, lineStarts[l + 1]! - 1)) table.intern(buf, scanner);
  }
  return { us: Number(process.hrtime.bigint() - t0) / 1000 / lines, shapes: table.size, bytes: table.bytes };
}

const ALL = FIELDS.map((_, k) => k);
/** Without requestURI, which holds object names and so is nearly unique per line. */
const WITHOUT_URI = ALL.filter((k) => FIELDS[k] !== 'requestURI');

function timeJsonParse(): number {
  const t0 = process.hrtime.bigint();
  for (let l = 0; l < lines; l += 10)
    JSON.parse(buf.toString('utf8', lineStarts[l]!, lineStarts[l + 1]! - 1));
  return (Number(process.hrtime.bigint() - t0) / 1000 / lines) * 10;
}

console.log(
  `${path.basename(file)}: ${(buf.length / 1e6).toFixed(0)} MB, ${lines} lines, ${FIELDS.length} fields`,
);
console.log(`JS and wasm scanners disagree on ${disagreements()} lines`);
// The machine is shared: each figure is the best of the rounds, and intern is (scan + intern) - scan.
for (const [kind, scanner] of Object.entries(scanners)) {
  const best = { scan: Infinity, all: Infinity, some: Infinity };
  let shapes = '';
  for (let r = 0; r < rounds; r++) {
    const scan = timeScan(scanner);
    const all = timeScanAndIntern(scanner, ALL);
    const some = timeScanAndIntern(scanner, WITHOUT_URI);
    best.scan = Math.min(best.scan, scan.us);
    best.all = Math.min(best.all, all.us);
    best.some = Math.min(best.some, some.us);
    shapes =
      `12 slots: ${all.shapes} shapes, ${(all.bytes / 1024).toFixed(0)} KiB; ` +
      `11 slots: ${some.shapes} shapes, ${(some.bytes / 1024).toFixed(0)} KiB; ${scan.accepted} lines accepted`;
    console.log(
      `${kind} round ${r + 1}: scan ${scan.us.toFixed(3)}, scan+intern(12 slots) ${all.us.toFixed(3)}, ` +
        `scan+intern(11 slots, no requestURI) ${some.us.toFixed(3)} us/line`,
    );
  }
  console.log(`${kind}: ${shapes}`);
  console.log(
    `${kind} best: scan ${best.scan.toFixed(3)} us/line; intern ${(best.all - best.scan).toFixed(3)} us/line (12 slots), ` +
      `${(best.some - best.scan).toFixed(3)} us/line (11 slots)`,
  );
}
console.log(`baseline: decode + JSON.parse ${timeJsonParse().toFixed(3)} us/line (every 10th line)`);
