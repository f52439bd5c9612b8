/**
 * The one error module. Every error the CLI can print on purpose is a
 * `LedgerError`; anything else is a bug and is reported as such by the
 * top-level handler in `src/cli/index.ts`.
 *
 * Messages are one line: what failed, where (file, field, source) and the fix.
 * A `cause` may carry a library error (Octokit, fs) but is only printed with
 * `--debug`, because library errors can carry request objects and so tokens.
 */

/** Process exit codes, documented in `release-ledger --help`. */
export const ExitCode = {
  ok: 0,
  /** Usage or configuration error, or a refused write (nothing written). */
  usage: 2,
  /** A snapshot was written but it has gaps. */
  incomplete: 3,
  /** An open finding at or above `--fail-on`. Wins over `incomplete`. */
  gate: 4,
  /** An unexpected internal error (a bug). */
  internal: 1,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

export class LedgerError extends Error {
  readonly exitCode: ExitCode;
  constructor(message: string, options: { exitCode?: ExitCode; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode ?? ExitCode.usage;
  }
}

/** Bad command-line usage: unknown command, missing or malformed argument. */
export class UsageError extends LedgerError {}

/** The configuration file is missing, not YAML, or does not match the schema. */
export class ConfigError extends LedgerError {
  readonly file: string;

  constructor(message: string, file: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.file = file;
  }
}

/** The ledger refused a write (existing id, older than head) or is unreadable. */
export class LedgerWriteError extends LedgerError {}
