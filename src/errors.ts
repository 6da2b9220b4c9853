/**
 * Every error the user can see. Each class carries its exit code and, where we can give one, a hint
 * saying what to do next. Only src/cli/main.ts turns them into an exit code.
 *
 * | code | meaning |
 * | 0 | success | 1 | the check ran and found a problem | 2 | usage | 3 | query | 4 | source |
 * | 70 | internal (a bug) | 130 | interrupted |
 */

export interface AppErrorOptions {
  hint?: string;
  cause?: unknown;
}

/** Base of every expected error: a message in the user's terms, an exit code and an optional hint. */
export class AppError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, exitCode: number, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = exitCode;
    this.hint = options.hint;
  }
}

/** The check ran and found a problem (e.g. audit logging is off). Exit 1. */
export class CheckFailedError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 1, options);
  }
}

/** Bad flags, times, formats or an unknown stored query. Exit 2. */
export class UsageError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 2, options);
  }
}

/** A source could not answer: unreadable file, AWS credentials, permissions, a query that Failed. Exit 4. */
export class SourceError extends AppError {
  constructor(message: string, options: AppErrorOptions = {}) {
    super(message, 4, options);
  }
}

/** The user pressed Ctrl-C or the process got SIGTERM; running queries were stopped. Exit 130. */
export class InterruptedError extends AppError {
  constructor(message = 'Interrupted', options: AppErrorOptions = {}) {
    super(message, 130, options);
  }
}

/** Exit code for a bug: anything that is not an AppError. */
export const INTERNAL_ERROR_EXIT_CODE = 70;
