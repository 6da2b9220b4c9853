/**
 * The benchmark's input files, generated once and cached under bench/.cache/: the same incident as
 * raw audit JSONL (1, 2 and 4 GiB), as a CloudWatch export (cw-jsonl) and gzipped. A sidecar
 * `.meta.json` records the recipe and a fingerprint of the generator, so a changed generator or
 * recipe regenerates the file instead of benchmarking a stale one.
 */
import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OutputFormat } from '../incident/formats.js';
import type { IncidentOptions } from '../incident/generate.js';
import { densityFor, writeIncident } from '../incident/write-incident.js';

export const GIB = 1024 ** 3;

/** The benchmark incident: a 6 h Kyverno flood, still failing at the end, like the sample but denser. */
export const BENCH_INCIDENT: IncidentOptions = {
  seed: 20240614,
  start: '2024-06-14T00:00:00Z',
  durationMs: 6 * 3_600_000,
  shape: 'operator-flood',
  outcome: 'ongoing',
};

export interface Dataset {
  /** Short label for tables: `1 GiB audit-jsonl`. */
  label: string;
  file: string;
  format: OutputFormat;
  gzip: boolean;
  /** Nominal raw size in GiB (the audit JSONL size the density was scaled for). */
  sizeGiB: number;
  /** Bytes on disk. */
  bytes: number;
  /** Bytes of text before gzip. */
  rawBytes: number;
  events: number;
}

interface Meta {
  recipe: unknown;
  fingerprint: string;
  rawBytes: number;
  events: number;
}

/** A hash of the generator's own code: changing the generator invalidates the cache. */
function generatorFingerprint(): string {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../incident');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir)
    .filter((n) => /\.(js|ts)$/.test(n))
    .sort())
    hash.update(name).update(readFileSync(path.join(dir, name)));
  return hash.digest('hex').slice(0, 16);
}

/** Makes sure the dataset exists in `cacheDir` (generating it if needed) and describes it. */
export async function ensureDataset(
  cacheDir: string,
  spec: { sizeGiB: number; format: OutputFormat; gzip: boolean; eventsPerMinuteFor1GiB: () => number },
  log: (line: string) => void,
): Promise<Dataset> {
  await mkdir(cacheDir, { recursive: true });
  const extension =
    spec.format === 'audit-jsonl'
      ? 'jsonl'
      : spec.format === 'cw-jsonl'
        ? 'cw.jsonl'
        : spec.format === 's3-export'
          ? 's3.log'
          : 'cw.json';
  const name = `incident-${spec.sizeGiB}GiB.${extension}${spec.gzip ? '.gz' : ''}`;
  const file = path.join(cacheDir, name);
  const metaFile = `${file}.meta.json`;
  const recipe = { ...BENCH_INCIDENT, sizeGiB: spec.sizeGiB, format: spec.format, gzip: spec.gzip };
  const fingerprint = generatorFingerprint();
  const label = `${spec.sizeGiB} GiB ${spec.format}${spec.gzip ? ' .gz' : ''}`;
  if (existsSync(file) && existsSync(metaFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta;
    if (meta.fingerprint === fingerprint && JSON.stringify(meta.recipe) === JSON.stringify(recipe)) {
      return {
        label,
        file,
        format: spec.format,
        gzip: spec.gzip,
        sizeGiB: spec.sizeGiB,
        bytes: statSync(file).size,
        rawBytes: meta.rawBytes,
        events: meta.events,
      };
    }
  }
  const incident: IncidentOptions = {
    ...BENCH_INCIDENT,
    eventsPerMinute: spec.eventsPerMinuteFor1GiB() * spec.sizeGiB,
  };
  log(`generating ${name} (cached for later runs)...`);
  const partial = `${file}.partial`;
  const result = await writeIncident(incident, createWriteStream(partial), {
    format: spec.format,
    gzip: spec.gzip,
    gzipLevel: 1,
  });
  renameSync(partial, file);
  writeFileSync(`${file}.truth.json`, `${JSON.stringify(result.truth, null, 2)}\n`);
  const meta: Meta = { recipe, fingerprint, rawBytes: result.rawBytes, events: result.eventsWritten };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  log(
    `  ${result.eventsWritten} events, ${(result.rawBytes / 1e6).toFixed(0)} MB raw in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
  return {
    label,
    file,
    format: spec.format,
    gzip: spec.gzip,
    sizeGiB: spec.sizeGiB,
    bytes: statSync(file).size,
    rawBytes: result.rawBytes,
    events: result.eventsWritten,
  };
}

/** The density that makes the benchmark incident 1 GiB of raw audit JSONL (computed once per run). */
export function densityFor1GiB(): number {
  return densityFor(BENCH_INCIDENT, 'audit-jsonl', { bytes: GIB });
}
