/**
 * The benchmark's results: their shape, the issue-5 targets checked against them, the Markdown
 * table, and the hook through which the CloudWatch half (fake AWS server runs) adds its figures.
 */

export type Tool = 'analyze' | 'queries-run' | 'jq' | 'grep';

export interface ToolResult {
  tool: Tool;
  /** The exact command line that was timed. */
  command: string;
  medianMs: number | null;
  runsMs: number[];
  /** Raw (uncompressed) MB per second of wall time. */
  mbPerSecond: number | null;
  peakRssMiB: number | null;
  rssMethod: string;
  /** Why there is no figure (tool missing, command failed). */
  error?: string;
  /** grep: the count it printed on its last run, which shows it read the whole input (baselines.ts). */
  linesCounted?: number;
}

export interface DatasetResult {
  label: string;
  file: string;
  bytes: number;
  rawBytes: number;
  events: number;
  tools: ToolResult[];
  /** jq time / analyze time: how many times faster analyze is than the jq baseline. */
  speedupVsJq: number | null;
  /** analyze time / grep time: how far analyze is from the raw scan floor. */
  slowdownVsGrep: number | null;
}

export interface LinearityRow {
  sizeGiB: number;
  medianMs: number;
  /** Every run's wall time (the sizes were timed in turn, round after round). */
  runsMs?: number[];
  secondsPerGiB: number;
  peakRssMiB: number | null;
}

/**
 * What each added GiB cost: between successive sizes, the added seconds over the added GiB. Linear
 * growth keeps it constant; a start-up cost paid once does not enter it.
 */
export function secondsPerAddedGiB(rows: readonly LinearityRow[]): number[] {
  const sorted = [...rows].sort((a, b) => a.sizeGiB - b.sizeGiB);
  return sorted.slice(1).map((row, i) => {
    const before = sorted[i] as LinearityRow;
    return (row.medianMs - before.medianMs) / 1000 / (row.sizeGiB - before.sizeGiB);
  });
}

export interface StartupResult {
  versionMedianMs: number;
  helpMedianMs: number;
  runs: number;
}

/**
 * HOOK for the CloudWatch half of the benchmark (issue 5, section 1, third bullet), filled in by the
 * engineer who owns the fake AWS server: `analyze --cluster` on a 7-day dataset whose incident sits in
 * the last 30 hours, against the fake server.
 */
export interface CloudWatchBenchResults {
  /** Total bytes scanned by all queries `analyze` ran. */
  analyzeBytesScanned: number;
  /** Audit-stream bytes in the window the analysis truly needs. */
  minimumBytes: number;
  /** Every stored query over the whole lookback. */
  naivePlanBytes: number;
  /** Query rounds on the critical path. */
  criticalPathRounds: number;
  /** Wall time of the run when the fake server answers each query after `delayMsPerQuery`. */
  wallMs: number;
  delayMsPerQuery: number;
  lookbackDays: number;
  notes?: string[];
}

export interface TargetCheck {
  what: string;
  target: string;
  measured: string;
  /** null: not measured in this run. */
  met: boolean | null;
}

export interface BenchResults {
  date: string;
  machine: {
    cpus: number;
    cpuModel: string;
    memoryGiB: number;
    node: string;
    platform: string;
    loadAverageAtStart?: number[];
  };
  /** `git rev-parse --short HEAD` when the run started, when known. */
  gitCommit?: string | null;
  /** What was timed as "analyze": the analyze verb, or `queries run top-writers-by-user` before it existed. */
  analyzeCommand: string;
  jqVersion: string | null;
  runsPerMeasurement: number;
  datasets: DatasetResult[];
  linearity: LinearityRow[] | null;
  startup: StartupResult | null;
  cloudWatch: CloudWatchBenchResults | null;
  targets: TargetCheck[];
  notes: string[];
}

const ratio = (value: number | null, digits = 1): string =>
  value === null ? 'n/a' : `${value.toFixed(digits)}x`;

function datasetTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const dataset of results.datasets) {
    const raw = !dataset.label.includes('.gz') && dataset.label.includes('audit-jsonl');
    const minimum = raw ? 5 : 3;
    checks.push({
      what: `analyze vs jq, ${dataset.label}`,
      target: `>= ${minimum}x faster`,
      measured: ratio(dataset.speedupVsJq),
      met: dataset.speedupVsJq === null ? null : dataset.speedupVsJq >= minimum,
    });
    if (raw)
      checks.push({
        what: `analyze vs grep -c, ${dataset.label}`,
        target: 'within 10x',
        measured: ratio(dataset.slowdownVsGrep),
        met: dataset.slowdownVsGrep === null ? null : dataset.slowdownVsGrep <= 10,
      });
  }
  return checks;
}

