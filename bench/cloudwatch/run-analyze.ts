/**
 * Runs the real CLI, `analyze --cluster NAME --format json --output FILE`, against the fake AWS
 * server (AWS_ENDPOINT_URL and dummy credentials), timing the whole process.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import type { IncidentReport } from '../../src/analysis/incident-report.js';
import { dummyAwsEnv } from '../../test/support/fake-aws/dummy-env.js';

export interface AnalyzeRun {
  argv: string[];
  exitCode: number | null;
  wallMs: number;
  stderr: string;
  report: IncidentReport | null;
  /** The `analyze: round N: ...` lines of --verbose: which queries ran in each round. */
  roundLines: string[];
}

export interface AnalyzeRunOptions {
  cliEntry: string;
  cwd: string;
  serverUrl: string;
  cluster: string;
  lookback: string;
  outputFile: string;
  extraArgs?: string[];
  timeoutMs?: number;
}

/** Runs analyze once and reads its JSON report. */
export async function runAnalyze(options: AnalyzeRunOptions): Promise<AnalyzeRun> {
  rmSync(options.outputFile, { force: true });
  const argv = [
    options.cliEntry,
    '--verbose',
    'analyze',
    '--cluster',
    options.cluster,
    '--lookback',
    options.lookback,
    '--format',
    'json',
    '--output',
    options.outputFile,
    ...(options.extraArgs ?? []),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, ...dummyAwsEnv(options.serverUrl) };
  for (const key of ['AWS_PROFILE', 'AWS_DEFAULT_PROFILE', 'FORCE_COLOR']) delete env[key];
  const started = performance.now();
  const child = spawn(process.execPath, argv, { cwd: options.cwd, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const stderr: Buffer[] = [];
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 600_000);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code));
  });
  clearTimeout(timer);
  const wallMs = performance.now() - started;
  const text = Buffer.concat(stderr).toString('utf8');
  const report = existsSync(options.outputFile)
    ? (JSON.parse(readFileSync(options.outputFile, 'utf8')) as IncidentReport)
    : null;
  return {
    argv: ['node', ...argv.slice(0)],
    exitCode,
    wallMs,
    stderr: text,
    report,
    roundLines: text.split('\n').filter((line) => /^analyze: round \d+:/.test(line)),
  };
}
