#!/usr/bin/env node
/**
 * The entry point, and the one place that picks the exit code. Everything below returns data or throws
 * an AppError; here it becomes text on stderr and `process.exitCode`.
 */
import { CommanderError } from 'commander';
import { AppError, INTERNAL_ERROR_EXIT_CODE, InterruptedError } from '../errors.js';
import { buildProgram } from './program.js';
import { sanitizeForTerminal } from '../report/terminal-text.js';

async function main(argv: string[]): Promise<void> {
  // The AWS SDK warns on every Node 20 run that *future* SDK releases will need Node 22. Our lockfile
  // pins a release that supports Node 20, and a multi-line warning on stderr in the middle of an
  // outage is noise; --debug still shows it.
  if (!argv.includes('--debug')) process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const controller = new AbortController();
  let interrupts = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    interrupts += 1;
    if (interrupts > 1) {
      // A second Ctrl-C means "now": give up on stopping queries gracefully.
      process.stderr.write('\nInterrupted again; exiting without waiting.\n');
      process.exit(130);
    }
    process.stderr.write(`\n${signal === 'SIGINT' ? 'Ctrl-C' : signal}: stopping running queries...\n`);
    controller.abort(new InterruptedError(`Interrupted by ${signal}`));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const debug = argv.includes('--debug');
  const program = buildProgram(controller.signal);
  try {
    await program.parseAsync(argv);
  } catch (error) {
    process.exitCode = reportError(error, debug);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  if (controller.signal.aborted) {
    // Interrupted: never a success code, even if the command got to its end; and do not wait for an
    // abandoned AWS call to answer (running queries were already stopped by the source).
    if (process.exitCode === undefined || process.exitCode === 0) process.exitCode = 130;
    process.exit();
  }
}

/** Writes the error for a human and returns the exit code. */
function reportError(error: unknown, debug: boolean): number {
  if (error instanceof CommanderError) {
    // commander already printed its message (usage errors) or the help/version text.
    if (
      error.code === 'commander.helpDisplayed' ||
      error.code === 'commander.version' ||
      error.code === 'commander.help'
    ) {
      return 0;
    }
    return error.exitCode === 0 ? 0 : 2;
  }
  if (error instanceof AppError) {
    const formatted =
      typeof (error as { format?: unknown }).format === 'function'
        ? (error as unknown as { format(): string }).format()
        : `error: ${error.message}`;
    process.stderr.write(`${sanitizeForTerminal(formatted)}\n`);
    if (error.hint !== undefined) process.stderr.write(`hint: ${sanitizeForTerminal(error.hint)}\n`);
    if (debug && error.stack !== undefined) process.stderr.write(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`internal error: ${sanitizeForTerminal(message)}\n`);
  process.stderr.write(
    debug && error instanceof Error && error.stack !== undefined
      ? `${error.stack}\n`
      : 'hint: this is a bug in eks-etcd-insights; run again with --debug for the stack trace and report it.\n',
  );
  return INTERNAL_ERROR_EXIT_CODE;
}

await main(process.argv);
