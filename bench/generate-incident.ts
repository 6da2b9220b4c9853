#!/usr/bin/env node
/**
 * Writes a deterministic EKS etcd incident in any supported format and size, plus its ground truth.
 *   npm run generate -- --seed 7 --size 1GiB --out /tmp/incident.jsonl --truth /tmp/incident.truth.json
 */
import { Command, InvalidArgumentError, Option } from 'commander';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { parseDurationMs } from '../src/cli/options.js';
import { OUTPUT_FORMATS, type OutputFormat } from './incident/formats.js';
import {
  createIncident,
  type IncidentOptions,
  type IncidentOutcome,
  type IncidentShape,
} from './incident/generate.js';
import { densityFor, writeIncident } from './incident/write-incident.js';
import { parseByteSize } from './byte-size.js';

interface CliOptions {
  seed: string;
  format: OutputFormat;
  gzip?: boolean;
  gzipLevel: string;
  size?: string;
  events?: string;
  eventsPerMinute?: string;
  shape: IncidentShape;
  outcome: IncidentOutcome;
  start: string;
  duration: string;
  floodStart?: string;
  stages: 'response-complete' | 'all';
  withApiStream?: boolean;
  out?: string;
  truth?: string;
  quiet?: boolean;
}

function integer(name: string, text: string, min: number): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < min)
    throw new InvalidArgumentError(`${name} must be an integer >= ${min}, got "${text}"`);
  return value;
}

/** Parses argv, writes the incident, and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('generate-incident')
    .description('Write a deterministic EKS etcd incident (audit logs) and its ground truth.')
    .option('--seed <n>', 'random seed', '1')
    .addOption(
      new Option('--format <format>', 'output format').choices(OUTPUT_FORMATS).default('audit-jsonl'),
    )
    .option('--gzip', 'gzip the output')
    .option('--gzip-level <n>', 'zlib level 1..9', '6')
    .option('--size <bytes>', 'target size before gzip, e.g. 1GiB or 200MB (scales the traffic density)')
    .option('--events <n>', 'target number of events (scales the traffic density)')
    .option('--events-per-minute <n>', 'normal traffic density (the flood scales with it)')
    .addOption(
      new Option('--shape <shape>', 'who floods etcd')
        .choices(['operator-flood', 'user-flood'])
        .default('operator-flood'),
    )
    .addOption(
      new Option('--outcome <outcome>', 'how the incident ends')
        .choices(['ongoing', 'recovered', 'none'])
        .default('ongoing'),
    )
    .option('--start <iso>', 'window start (ISO 8601)', '2024-06-14T00:00:00Z')
    .option('--duration <duration>', 'window length, e.g. 6h or 7d', '6h')
    .option('--flood-start <fraction>', 'where in the window the flood begins (0..0.9)')
    .addOption(
      new Option('--stages <stages>', 'audit stages to write')
        .choices(['response-complete', 'all'])
        .default('response-complete'),
    )
    .option('--with-api-stream', 'also write non-audit kube-apiserver lines (CloudWatch formats)')
    .option('--out <file>', 'output file (default: stdout)')
    .option('--truth <file>', 'write the ground truth JSON here')
    .option('--quiet', 'no summary on stderr')
    .exitOverride();
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    const code = (error as { exitCode?: number }).exitCode;
    return code === 0 ? 0 : 2;
  }
  const opts = program.opts<CliOptions>();
  let incident: IncidentOptions;
  let gzipLevel: number;
  try {
    incident = {
      seed: integer('--seed', opts.seed, 0),
      start: opts.start,
      durationMs: parseDurationMs(opts.duration),
      shape: opts.shape,
      outcome: opts.outcome,
      stages: opts.stages,
      withApiStream: opts.withApiStream === true,
    };
    if (opts.floodStart !== undefined) incident.floodStartFraction = Number(opts.floodStart);
    gzipLevel = integer('--gzip-level', opts.gzipLevel, 1);
    if (opts.eventsPerMinute !== undefined) incident.eventsPerMinute = Number(opts.eventsPerMinute);
    // Fail on bad values here (exit 2) rather than halfway through writing.
    createIncident(incident);
    if (opts.size !== undefined)
      incident.eventsPerMinute = densityFor(incident, opts.format, { bytes: parseByteSize(opts.size) });
    else if (opts.events !== undefined)
      incident.eventsPerMinute = densityFor(incident, opts.format, {
        events: integer('--events', opts.events, 1),
      });
  } catch (error) {
    process.stderr.write(`generate-incident: ${(error as Error).message}\n`);
    return 2;
  }

  const destination = opts.out === undefined ? process.stdout : createWriteStream(opts.out);
  const result = await writeIncident(incident, destination, {
    format: opts.format,
    gzip: opts.gzip === true,
    gzipLevel,
    keepOpen: opts.out === undefined,
  });
  if (opts.truth !== undefined) await writeFile(opts.truth, `${JSON.stringify(result.truth, null, 2)}\n`);
  if (opts.quiet !== true) {
    const seconds = result.elapsedMs / 1000;
    const mb = result.rawBytes / 1e6;
    process.stderr.write(
      `generated ${result.eventsWritten} events, ${mb.toFixed(1)} MB raw` +
        (opts.gzip === true ? `, ${(result.writtenBytes / 1e6).toFixed(1)} MB gzipped` : '') +
        ` in ${seconds.toFixed(1)} s (${(mb / seconds).toFixed(1)} MB/s raw)\n`,
    );
  }
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`generate-incident: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
