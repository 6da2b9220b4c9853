/** The one-line answer at the top of the report: what is wrong and who is doing it. */
import type { FailureSummary, FirstFailure, FloodOnset, ObjectGrowth, TopWriter } from './incident-report.js';

export interface VerdictInput {
  firstFailure: FirstFailure | null;
  failures: FailureSummary;
  floodOnset: FloodOnset | null;
  topWriter: TopWriter | null;
  topGrowth: ObjectGrowth | null;
  complete: boolean;
}

function writerPhrase(writer: TopWriter): string {
  const what = writer.apiGroup === '' ? writer.resource : `${writer.resource}.${writer.apiGroup}`;
  return `${writer.user} (${writer.userAgent}) wrote ${(writer.share * 100).toFixed(0)}% of writes, mostly ${what}`;
}

/** One line, no trailing newline. */
export function buildVerdict(input: VerdictInput): string {
  const parts: string[] = [];
  if (input.firstFailure !== null) {
    parts.push(
      input.failures.stillFailing
        ? `etcd is out of space since ${input.firstFailure.timestamp} and writes are still failing (${input.failures.count} failures)`
        : `etcd ran out of space at ${input.firstFailure.timestamp}; writes failed until ${input.failures.last ?? 'unknown'} (${input.failures.count} failures)`,
    );
  } else {
    parts.push('No "database space exceeded" failures in the window');
  }
  if (input.topWriter !== null && input.topWriter.writes > 0) {
    parts.push(
      `${input.floodOnset !== null ? `write flood since ${input.floodOnset.timestamp}: ` : ''}${writerPhrase(input.topWriter)}`,
    );
  }
  if (input.topGrowth !== null && input.topGrowth.net > 0) {
    const g = input.topGrowth;
    const what = g.apiGroup === '' ? g.resource : `${g.resource}.${g.apiGroup}`;
    parts.push(`net +${g.net} ${what}${g.namespace === '' ? '' : ` in ${g.namespace}`}`);
  }
  const line = parts.join('; ');
  return input.complete ? `${line}.` : `${line} (incomplete: see warnings).`;
}
