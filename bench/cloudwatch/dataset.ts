/**
 * The CloudWatch benchmark's dataset: 7 days of an EKS control-plane log group whose etcd incident
 * sits in the last 30 hours (long normal traffic, then the flood, then NOSPACE), with the api
 * stream alongside the audit streams so that restricting queries to the audit streams matters.
 * Generated once with the project's generator and cached under bench/.cache/ as CloudWatch JSON
 * lines (`{timestamp, logStream, message}`), with its ground truth and a sidecar recipe.
 */
import { createHash } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  writeFileSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { LogRecord } from '../../src/insights/record.js';
import { generateIncident, type GroundTruth, type IncidentOptions } from '../incident/generate.js';
import { writeIncident } from '../incident/write-incident.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** The dataset's span and where its incident starts: the flood begins 30 h before the end of 7 days. */
export const DATASET_DAYS = 7;
export const INCIDENT_HOURS = 30;

export interface CloudWatchDatasetSpec {
  /** Target message bytes (audit + api) in MB (10^6); the generator's density is scaled to it. */
  messageMb: number;
  seed?: number;
}

export interface CloudWatchDataset {
  file: string;
  truth: GroundTruth;
  incident: IncidentOptions;
  /** Events in the file (audit and api). */
  events: number;
  /** Bytes of the cached file (JSON lines, larger than the messages themselves). */
  fileBytes: number;
}

/** The incident options for a density (events per minute of normal traffic). */
export function benchIncident(eventsPerMinute: number, seed = 20240607): IncidentOptions {
  return {
    seed,
    start: '2024-06-01T00:00:00Z',
    durationMs: DATASET_DAYS * DAY,
    eventsPerMinute,
    shape: 'operator-flood',
    outcome: 'ongoing',
    floodStartFraction: 1 - INCIDENT_HOURS / (DATASET_DAYS * 24),
    withApiStream: true,
  };
}

/**
 * Normal-traffic density that gives `messageMb` of messages. The generator's volume is proportional
 * to its density (the flood scales with it), so one cheap run at density 1 is enough to scale from.
 */
export function densityForMessageMb(messageMb: number, seed?: number): number {
  let bytes = 0;
  generateIncident(benchIncident(1, seed), (event) => {
    bytes += Buffer.byteLength(event.line, 'utf8');
  });
  return (messageMb * 1e6) / Math.max(1, bytes);
}

/** A hash of the generator's code, so a changed generator regenerates the cached dataset. */
function generatorFingerprint(): string {
  const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../incident');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir)
    .filter((n) => /\.(js|ts)$/.test(n))
    .sort())
    hash.update(name).update(readFileSync(path.join(dir, name)));
  return hash.digest('hex').slice(0, 16);
}

interface Meta {
  recipe: unknown;
  fingerprint: string;
  events: number;
  fileBytes: number;
}

/** Makes sure the dataset is in `cacheDir` (generating it when missing or stale) and describes it. */
export async function ensureCloudWatchDataset(
  cacheDir: string,
  spec: CloudWatchDatasetSpec,
  log: (line: string) => void,
): Promise<CloudWatchDataset> {
  await mkdir(cacheDir, { recursive: true });
  const file = path.join(
    cacheDir,
    `cloudwatch-7d-${spec.messageMb}MB${spec.seed === undefined ? '' : `-seed${spec.seed}`}.cw.jsonl`,
  );
  const metaFile = `${file}.meta.json`;
  const truthFile = `${file}.truth.json`;
  const fingerprint = generatorFingerprint();
  const recipe = { ...spec, days: DATASET_DAYS, incidentHours: INCIDENT_HOURS };
  if (existsSync(file) && existsSync(metaFile) && existsSync(truthFile)) {
    const meta = JSON.parse(readFileSync(metaFile, 'utf8')) as Meta & { incident: IncidentOptions };
    if (meta.fingerprint === fingerprint && JSON.stringify(meta.recipe) === JSON.stringify(recipe)) {
      const truth = JSON.parse(readFileSync(truthFile, 'utf8')) as GroundTruth;
      return { file, truth, incident: meta.incident, events: meta.events, fileBytes: meta.fileBytes };
    }
  }
  const incident = benchIncident(densityForMessageMb(spec.messageMb, spec.seed), spec.seed);
  log(
    `cloudwatch: generating ${path.basename(file)} (${DATASET_DAYS} days, ${spec.messageMb} MB of messages; cached for later runs)...`,
  );
  const partial = `${file}.partial`;
  const result = await writeIncident(incident, createWriteStream(partial), { format: 'cw-jsonl' });
  renameSync(partial, file);
  writeFileSync(truthFile, `${JSON.stringify(result.truth, null, 2)}\n`);
  const meta = {
    recipe,
    fingerprint,
    incident,
    events: result.eventsWritten,
    fileBytes: result.writtenBytes,
  };
  writeFileSync(metaFile, `${JSON.stringify(meta, null, 2)}\n`);
  log(
    `cloudwatch:   ${result.eventsWritten} events, ${(result.writtenBytes / 1e6).toFixed(0)} MB file in ${(result.elapsedMs / 1000).toFixed(1)} s`,
  );
  return {
    file,
    truth: result.truth,
    incident,
    events: result.eventsWritten,
    fileBytes: result.writtenBytes,
  };
}

/**
 * Reads the cached dataset as LogRecords of the log group `log` (`account:group`), every timestamp
 * moved by `shiftMs` (so the data can end just before the real "now" the CLI uses).
 */
export async function loadRecords(file: string, log: string, shiftMs: number): Promise<LogRecord[]> {
  const records: LogRecord[] = [];
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.length === 0) continue;
    const event = JSON.parse(line) as { timestamp: number; logStream: string; message: string };
    records.push({
      timestamp: event.timestamp + shiftMs,
      message: event.message,
      logStream: event.logStream,
      log,
    });
  }
  return records;
}

/** Generates an incident straight into memory (for small datasets: tests). */
export function generateRecords(
  incident: IncidentOptions,
  log: string,
  shiftMs: number,
): { records: LogRecord[]; truth: GroundTruth } {
  const records: LogRecord[] = [];
  const truth = generateIncident(incident, (event) => {
    records.push({
      timestamp: event.timestampMs + shiftMs,
      message: event.line,
      logStream: event.logStream,
      log,
    });
  });
  return { records, truth };
}

/**
 * The shift that moves data ending at `dataEndMs` to end a minute or more before `nowMs`: the CLI's
 * window ends at its own "now". A whole number of 10-minute steps, so the analysis bins (5 or 10
 * min, aligned to the epoch) cut the data as they would have at its original time.
 */
export function shiftToNow(dataEndMs: number, nowMs: number): number {
  const step = 10 * 60_000;
  return Math.floor((nowMs - 60_000 - dataEndMs) / step) * step;
}

/** Moves every ISO timestamp of the ground truth the CloudWatch half uses by `shiftMs`. */
export function shiftTruth(truth: GroundTruth, shiftMs: number): GroundTruth {
  const move = (iso: string | null): string | null =>
    iso === null ? null : new Date(Date.parse(iso) + shiftMs).toISOString();
  return {
    ...truth,
    window: {
      start: move(truth.window.start) ?? truth.window.start,
      end: move(truth.window.end) ?? truth.window.end,
    },
    firstFailure:
      truth.firstFailure === null
        ? null
        : {
            ...truth.firstFailure,
            timestamp: move(truth.firstFailure.timestamp) ?? truth.firstFailure.timestamp,
          },
    lastFailure: move(truth.lastFailure),
    floodOnset: move(truth.floodOnset),
    firstTimeout: move(truth.firstTimeout),
  };
}