/** Checks every issue-5 target that the results hold figures for. */
export function evaluateTargets(results: BenchResults): TargetCheck[] {
  const checks = datasetTargets(results);
  const rows = results.linearity ?? [];
  const rss = rows.map((row) => row.peakRssMiB).filter((v): v is number => v !== null);
  if (rss.length > 0) {
    const worst = Math.max(...rss);
    const flat = Math.max(...rss) <= 1.25 * Math.min(...rss);
    checks.push({
      what: `peak RSS of analyze, ${rows.map((r) => `${r.sizeGiB} GiB`).join(' / ')}`,
      target: '< 256 MB and flat',
      measured: rss.map((v) => `${v.toFixed(0)} MiB`).join(' / '),
      met: worst * 1.048576 < 256 && flat,
    });
  }
  if (rows.length >= 2) {
    // Growth is what each added GiB costs. The smallest input's own seconds per GiB (start-up
    // included) bound it from above: an added GiB costing more than the first is growth faster
    // than the input's. The start-up itself is judged on the 1 GiB file, by the jq and grep rows.
    const added = secondsPerAddedGiB(rows);
    const first = [...rows].sort((a, b) => a.sizeGiB - b.sizeGiB)[0] as LinearityRow;
    const spread = Math.max(...added) / Math.min(...added);
    const perGiB = rows.map((row) => row.secondsPerGiB);
    checks.push({
      what: `time grows linearly (s per added GiB, ${rows.map((r) => r.sizeGiB).join(' -> ')} GiB)`,
      target: 'each added GiB within 1.25x of the others, none above 1.25x the first GiB',
      measured: `${added.map((v) => v.toFixed(2)).join(' / ')} s per added GiB${added.length > 1 ? ` (spread ${spread.toFixed(2)}x)` : ''}; ${perGiB.map((v) => v.toFixed(2)).join(' / ')} s per GiB`,
      met: Math.min(...added) > 0 && spread <= 1.25 && Math.max(...added) <= 1.25 * first.secondsPerGiB,
    });
  }
  if (results.startup !== null) {
    const s = results.startup;
    checks.push({
      what: '--version wall time (median of 10)',
      target: '< 150 ms',
      measured: `${s.versionMedianMs.toFixed(0)} ms`,
      met: s.versionMedianMs < 150,
    });
    checks.push({
      what: '--help wall time (median of 10)',
      target: '< 150 ms',
      measured: `${s.helpMedianMs.toFixed(0)} ms`,
      met: s.helpMedianMs < 150,
    });
  }
  const cw = results.cloudWatch;
  checks.push(
    cw === null
      ? {
          what: 'CloudWatch bytes scanned vs minimum / naive plan',
          target: '<= 1.5x minimum, <= 0.25x naive',
          measured: 'not measured (CloudWatch half not run)',
          met: null,
        }
      : {
          what: 'CloudWatch bytes scanned vs minimum / naive plan',
          target: '<= 1.5x minimum, <= 0.25x naive',
          measured: `${(cw.analyzeBytesScanned / cw.minimumBytes).toFixed(2)}x minimum, ${(cw.analyzeBytesScanned / cw.naivePlanBytes).toFixed(3)}x naive`,
          met:
            cw.analyzeBytesScanned <= 1.5 * cw.minimumBytes &&
            cw.analyzeBytesScanned <= 0.25 * cw.naivePlanBytes,
        },
  );
  checks.push(
    cw === null
      ? { what: 'query rounds on the critical path', target: '<= 4', measured: 'not measured', met: null }
      : {
          what: 'query rounds on the critical path',
          target: '<= 4',
          measured: String(cw.criticalPathRounds),
          met: cw.criticalPathRounds <= 4,
        },
  );
  return checks;
}

/** THE HOOK: merge the CloudWatch half's figures into the local results and re-check the targets. */
export function withCloudWatchResults(
  results: BenchResults,
  cloudWatch: CloudWatchBenchResults,
): BenchResults {
  const merged = { ...results, cloudWatch };
  return { ...merged, targets: evaluateTargets(merged) };
}

const cell = (value: string): string => value.replace(/\|/g, '\\|');
const seconds = (ms: number | null): string => (ms === null ? 'n/a' : (ms / 1000).toFixed(2));

