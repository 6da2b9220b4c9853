import { readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createFormatter } from '../../bench/incident/formats.js';
import { generateIncident } from '../../bench/incident/generate.js';
import { projectRoot } from '../support/build.js';

// The README's recipe for the shipped sample; the files must be exactly what it produces.
const RECIPE = {
  seed: 7,
  shape: 'operator-flood',
  outcome: 'ongoing',
  start: '2024-06-14T00:00:00Z',
  durationMs: 6 * 3_600_000,
} as const;

describe('examples/sample-incident', () => {
  const gz = readFileSync(path.join(projectRoot, 'examples/sample-incident.jsonl.gz'));
  const text = gunzipSync(gz).toString('utf8');
  const shippedTruth: unknown = JSON.parse(
    readFileSync(path.join(projectRoot, 'examples/sample-incident.truth.json'), 'utf8'),
  );

  it('is a few MB gzipped', () => {
    expect(gz.length).toBeGreaterThan(2_000_000);
    expect(gz.length).toBeLessThan(5_000_000);
  });

  it('is what the documented command generates, with the shipped ground truth', () => {
    const formatter = createFormatter('audit-jsonl', RECIPE.seed);
    const parts: string[] = [];
    const truth = generateIncident({ ...RECIPE }, (e) => parts.push(formatter.event(e)));
    expect(parts.join('') === text).toBe(true);
    expect(truth).toEqual(shippedTruth);
    expect(truth.stillFailing).toBe(true);
    expect(truth.topWriter.user).toBe('system:serviceaccount:kyverno:kyverno-admission-controller');
  });

  it('is documented with that exact command', () => {
    const readme = readFileSync(path.join(projectRoot, 'examples/README.md'), 'utf8');
    expect(readme).toContain('--seed 7 --shape operator-flood --outcome ongoing');
    expect(readme).toContain('--start 2024-06-14T00:00:00Z --duration 6h');
  });
});
