import type { Command } from 'commander';
import { getDataSourceToken } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { printJson, printLines, withAppContext } from '../cli-context';

/** `zhiku db migrate`: applies pending migrations (start-up does too) and says which. */
export function registerDbCommand(program: Command): void {
  const db = program.command('db').description('database maintenance');
  db.command('migrate')
    .description('apply pending migrations')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const applied = await withAppContext(
        command,
        async (context) => {
          const dataSource = context.get<DataSource>(getDataSourceToken());
          const migrations = await dataSource.runMigrations({ transaction: 'each' });
          return migrations.map((m) => m.name);
        },
        { runMigrations: false },
      );
      if (flags.json) printJson({ applied });
      else printLines(applied.length === 0 ? ['database is up to date'] : [`applied ${applied.length} migration(s):`, ...applied.map((n) => `  ${n}`)]);
    });
}
