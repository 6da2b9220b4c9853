/**
 * Where to cut a plain log file into ranges of about equally many lines, one per thread (issue 5).
 * A thread's time goes with its lines far more than with its bytes: cut at the middle byte, the
 * benchmark's 1 GiB incident gave its first thread 412,000 lines and its second 356,000 (a flood's
 * lines are longer than the quiet hours' before it), and the threads finished up to 0.3 s apart.
 * Counting every line first would cost a pass over the file, so the lines are estimated from a few
 * probes spread over it.
 */
import type { FileHandle } from 'node:fs/promises';
import { open } from 'node:fs/promises';
import { DETECTION_BYTES, detectFormat } from '../readers/detect-format.js';

/** Probes spread over the file, and the bytes each reads: 2 MiB in all, a few ms from the page cache. */
const PROBES = 32;
const PROBE_BYTES = 64 * 1024;

/** One stretch of the file and the share of its bytes that end a line, as its probe found it. */
export interface LineDensity {
  from: number;
  to: number;
  newlinesPerByte: number;
}

/**
 * Cuts [0, size) into `parts` ranges that each start at a line start, with about equally many lines
 * each. Undefined when the file does not look like a line format we read (gzip, the JSON array export,
 * unknown) or a cut would start a range with a byte-order mark (only the file's first line may carry
 * one).
 */
export async function splitAtLines(
  file: string,
  size: number,
  parts: number,
): Promise<[number, number][] | undefined> {
  const handle = await open(file, 'r');
  try {
    const head = Buffer.alloc(Math.min(size, DETECTION_BYTES));
    await handle.read(head, 0, head.length, 0);
    if (head[0] === 0x1f && head[1] === 0x8b) return undefined;
    const format = detectFormat(head);
    if (format !== 'audit' && format !== 'cloudwatch-jsonl' && format !== 's3-export') return undefined;
    const density = await probeLineDensity(handle, size);
    const starts = [0];
    const probe = Buffer.alloc(64 * 1024);
    for (let k = 1; k < parts; k++) {
      let at = Math.max(lineShareOffset(density, k / parts), (starts[starts.length - 1] as number) + 1);
      let next = -1;
      while (next === -1 && at < size) {
        const { bytesRead } = await handle.read(probe, 0, probe.length, at);
        if (bytesRead === 0) break;
        const newline = probe.subarray(0, bytesRead).indexOf(10);
        if (newline !== -1) next = at + newline + 1;
        else at += bytesRead;
      }
      if (next === -1 || next >= size) break;
      const bom = Buffer.alloc(3);
      await handle.read(bom, 0, 3, next);
      if (bom[0] === 0xef && bom[1] === 0xbb && bom[2] === 0xbf) return undefined;
      starts.push(next);
    }
    if (starts.length < 2) return undefined;
    return starts.map((start, i) => [start, (starts[i + 1] ?? size) - 1]);
  } finally {
    await handle.close();
  }
}

/**
 * The file in PROBES equal stretches, each with the newline share of PROBE_BYTES read at its start.
 * The reads go out together: one after another, their round trips through libuv's thread pool took
 * 10 to 17 ms before the threads could start.
 */
async function probeLineDensity(handle: FileHandle, size: number): Promise<LineDensity[]> {
  const reads: Promise<LineDensity>[] = [];
  for (let i = 0; i < PROBES; i++) {
    const from = Math.floor((size * i) / PROBES);
    const to = Math.floor((size * (i + 1)) / PROBES);
    if (to <= from) continue;
    const buffer = Buffer.allocUnsafe(Math.min(PROBE_BYTES, to - from));
    reads.push(
      handle.read(buffer, 0, buffer.length, from).then(({ bytesRead }) => {
        const newlines = countNewlines(buffer, bytesRead);
        return { from, to, newlinesPerByte: bytesRead === 0 ? 0 : newlines / bytesRead };
      }),
    );
  }
  return Promise.all(reads);
}

/**
 * The byte offset before which about `share` of the file's lines lie, the lines spread evenly within
 * each stretch. Where no probe met a newline, lines are taken to be spread evenly over the bytes.
 */
export function lineShareOffset(stretches: readonly LineDensity[], share: number): number {
  const total = stretches.reduce((sum, s) => sum + s.newlinesPerByte * (s.to - s.from), 0);
  const last = stretches[stretches.length - 1];
  if (last === undefined) return 0;
  if (total <= 0) {
    const first = stretches[0] as LineDensity;
    return Math.floor(first.from + share * (last.to - first.from));
  }
  let wanted = share * total;
  for (const s of stretches) {
    const lines = s.newlinesPerByte * (s.to - s.from);
    if (lines >= wanted && lines > 0) return Math.floor(s.from + (wanted / lines) * (s.to - s.from));
    wanted -= lines;
  }
  return last.to;
}

/** The newlines in buffer[0, end). */
export function countNewlines(buffer: Buffer, end: number): number {
  let newlines = 0;
  for (let at = buffer.indexOf(10); at !== -1 && at < end; at = buffer.indexOf(10, at + 1)) newlines++;
  return newlines;
}
