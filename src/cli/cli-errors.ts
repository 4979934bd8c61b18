/**
 * Exit codes of the `zhiku` command line: 0 ok, 1 the work failed, 2 the command was used wrongly.
 * Commands throw these; the entry point prints the message on stderr and exits with the code.
 */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong arguments or options: exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
  readonly exitCode = EXIT_USAGE;
}

/** The command ran but could not do its work (a file failed to parse, a model failed its check): exit 1. */
export class CommandFailedError extends Error {
  override readonly name = 'CommandFailedError';
  readonly exitCode = EXIT_FAILURE;
}