/** The Markdown report written to bench/results/results.md. */
export function renderMarkdown(results: BenchResults): string {
  const m = results.machine;
  const lines = [
    `# Benchmark results (${results.date}${results.gitCommit == null ? '' : `, commit ${results.gitCommit}`})`,
    '',
    `Machine: ${m.cpus} x ${m.cpuModel}, ${m.memoryGiB.toFixed(0)} GiB RAM, Node ${m.node}, ${m.platform}. ` +
      `Whole processes, median of ${results.runsPerMeasurement} runs each. "analyze" = \`${results.analyzeCommand}\`. ` +
      `jq: ${results.jqVersion ?? 'NOT INSTALLED (apt-get install jq)'}.` +
      (m.loadAverageAtStart === undefined
        ? ''
        : ` Load average at start: ${m.loadAverageAtStart.map((v) => v.toFixed(1)).join(' ')} (other work on the machine slows every figure alike; compare ratios).`),
    '',
    '## Targets (issue 5)',
    '',
    '| what | target | measured | met |',
    '|---|---|---|---|',
    ...results.targets.map(
      (t) =>
        `| ${cell(t.what)} | ${cell(t.target)} | ${cell(t.measured)} | ${t.met === null ? '-' : t.met ? 'yes' : '**no**'} |`,
    ),
    '',
    '## Local files',
    '',
    '| input | size | tool | median s | MB/s (raw) | peak RSS MiB | analyze vs tool |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const d of results.datasets) {
    for (const t of d.tools) {
      const analyze = d.tools.find((x) => x.tool === 'analyze' || x.tool === 'queries-run');
      const speedup =
        t === analyze || t.medianMs === null || analyze?.medianMs == null
          ? null
          : t.medianMs / analyze.medianMs;
      const vs =
        speedup === null
          ? ''
          : speedup >= 1
            ? `${speedup.toFixed(2)}x faster`
            : `${(1 / speedup).toFixed(2)}x slower`;
      lines.push(
        `| ${cell(d.label)} | ${(d.bytes / 1e6).toFixed(0)} MB | ${t.tool} | ${t.error === undefined ? seconds(t.medianMs) : cell(`failed: ${t.error.slice(0, 80)}`)} | ${t.mbPerSecond?.toFixed(0) ?? 'n/a'} | ${t.peakRssMiB?.toFixed(0) ?? 'n/a'} | ${vs} |`,
      );
    }
  }
  const counted = results.datasets.flatMap((d) =>
    d.tools.filter((t) => t.linesCounted !== undefined).map((t) => `${t.linesCounted} lines in ${d.label}`),
  );
  if (counted.length > 0)
    lines.push(
      '',
      `\`grep -c\` counted ${counted.join(', ')}. Its count goes to a file: with its output on /dev/null, GNU grep stops at the first match (bench/local/baselines.ts).`,
    );
  if (results.linearity !== null) {
    lines.push(
      '',
      '## Linearity (raw audit JSONL)',
      '',
      '| size | median s | runs s | s per GiB | s per added GiB | peak RSS MiB |',
      '|---|---|---|---|---|---|',
    );
    const added = secondsPerAddedGiB(results.linearity);
    results.linearity.forEach((row, i) =>
      lines.push(
        `| ${row.sizeGiB} GiB | ${seconds(row.medianMs)} | ${(row.runsMs ?? []).map((ms) => seconds(ms)).join(' ')} | ${row.secondsPerGiB.toFixed(2)} | ${i === 0 ? '' : (added[i - 1]?.toFixed(2) ?? '')} | ${row.peakRssMiB?.toFixed(0) ?? 'n/a'} |`,
      ),
    );
    lines.push(
      '',
      'The sizes were held in memory together and timed in turn, round after round (1, 2, 4, 1, 2, 4 GiB, ...). "s per added GiB" is the time the size adds over the size before it, per GiB added: linear growth keeps it constant, and a start-up cost paid once does not enter it.',
    );
  }
  if (results.startup !== null) {
    lines.push(
      '',
      '## Start-up',
      '',
      `\`--version\`: ${results.startup.versionMedianMs.toFixed(0)} ms, \`--help\`: ${results.startup.helpMedianMs.toFixed(0)} ms (median of ${results.startup.runs}).`,
    );
  }
  lines.push('', '## CloudWatch (fake AWS server)', '');
  const cw = results.cloudWatch;
  if (cw === null)
    lines.push(
      'Not measured in this run: the CloudWatch half plugs in through `withCloudWatchResults` in bench/results.ts.',
    );
  else {
    lines.push('| figure | value |', '|---|---|');
    lines.push(
      `| bytes scanned by analyze | ${cw.analyzeBytesScanned} |`,
      `| minimum (audit bytes in the needed window) | ${cw.minimumBytes} |`,
      `| naive plan (every query, whole lookback) | ${cw.naivePlanBytes} |`,
    );
    lines.push(
      `| query rounds on the critical path | ${cw.criticalPathRounds} |`,
      `| wall time at ${cw.delayMsPerQuery} ms per query | ${seconds(cw.wallMs)} s |`,
      `| lookback | ${cw.lookbackDays} days |`,
    );
    for (const note of cw.notes ?? []) lines.push('', `- ${note}`);
  }
  if (results.notes.length > 0) lines.push('', '## Notes', '', ...results.notes.map((note) => `- ${note}`));
  return `${lines.join('\n')}\n`;
}
