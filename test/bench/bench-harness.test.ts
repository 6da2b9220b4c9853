import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GNU_TIME, measure, median, runOnce } from '../../bench/local/measure.js';
import {
  evaluateTargets,
  secondsPerAddedGiB,
  renderMarkdown,
  withCloudWatchResults,
  type BenchResults,
  type CloudWatchBenchResults,
} from '../../bench/results.js';

function results(overrides: Partial<BenchResults> = {}): BenchResults {
  const base: BenchResults = {
    date: '2026-01-01T00:00:00.000Z',
    machine: { cpus: 2, cpuModel: 'Test CPU', memoryGiB: 8, node: 'v20.0.0', platform: 'linux' },
    analyzeCommand: 'analyze --log-file F --format json --output FILE',
    jqVersion: 'jq-1.6',
    runsPerMeasurement: 3,
    datasets: [
      {
        label: '1 GiB audit-jsonl',
        file: 'bench/.cache/a.jsonl',
        bytes: 1e9,
        rawBytes: 1e9,
        events: 1,
        tools: [
          {
            tool: 'analyze',
            command: 'a',
            medianMs: 4000,
            runsMs: [4000],
            mbPerSecond: 250,
            peakRssMiB: 120,
            rssMethod: 'gnu-time',
          },
          {
            tool: 'jq',
            command: 'j|x',
            medianMs: 30000,
            runsMs: [30000],
            mbPerSecond: 33,
            peakRssMiB: 3,
            rssMethod: 'gnu-time',
          },
          {
            tool: 'grep',
            command: 'g',
            medianMs: 500,
            runsMs: [500],
            mbPerSecond: 2000,
            peakRssMiB: 3,
            rssMethod: 'gnu-time',
          },
        ],
        speedupVsJq: 7.5,
        slowdownVsGrep: 8,
      },
      {
        label: '1 GiB cw-jsonl',
        file: 'c',
        bytes: 1,
        rawBytes: 1,
        events: 1,
        tools: [],
        speedupVsJq: 2.5,
        slowdownVsGrep: 30,
      },
    ],
    linearity: [
      { sizeGiB: 1, medianMs: 4000, secondsPerGiB: 4, peakRssMiB: 120 },
      { sizeGiB: 2, medianMs: 8200, secondsPerGiB: 4.1, peakRssMiB: 125 },
      { sizeGiB: 4, medianMs: 16800, secondsPerGiB: 4.2, peakRssMiB: 130 },
    ],
    startup: { versionMedianMs: 90, helpMedianMs: 160, runs: 10 },
    cloudWatch: null,
    targets: [],
    notes: ['a note'],
  };
  return { ...base, ...overrides };
}

const met = (r: BenchResults, what: RegExp): boolean | null | undefined =>
  evaluateTargets(r).find((t) => what.test(t.what))?.met;

