import type { Command } from 'commander';
import { ApiKeysService, ApiKeyView } from '../../auth/api-keys.service';
import { ROLES, Role } from '../../auth/roles';
import { printJson, printLines, withAppContext } from '../cli-context';
import { UsageError } from '../cli-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describeKey(key: ApiKeyView): string {
  const scope = key.knowledgeBases === 'all' ? 'all knowledge bases' : `${key.knowledgeBases.length} knowledge base(s)`;
  const state = key.revokedAt ? `revoked ${key.revokedAt}` : `last used ${key.lastUsedAt ?? 'never'}`;
  return `${key.id}  ${key.prefix}…  ${key.role.padEnd(6)}  ${key.name}  (${scope}; ${state})`;
}

/** `zhiku keys create|list|revoke`: API keys, straight on the database (no server needed). */
export function registerKeysCommand(program: Command): void {
  const keys = program.command('keys').description('manage API keys');

  keys
    .command('create')
    .description('create an API key and print it (shown this once)')
    .requiredOption('--name <name>', 'who or what the key is for')
    .option('--role <role>', `one of ${ROLES.join(', ')}`, 'viewer')
    .option('--kb <id...>', 'limit the key to these knowledge bases (ids)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { name: string; role: string; kb?: string[]; json?: boolean }, command: Command) => {
      if (!ROLES.includes(flags.role as Role)) throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${flags.role}"`);
      if (flags.name.trim().length === 0 || flags.name.length > 100) throw new UsageError('--name must be 1 to 100 characters');
      const badKb = flags.kb?.find((id) => !UUID.test(id));
      if (badKb) throw new UsageError(`--kb takes knowledge base ids (UUIDs), got "${badKb}"`);
      const created = await withAppContext(command, (context) =>
        context.get(ApiKeysService).create({ name: flags.name.trim(), role: flags.role as Role, knowledgeBaseIds: flags.kb }),
      );
      if (flags.json) printJson(created);
      else printLines([`created ${describeKey(created)}`, '', `  ${created.key}`, '', 'The key is shown only this once; store it now.']);
    });

  keys
    .command('list')
    .description('list API keys (never the keys themselves)')
    .option('--all', 'include revoked keys')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { all?: boolean; json?: boolean }, command: Command) => {
      const list = await withAppContext(command, (context) => context.get(ApiKeysService).list(flags.all ?? false));
      if (flags.json) printJson(list);
      else printLines(list.length === 0 ? ['no API keys'] : list.map(describeKey));
    });

  keys
    .command('revoke')
    .description('revoke an API key by id or prefix')
    .argument('<key>', 'the key id or its prefix (as listed)')
    .option('--json', 'print the result as JSON')
    .action(async (idOrPrefix: string, flags: { json?: boolean }, command: Command) => {
      const revoked = await withAppContext(command, (context) => context.get(ApiKeysService).revoke(idOrPrefix));
      if (flags.json) printJson(revoked);
      else printLines([`revoked ${describeKey(revoked)}`]);
    });
}
