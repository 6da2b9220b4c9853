import { createInterface } from 'node:readline/promises';
import type { CommandIo, GlobalOptions } from './io.js';
import { sanitizeForTerminal } from '../report/terminal-text.js';

/** Builds the CommandIo over the real process: stdout/stderr, the environment and the signal handlers. */
export function createProcessIo(options: GlobalOptions, signal: AbortSignal): CommandIo {
  const env = process.env;
  const noColor = env['NO_COLOR'] !== undefined && env['NO_COLOR'] !== '';
  const io: CommandIo = {
    stdout: (text) => void process.stdout.write(text),
    stderr: (text) => void process.stderr.write(text),
    stdoutIsTTY: process.stdout.isTTY === true,
    stderrIsTTY: process.stderr.isTTY === true,
    color: process.stdout.isTTY === true && !noColor,
    verbose: options.verbose === true || options.debug === true,
    debug: options.debug === true,
    env,
    signal,
    async confirm(question) {
      if (process.stdin.isTTY !== true) return false;
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      try {
        const answer = await rl.question(`${question} [y/N] `);
        return /^y(es)?$/i.test(answer.trim());
      } finally {
        rl.close();
      }
    },
    log(message) {
      // Narration quotes file names, stream names and AWS messages: none of it may drive the terminal.
      if (io.verbose) process.stderr.write(`${sanitizeForTerminal(message)}\n`);
    },
  };
  return io;
}