describe('benchmark targets', () => {
  it('checks each issue-5 target against the figures', () => {
    const r = results();
    expect(met(r, /analyze vs jq, 1 GiB audit-jsonl$/)).toBe(true);
    expect(met(r, /analyze vs grep/)).toBe(true);
    expect(met(r, /analyze vs jq, 1 GiB cw-jsonl/)).toBe(false); // 2.5x < 3x
    expect(met(r, /peak RSS/)).toBe(true);
    expect(met(r, /linearly/)).toBe(true);
    expect(met(r, /--version/)).toBe(true);
    expect(met(r, /--help/)).toBe(false);
    expect(met(r, /CloudWatch bytes/)).toBeNull();
  });

  it('fails RSS when it grows with the input, and linearity when cost per GiB spreads', () => {
    const r = results({
      linearity: [
        { sizeGiB: 1, medianMs: 4000, secondsPerGiB: 4, peakRssMiB: 120 },
        { sizeGiB: 4, medianMs: 24000, secondsPerGiB: 6, peakRssMiB: 400 },
      ],
    });
    expect(met(r, /peak RSS/)).toBe(false);
    expect(met(r, /linearly/)).toBe(false);
  });

  it('judges linearity by what each added GiB costs, a start-up cost aside', () => {
    const row = (sizeGiB: number, seconds: number) => ({
      sizeGiB,
      medianMs: seconds * 1000,
      secondsPerGiB: seconds / sizeGiB,
      peakRssMiB: 150,
    });
    // 0.8 s of start-up, then 1.2 s per GiB: linear, though the 1 GiB file is dearest per GiB.
    const linear = results({ linearity: [row(1, 2), row(2, 3.2), row(4, 5.6)] });
    const added = secondsPerAddedGiB(linear.linearity ?? []);
    expect(added).toHaveLength(2);
    for (const seconds of added) expect(seconds).toBeCloseTo(1.2, 9);
    expect(met(linear, /linearly/)).toBe(true);
    // The GiBs from 2 to 4 cost 1.6 s each against 1.2 s from 1 to 2: faster than the input grows.
    expect(met(results({ linearity: [row(1, 2), row(2, 3.2), row(4, 6.4)] }), /linearly/)).toBe(false);
    // Added GiBs dearer than the whole first one (start-up and all).
    expect(met(results({ linearity: [row(1, 2), row(2, 4.6), row(4, 9.8)] }), /linearly/)).toBe(false);
    // Time that falls as the input grows is no measurement of growth.
    expect(met(results({ linearity: [row(1, 2), row(2, 1.9), row(4, 2)] }), /linearly/)).toBe(false);
  });

  it('takes the CloudWatch half through the hook', () => {
    const cw: CloudWatchBenchResults = {
      analyzeBytesScanned: 120,
      minimumBytes: 100,
      naivePlanBytes: 1000,
      criticalPathRounds: 3,
      wallMs: 5000,
      delayMsPerQuery: 500,
      lookbackDays: 7,
    };
    const merged = withCloudWatchResults(results(), cw);
    expect(merged.cloudWatch).toEqual(cw);
    expect(met(merged, /CloudWatch bytes/)).toBe(true);
    expect(met(merged, /rounds/)).toBe(true);
    const over = withCloudWatchResults(results(), { ...cw, analyzeBytesScanned: 300, criticalPathRounds: 6 });
    expect(met(over, /CloudWatch bytes/)).toBe(false);
    expect(met(over, /rounds/)).toBe(false);
    expect(renderMarkdown(merged)).toContain('| query rounds on the critical path | 3 |');
  });

  it('renders a Markdown table with every measurement and escaped cells', () => {
    const r = results();
    r.targets = evaluateTargets(r);
    const md = renderMarkdown(r);
    expect(md).toContain('| 1 GiB audit-jsonl | 1000 MB | jq | 30.00 | 33 | 3 | 7.50x faster |');
    expect(md).toContain('| --help wall time (median of 10) | < 150 ms | 160 ms | **no** |');
    expect(md).toContain('| 4 GiB | 16.80 |  | 4.20 | 4.30 | 130 |');
    expect(md).toContain('jq: jq-1.6');
    expect(md).toContain('- a note');
    expect(renderMarkdown(results({ jqVersion: null }))).toContain('NOT INSTALLED (apt-get install jq)');
  });

  it('says what grep counted, and nothing when no count was recorded', () => {
    const r = results();
    expect(renderMarkdown(r)).not.toContain('counted');
    const grep = r.datasets[0]!.tools.find((t) => t.tool === 'grep')!;
    grep.linesCounted = 385712;
    expect(renderMarkdown(r)).toContain('`grep -c` counted 385712 lines in 1 GiB audit-jsonl.');
  });
});

describe('process measurement', () => {
  it('takes the median', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 2, 3])).toBe(2.5);
  });

  it('measures wall time and the peak RSS of a process that allocates 200 MB', async () => {
    const script =
      'const b = Buffer.alloc(200 * 1024 * 1024, 1); setTimeout(() => process.stdout.write(String(b[5])), 300);';
    const m = await measure('alloc', [process.execPath, '-e', script], { cwd: process.cwd(), runs: 1 });
    expect(m.medianMs).toBeGreaterThan(250);
    expect(m.peakRssKiB).toBeGreaterThan(200 * 1024);
    expect(m.rssMethod).toBe(existsSync(GNU_TIME) ? 'gnu-time' : 'proc-vmhwm');
  });

  it.skipIf(!existsSync(GNU_TIME))(
    'reports the largest process of a shell pipeline (jq | sort | uniq -c)',
    async () => {
      const pipeline = `set -o pipefail; ${JSON.stringify(process.execPath)} -e 'const b = Buffer.alloc(150 * 1024 * 1024, 1); console.log(b[3])' | sort | uniq -c > /dev/null`;
      const m = await measure('pipeline', ['bash', '-c', pipeline], { cwd: process.cwd(), runs: 1 });
      expect(m.peakRssKiB).toBeGreaterThan(150 * 1024);
    },
  );

  it('polls /proc when GNU time is not used', async () => {
    const script =
      'const b = Buffer.alloc(120 * 1024 * 1024, 1); setTimeout(() => process.stdout.write(String(b[5])), 400);';
    const run = await runOnce([process.execPath, '-e', script], { cwd: process.cwd(), useGnuTime: false });
    expect(run.exitCode).toBe(0);
    expect(run.peakRssKiB).toBeGreaterThan(120 * 1024);
  });

  it('reports a failing command with its exit code and stderr', async () => {
    await expect(
      measure('fails', [process.execPath, '-e', 'console.error("boom"); process.exit(3)'], {
        cwd: process.cwd(),
        runs: 2,
      }),
    ).rejects.toThrow(/fails exited with 3: boom/);
  });
});
