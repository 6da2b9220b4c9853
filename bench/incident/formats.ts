/**
 * The file formats the generator writes, which are the formats the local source reads:
 * - audit-jsonl: one audit Event per line, what kube-apiserver's `--audit-log-path` writes;
 * - cw-filter-json: `aws logs filter-log-events` output, one JSON document printed the way the AWS CLI
 *   prints it (4-space indent), events then searchedLogStreams;
 * - cw-jsonl: `{"timestamp","logStream","message"}` per line;
 * - s3-export: CloudWatch's export-to-S3 lines, `<ISO timestamp> <message>`.
 * Non-audit apiserver lines only go to the CloudWatch formats, which keep the stream name; an S3
 * export writes each stream to its own object, so an audit export holds audit events only.
 */
import type { GeneratedEvent } from './generate.js';
import { SeededRandom } from './random.js';

export type OutputFormat = 'audit-jsonl' | 'cw-filter-json' | 'cw-jsonl' | 's3-export';
export const OUTPUT_FORMATS: readonly OutputFormat[] = [
  'audit-jsonl',
  'cw-filter-json',
  'cw-jsonl',
  's3-export',
];

/** Turns events into the text of one output file: header, one piece per event, footer. */
export interface EventFormatter {
  header(): string;
  /** The text for one event, '' when the format leaves it out. */
  event(event: GeneratedEvent): string;
  footer(): string;
}

const AUDIT_STREAM_PREFIX = 'kube-apiserver-audit-';

/** CloudWatch event ids are 56-digit decimal strings. */
function eventId(random: SeededRandom): string {
  let id = String(1 + random.int(9));
  while (id.length < 56) id += String(random.uint32() % 100_000_000).padStart(8, '0');
  return id.slice(0, 56);
}

/** A formatter for `format`; `seed` makes the CloudWatch-only fields (ingestion time, event id) reproducible. */
export function createFormatter(format: OutputFormat, seed: number): EventFormatter {
  const random = new SeededRandom(seed, 5);
  // CloudWatch ingests audit events a second or two after the apiserver writes them.
  const ingestionTime = (timestampMs: number): number => timestampMs + 300 + random.int(2500);
  switch (format) {
    case 'audit-jsonl':
      return {
        header: () => '',
        event: (e) => (e.logStream.startsWith(AUDIT_STREAM_PREFIX) ? `${e.line}\n` : ''),
        footer: () => '',
      };
    case 's3-export':
      return {
        header: () => '',
        event: (e) =>
          e.logStream.startsWith(AUDIT_STREAM_PREFIX)
            ? `${new Date(e.timestampMs).toISOString()} ${e.line}\n`
            : '',
        footer: () => '',
      };
    case 'cw-jsonl':
      return {
        header: () => '',
        event: (e) =>
          `{"timestamp":${e.timestampMs},"logStream":"${e.logStream}","message":${JSON.stringify(e.line)}}\n`,
        footer: () => '',
      };
    case 'cw-filter-json': {
      const streams = new Set<string>();
      let first = true;
      return {
        header: () => '{\n    "events": [',
        event: (e) => {
          streams.add(e.logStream);
          const separator = first ? '\n' : ',\n';
          first = false;
          return (
            `${separator}        {\n` +
            `            "logStreamName": "${e.logStream}",\n` +
            `            "timestamp": ${e.timestampMs},\n` +
            `            "message": ${JSON.stringify(e.line)},\n` +
            `            "ingestionTime": ${ingestionTime(e.timestampMs)},\n` +
            `            "eventId": "${eventId(random)}"\n` +
            '        }'
          );
        },
        footer: () => {
          const searched = [...streams]
            .sort()
            .map(
              (name) =>
                `        {\n            "logStreamName": "${name}",\n            "searchedCompletely": true\n        }`,
            );
          return `${first ? '' : '\n    '}],\n    "searchedLogStreams": [${searched.length === 0 ? '' : `\n${searched.join(',\n')}\n    `}]\n}\n`;
        },
      };
    }
  }
}
