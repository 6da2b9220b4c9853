/**
 * Shared helpers for the analysis tests: the stored analysis queries as analyze loads them, and a
 * generated incident written to a temporary file in one of the generator's output formats.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createFormatter, type OutputFormat } from '../../bench/incident/formats.js';
import {
  generateIncident,
  type GeneratedEvent,
  type GroundTruth,
  type IncidentOptions,
} from '../../bench/incident/generate.js';
import { ANALYSIS_QUERIES } from '../../src/analysis/incident.js';
import { loadQueryLibrary, renderQuery } from '../../src/queries/library.js';

/** The analysis queries, rendered as the analyze command renders them. */
export function analysisQueryTexts(): Record<string, string> {
  const library = loadQueryLibrary();
  const texts: Record<string, string> = {};
  for (const name of ANALYSIS_QUERIES) {
    const query = library.find((q) => q.name === name);
    if (query === undefined) throw new Error(`missing stored query ${name}`);
    texts[name] = renderQuery(query);
  }
  return texts;
}

/** Generates an incident in memory. */
export function generate(options: IncidentOptions): { events: GeneratedEvent[]; truth: GroundTruth } {
  const events: GeneratedEvent[] = [];
  const truth = generateIncident(options, (e) => events.push(e));
  return { events, truth };
}

/** Writes events to a temp file in `format`; returns its path and a cleanup. */
export function writeIncidentFile(
  events: readonly GeneratedEvent[],
  format: OutputFormat,
  seed: number,
): { file: string; cleanup: () => void } {
  const dir = mkdtempSync(path.join(tmpdir(), 'eei-analysis-'));
  const formatter = createFormatter(format, seed);
  const parts = [formatter.header()];
  for (const event of events) parts.push(formatter.event(event));
  parts.push(formatter.footer());
  const file = path.join(dir, `incident.${format === 'cw-filter-json' ? 'json' : 'log'}`);
  writeFileSync(file, parts.join(''));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}
