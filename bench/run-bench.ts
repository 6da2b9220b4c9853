#!/usr/bin/env node
/**
 * `npm run bench`: the local half of the performance benchmark (issue 5). Generates and caches the
 * incident files, times whole processes (analyze, the one-pass jq baseline, grep -c) several times
 * each, measures peak RSS, linearity over 1/2/4 GiB and start-up time, and writes
 * bench/results/results-<date>.json and bench/results/results.md. Not run in CI.
 */
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { baselineCommands } from './local/baselines.js';
import { densityFor1GiB, ensureDataset, type Dataset } from './local/datasets.js';
import { measure, median, runOnce } from './local/measure.js';
import { pinFile } from './local/pin-file.js';
import {
  evaluateTargets,
  renderMarkdown,
  withCloudWatchResults,
  type BenchResults,
  type CloudWatchBenchResults,
  type DatasetResult,
  type LinearityRow,
  type ToolResult,
} from './results.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/bench/run-bench.js -> project root; also right when run from source with tsx. */
const projectRoot = path.resolve(here, here.includes(`${path.sep}dist${path.sep}`) ? '../..' : '..');
const cliEntry = path.join(projectRoot, 'dist/src/cli/main.js');

const CHILD_ENV = { ...process.env, NO_COLOR: '1' };

