/**
 * The terminal, as the commands see it. Commands write through this instead of `process` so tests can
 * capture output and so colour and progress lines follow one rule: only on a TTY, never with NO_COLOR.
 */
export interface CommandIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** stdout is a terminal. */
  stdoutIsTTY: boolean;
  /** stderr is a terminal (progress lines go there only then). */
  stderrIsTTY: boolean;
  /** Colour allowed on stdout: a TTY and no NO_COLOR. */
  color: boolean;
  verbose: boolean;
  debug: boolean;
  env: NodeJS.ProcessEnv;
  /** Aborted on SIGINT/SIGTERM. */
  signal: AbortSignal;
  /** Ask a yes/no question on the terminal; resolves false when there is no terminal. */
  confirm(question: string): Promise<boolean>;
  /** Narration for --verbose, on stderr. */
  log(message: string): void;
}

export interface GlobalOptions {
  verbose?: boolean;
  debug?: boolean;
}
