import { Command, CommanderError } from 'commander';
import { ConfigError } from '../config';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE } from './cli-errors';
import { COMMANDS } from './commands';

export function buildProgram(): Command {
  const program = new Command('zhiku')
    .description('Zhiku (智库): self-hosted knowledge assistant')
    .version('0.1.0')
    .option('--data <dir>', 'data directory (default: DATA_DIR or ./data)')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  for (const register of COMMANDS) register(program);
  for (const command of program.commands) applyExitOverride(command);
  return program;
}

function applyExitOverride(command: Command): void {
  command.exitOverride();
  for (const sub of command.commands) applyExitOverride(sub);
}

/** Exit code for what a command threw: 2 for wrong usage, 1 for failed work. */
export function exitCodeFor(error: unknown): number {
  if (error instanceof CommanderError) {
    return ['commander.helpDisplayed', 'commander.version', 'commander.help'].includes(error.code) ? EXIT_OK : EXIT_USAGE;
  }
  if (error instanceof ConfigError) return EXIT_USAGE;
  const code = (error as { exitCode?: unknown }).exitCode;
  if (typeof code === 'number') return code;
  return EXIT_FAILURE;
}

/** Runs the CLI; resolves to the exit code. Errors go to stderr as one readable message. */
export async function runCli(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return EXIT_OK;
  } catch (error) {
    const code = exitCodeFor(error);
    // Commander has already printed its own usage errors.
    if (!(error instanceof CommanderError)) {
      process.stderr.write(`zhiku: ${error instanceof Error ? error.message : String(error)}\n`);
    }
    return code;
  }
}