interface BenchOptions {
  runs: string;
  skipBig?: boolean;
  linearityRuns: string;
  sizeGib: string;
  cacheDir: string;
  resultsDir: string;
  skipJq?: boolean;
  cloudwatchOnly?: boolean;
  skipCloudwatch?: boolean;
  cloudwatchMb: string;
  cloudwatchDelayMs: string;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Picks what to time as "analyze": the analyze verb once it works, else `queries run top-writers-by-user`. */
async function chooseAnalyzeCommand(
  outputFile: string,
): Promise<{ label: string; argv: (file: string) => string[]; note?: string }> {
  const sample = path.join(projectRoot, 'examples/sample-incident.jsonl.gz');
  const analyze = (file: string): string[] => [
    process.execPath,
    cliEntry,
    'analyze',
    '--log-file',
    file,
    '--format',
    'json',
    '--output',
    outputFile,
  ];
  const queries = (file: string): string[] => [
    process.execPath,
    cliEntry,
    'queries',
    'run',
    'top-writers-by-user',
    '--log-file',
    file,
    '--format',
    'json',
    '--output',
    outputFile,
  ];
  const works = async (argv: string[]): Promise<boolean> => {
    rmSync(outputFile, { force: true });
    const run = await runOnce(argv, { cwd: projectRoot, useGnuTime: false, env: CHILD_ENV });
    return (
      (run.exitCode === 0 || run.exitCode === 1) && existsSync(outputFile) && statSync(outputFile).size > 0
    );
  };
  if (await works(analyze(sample)))
    return { label: 'analyze --log-file F --format json --output FILE', argv: analyze };
  if (await works(queries(sample))) {
    return {
      label: 'queries run top-writers-by-user --log-file F --format json --output FILE',
      argv: queries,
      note: '`analyze` did not run on the sample yet, so `queries run top-writers-by-user` was timed in its place.',
    };
  }
  return {
    label: 'analyze --log-file F --format json --output FILE',
    argv: analyze,
    note: 'Neither `analyze` nor `queries run` worked on the sample; analyze figures are failures.',
  };
}

function gitCommit(): string | null {
  const result = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: projectRoot, encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

function toolVersion(command: string): string | null {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8' });
  return result.status === 0 ? result.stdout.trim() : null;
}

async function timeTool(
  tool: ToolResult['tool'],
  argv: string[],
  display: string,
  dataset: Dataset,
  runs: number,
): Promise<ToolResult> {
  log(`${dataset.label}: ${tool}`);
  try {
    const m = await measure(`${tool} ${dataset.label}`, argv, {
      cwd: projectRoot,
      runs,
      env: CHILD_ENV,
      log,
      warm: dataset.file,
    });
    return {
      tool,
      command: display,
      medianMs: m.medianMs,
      runsMs: m.runsMs,
      mbPerSecond: dataset.rawBytes / 1e6 / (m.medianMs / 1000),
      peakRssMiB: m.peakRssKiB === null ? null : m.peakRssKiB / 1024,
      rssMethod: m.rssMethod,
    };
  } catch (error) {
    return {
      tool,
      command: display,
      medianMs: null,
      runsMs: [],
      mbPerSecond: null,
      peakRssMiB: null,
      rssMethod: 'none',
      error: (error as Error).message,
    };
  }
}

/** Runs the CloudWatch half if its module exists (bench/cloudwatch-bench.ts exporting runCloudWatchBench). */
async function runCloudWatchHalf(opts: BenchOptions): Promise<CloudWatchBenchResults | null> {
  const modulePath = path.join(here, 'cloudwatch-bench.js');
  if (opts.skipCloudwatch === true || !existsSync(modulePath)) return null;
  const loaded = (await import(modulePath)) as {
    runCloudWatchBench?: (context: {
      projectRoot: string;
      cliEntry: string;
      log: (line: string) => void;
      messageMb: number;
      delayMs: number;
      cacheDir: string;
    }) => Promise<CloudWatchBenchResults>;
  };
  return loaded.runCloudWatchBench === undefined
    ? null
    : loaded.runCloudWatchBench({
        projectRoot,
        cliEntry,
        log,
        messageMb: Number(opts.cloudwatchMb),
        delayMs: Number(opts.cloudwatchDelayMs),
        cacheDir: opts.cacheDir,
      });
}

async function main(argv: string[]): Promise<void> {
  const program = new Command('run-bench')
    .description('Benchmark analyze on local files against jq and grep; write bench/results/.')
    .option('--runs <n>', 'runs per measurement (median reported)', '3')
    .option('--skip-big', 'skip the 2 GiB and 4 GiB linearity/RSS inputs')
    .option(
      '--linearity-runs <n>',
      'rounds of the 1, 2 and 4 GiB inputs timed in turn (median reported)',
      '5',
    )
    .option('--skip-jq', 'skip the jq baseline (slow)')
    .option(
      '--size-gib <n>',
      'base input size in GiB (1 for the real benchmark; smaller to try the harness)',
      '1',
    )
    .option('--cache-dir <dir>', 'where generated inputs are cached', path.join(projectRoot, 'bench/.cache'))
    .option('--results-dir <dir>', 'where results are written', path.join(projectRoot, 'bench/results'))
    .option(
      '--cloudwatch-only',
      "run only the CloudWatch half (merged into today's results file if there is one)",
    )
    .option('--skip-cloudwatch', 'skip the CloudWatch half (analyze --cluster against the fake AWS server)')
    .option('--cloudwatch-mb <n>', 'CloudWatch half: MB of log messages in the 7-day dataset', '400')
    .option(
      '--cloudwatch-delay-ms <n>',
      'CloudWatch half: how long the fake server takes to complete each query',
      '2000',
    );
  program.parse(argv, { from: 'user' });
  const opts = program.opts<BenchOptions>();
  const runs = Math.max(1, Number.parseInt(opts.runs, 10) || 3);
  const baseGiB = Number(opts.sizeGib);
  if (!existsSync(cliEntry)) throw new Error(`${cliEntry} is missing: run npm run build first`);

  let density: number | undefined;
  const densityOnce = (): number => (density ??= densityFor1GiB());
  const dataset = (sizeGiB: number, format: Dataset['format'], gzip: boolean): Promise<Dataset> =>
    ensureDataset(opts.cacheDir, { sizeGiB, format, gzip, eventsPerMinuteFor1GiB: densityOnce }, log);

  const outputFile = path.join(opts.cacheDir, 'analyze-output.json');
  mkdirSync(opts.cacheDir, { recursive: true });
  const analyze = await chooseAnalyzeCommand(outputFile);
  const jqVersion = opts.skipJq === true ? null : toolVersion('jq');
  const notes: string[] = [];
  if (analyze.note !== undefined) notes.push(analyze.note);
  if (jqVersion === null)
    notes.push(
      opts.skipJq === true
        ? 'jq baseline skipped (--skip-jq).'
        : 'jq is not installed, so the jq baseline is missing: `apt-get install jq`.',
    );
  notes.push(
    'dist/ is timed as built when each command runs: on a shared working tree, rebuild nothing while the benchmark runs, or the figures mix two builds.',
  );
  notes.push(
    'analyze writes its JSON to a file in bench/.cache rather than /dev/null: reports are written atomically (temp file, then rename), which must never be pointed at /dev/null.',
  );

  const cpus = os.cpus();
  let results: BenchResults = {
    date: new Date().toISOString(),
    machine: {
      cpus: cpus.length,
      cpuModel: cpus[0]?.model.trim() ?? 'unknown',
      memoryGiB: os.totalmem() / 1024 ** 3,
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      loadAverageAtStart: os.loadavg(),
    },
    gitCommit: gitCommit(),
    analyzeCommand: analyze.label,
    jqVersion,
    runsPerMeasurement: runs,
    datasets: [],
    linearity: null,
    startup: null,
    cloudWatch: null,
    targets: [],
    notes,
  };
  // Written after every stage, so a long run that is cut short still leaves its figures.
  const save = (final: boolean): void => {
    results.targets = evaluateTargets(results);
    mkdirSync(opts.resultsDir, { recursive: true });
    const markdown = renderMarkdown(
      final
        ? results
        : { ...results, notes: [...results.notes, 'PARTIAL: the run is still going or was cut short.'] },
    );
    writeFileSync(
      path.join(opts.resultsDir, `results-${results.date.slice(0, 10)}.json`),
      `${JSON.stringify(results, null, 2)}\n`,
    );
    writeFileSync(path.join(opts.resultsDir, 'results.md'), markdown);
    if (final) process.stdout.write(markdown);
  };

  if (opts.cloudwatchOnly === true) {
    const todays = path.join(opts.resultsDir, `results-${results.date.slice(0, 10)}.json`);
    if (existsSync(todays)) results = JSON.parse(readFileSync(todays, 'utf8')) as BenchResults;
    const onlyCloudWatch = await runCloudWatchHalf(opts);
    if (onlyCloudWatch !== null) results = withCloudWatchResults(results, onlyCloudWatch);
    save(true);
    return;
  }

  const startupRuns = 10;
  const startupMs = async (flag: string): Promise<number> => {
    const times: number[] = [];
    for (let i = 0; i < startupRuns; i++)
      times.push(
        (
          await runOnce([process.execPath, cliEntry, flag], {
            cwd: projectRoot,
            useGnuTime: false,
            env: CHILD_ENV,
          })
        ).wallMs,
      );
    return median(times);
  };
  results.startup = {
    versionMedianMs: await startupMs('--version'),
    helpMedianMs: await startupMs('--help'),
    runs: startupRuns,
  };
  save(false);

  const inputs = [
    await dataset(baseGiB, 'audit-jsonl', false),
    await dataset(baseGiB, 'cw-jsonl', false),
    await dataset(baseGiB, 'audit-jsonl', true),
  ];
  const datasets: DatasetResult[] = results.datasets;
  for (const input of inputs) {
    const tools: ToolResult[] = await withPinned([input.file], () => timeTools(input));
    datasets.push(datasetResult(input, tools));
    save(false);
  }

  async function timeTools(input: Dataset): Promise<ToolResult[]> {
    const tools: ToolResult[] = [];
    tools.push(
      await timeTool(
        analyze.label.startsWith('queries') ? 'queries-run' : 'analyze',
        analyze.argv(input.file),
        analyze.label,
        input,
        runs,
      ),
    );
    const output = {
      jq: path.join(opts.cacheDir, 'baseline-jq.txt'),
      grep: path.join(opts.cacheDir, 'baseline-grep.txt'),
    };
    const baselines = baselineCommands(input, output);
    if (jqVersion !== null)
      tools.push(await timeTool('jq', ['bash', '-c', baselines.jq], baselines.jq, input, runs));
    const grep = await timeTool('grep', ['bash', '-c', baselines.grep], baselines.grep, input, runs);
    if (grep.error === undefined) grep.linesCounted = Number(readFileSync(output.grep, 'utf8').trim());
    tools.push(grep);
    for (const file of Object.values(output)) rmSync(file, { force: true });
    return tools;
  }

  function datasetResult(input: Dataset, tools: ToolResult[]): DatasetResult {
    const [a, jq, grep] = [
      tools[0]!,
      tools.find((t) => t.tool === 'jq'),
      tools.find((t) => t.tool === 'grep'),
    ];
    return {
      label: input.label,
      file: path.relative(projectRoot, input.file),
      bytes: input.bytes,
      rawBytes: input.rawBytes,
      events: input.events,
      tools,
      speedupVsJq: a.medianMs !== null && jq?.medianMs != null ? jq.medianMs / a.medianMs : null,
      slowdownVsGrep: a.medianMs !== null && grep?.medianMs != null ? a.medianMs / grep.medianMs : null,
    };
  }

  if (opts.skipBig !== true) {
    const sizes = [baseGiB, 2 * baseGiB, 4 * baseGiB];
    const big: Dataset[] = [];
    for (const size of sizes) big.push(await dataset(size, 'audit-jsonl', false));
    const linearityRuns = Math.max(1, Number.parseInt(opts.linearityRuns, 10) || 5);
    results.linearity = await withPinned(
      big.map((input) => input.file),
      () => timeInRotation(big, linearityRuns),
    ).catch((error: unknown) => {
      results.notes.push(`Linearity not measured: ${(error as Error).message}`);
      return null;
    });
    save(false);
  }

  /**
   * Runs `work` with `files` held in memory together when they can be (pin-file.ts), else after the
   * untimed read before each run, and says which in the notes once; then lets them all go.
   */
  async function withPinned<T>(files: string[], work: () => Promise<T>): Promise<T> {
    const held: { release(): Promise<void> }[] = [];
    try {
      for (const file of files) {
        const pinned = await pinFile(file);
        const note =
          typeof pinned === 'string'
            ? `Inputs were NOT held in memory while timed (${pinned}); each run only followed an untimed read, and a page cache that gives pages back mid-run times the disk.`
            : 'Each input was held in memory with `vmtouch -l` while it was timed (bench/local/pin-file.ts says why), after an untimed read before each run.';
        if (!results.notes.includes(note)) results.notes.push(note);
        if (typeof pinned === 'string') log(`  not held in memory: ${pinned}`);
        else {
          held.push(pinned);
          log(`  ${path.basename(file)} held in memory`);
        }
      }
      return await work();
    } finally {
      for (const pinned of held) await pinned.release();
    }
  }

  /**
   * Times analyze on each input once per round, the inputs in turn (1, 2, 4, 1, 2, 4, ... GiB): this
   * machine's speed drifts by a third over minutes, and timing each size's runs back to back put that
   * drift on one size rather than spreading it over all.
   */
  async function timeInRotation(inputs: Dataset[], rounds: number): Promise<LinearityRow[]> {
    const times = inputs.map((): number[] => []);
    const peaks = inputs.map((): number | null => null);
    for (let round = 0; round < rounds; round++)
      for (const [i, input] of inputs.entries()) {
        log(`${input.label}: analyze, round ${round + 1}/${rounds}`);
        const m = await measure(`analyze ${input.label}`, analyze.argv(input.file), {
          cwd: projectRoot,
          runs: 1,
          env: CHILD_ENV,
          log,
          warm: input.file,
        });
        (times[i] as number[]).push(...m.runsMs);
        if (m.peakRssKiB !== null) peaks[i] = Math.max(peaks[i] ?? 0, m.peakRssKiB / 1024);
      }
    return inputs.map((input, i) => {
      const medianMs = median(times[i] as number[]);
      return {
        sizeGiB: input.sizeGiB,
        medianMs,
        runsMs: times[i] as number[],
        secondsPerGiB: medianMs / 1000 / input.sizeGiB,
        peakRssMiB: peaks[i] ?? null,
      };
    });
  }

  const cloudWatch = await runCloudWatchHalf(opts);
  if (cloudWatch !== null) results = withCloudWatchResults(results, cloudWatch);
  save(true);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`run-bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
