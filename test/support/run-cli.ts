/**
 * Runs the built CLI as a real process, the way a user would: `node dist/src/cli/main.js ...args`
 * with NO_COLOR=1, and returns what it printed and its exit code. Builds dist/ first when needed.
 */
import { spawn } from 'node:child_process';
import { cliEntryPoint, ensureBuilt, projectRoot } from './build.js';

export interface RunCliOptions {
  /** Extra environment variables (merged over the test process's environment; `undefined` removes one). */
  env?: Record<string, string | undefined>;
  /** Written to the CLI's stdin, which is then closed. Without it stdin is closed at once. */
  input?: string | Buffer;
  /** Kill the process (SIGKILL) after this long; default 60 s. */
  timeoutMs?: number;
  /** Working directory; default the project root. */
  cwd?: string;
}

export interface RunCliResult {
  stdout: string;
  stderr: string;
  /** The exit code, or null when the process was killed by a signal. */
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  timedOut: boolean;
}

/** Runs `eks-etcd-insights ...args` to completion. */
export async function runCli(args: string[], options: RunCliOptions = {}): Promise<RunCliResult> {
  await ensureBuilt();
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env['FORCE_COLOR'];
  for (const [key, value] of Object.entries(options.env ?? {})) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  const child = spawn(process.execPath, [cliEntryPoint, ...args], {
    cwd: options.cwd ?? projectRoot,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  const stdout: Buffer[] = [];
  const stderr: Buffer[] = [];
  child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
  child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
  child.stdin.on('error', () => {
    // the CLI may exit before reading all of its input (EPIPE); that is its business
  });
  if (options.input !== undefined) child.stdin.end(options.input);
  else child.stdin.end();

  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    child.kill('SIGKILL');
  }, options.timeoutMs ?? 60_000);
  try {
    const [exitCode, signal] = await new Promise<[number | null, NodeJS.Signals | null]>(
      (resolve, reject) => {
        child.on('error', reject);
        child.on('close', (code, sig) => resolve([code, sig]));
      },
    );
    return {
      stdout: Buffer.concat(stdout).toString('utf8'),
      stderr: Buffer.concat(stderr).toString('utf8'),
      exitCode,
      signal,
      timedOut,
    };
  } finally {
    clearTimeout(timer);
  }
}

export { projectRoot, cliEntryPoint, ensureBuilt };
