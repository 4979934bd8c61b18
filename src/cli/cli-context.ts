import type { Command } from 'commander';
import { INestApplicationContext } from '@nestjs/common';
import { createAppContext } from '../app.factory';
import { AppConfig, loadConfig } from '../config';

/** Options every command inherits from the program. */
export interface GlobalOptions {
  data?: string;
}

/** The validated configuration, with the program's --data winning over DATA_DIR. */
export function configFor(command: Command): AppConfig {
  const { data } = command.optsWithGlobals<GlobalOptions>();
  return loadConfig(process.env, { dataDir: data });
}

/**
 * Runs `work` inside the app's modules started in the cli role (no HTTP, no job consumption) on
 * the embedded data directory or DATABASE_URL, and always closes them (releasing the data dir).
 */
export async function withAppContext<T>(
  command: Command,
  work: (context: INestApplicationContext, config: AppConfig) => Promise<T>,
  options: { runMigrations?: boolean } = {},
): Promise<T> {
  const config = configFor(command);
  const context = await createAppContext(config, 'cli', { runMigrations: options.runMigrations, logLevel: 'warn' });
  try {
    return await work(context, config);
  } finally {
    await context.close();
  }
}

/** stdout: results only (JSON with --json), so they can be piped. */
export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printLines(lines: string[]): void {
  process.stdout.write(lines.length > 0 ? `${lines.join('\n')}\n` : '');
}
