/**
 * Errors the user can fix (a bad flag, a broken config, a missing file, no network).
 *
 * The command line prints a UserError as one line, `error: <message>`, and exits non-zero
 * without a stack trace. Anything else that escapes is a bug in this program and keeps its
 * stack so it can be reported.
 */
export class UserError extends Error {
  /** Process exit code: 2 for usage/config mistakes, 1 for everything else. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'UserError';
    this.exitCode = exitCode;
  }
}

/** A mistake in the command line or a config file (exit code 2, like most Unix tools). */
export class UsageError extends UserError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** The message of any thrown value, for wrapping lower-level failures into a UserError. */
export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
