import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Command } from 'commander';
import { InvalidInputError } from '../../common';
import { formatModelRef, mapModel, ModelRegistryService, parseModelRef, type ModelDto, type ModelRecord } from '../../generator';
import { MODEL_NAME } from '../../generator/registry/model-paths';
import { printJson, printLines, withAppContext } from '../cli-context';
import { UsageError } from '../cli-errors';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function describe(m: ModelDto): string {
  const where = m.provider === 'onnx' ? m.folder : `${m.baseUrl} (${m.remoteModel})`;
  const what = m.provider === 'onnx' && m.bits ? `${m.bits}-bit ${m.architecture ?? ''}`.trim() : m.provider;
  const size = m.sizeBytes ? `, ${(m.sizeBytes / 1e6).toFixed(1)} MB` : '';
  return `${m.id}  ${m.ref}${m.isDefault ? ' (default)' : ''}  ${m.status}${m.error ? `: ${m.error}` : ''}  ${what}${size}  ${where}`;
}

/** Bad input (a path outside the models directory, a name taken) is a usage error here: exit 2. */
async function registry<T>(command: Command, work: (registry: ModelRegistryService) => Promise<T>): Promise<T> {
  try {
    return await withAppContext(command, (context) => work(context.get(ModelRegistryService)));
  } catch (e) {
    if (e instanceof InvalidInputError) throw new UsageError(e.message);
    throw e;
  }
}

/**
 * `zhiku model register|list|remove`: the model registry on the database, without the server.
 * Appended to the `model` command group (which otherwise works on folders alone).
 */
export function registerModelRegistryCommands(model: Command): void {
  model
    .command('register')
    .description('register an imported model folder (inside the models directory), or an external OpenAI-compatible endpoint')
    .argument('[folder]', 'imported model folder: a path, or a folder name under the models directory')
    .requiredOption('--name <name>', 'registry name (each registration is a new version of it)')
    .option('--base-url <url>', 'register an OpenAI-compatible endpoint instead, e.g. http://vllm:8000/v1')
    .option('--api-key <key>', 'the key the endpoint expects (stored, never printed)')
    .option('--remote-model <name>', "the endpoint's model name (default: --name)")
    .option('--default', 'make this version the one the name resolves to')
    .option('--json', 'print the result as JSON')
    .action(async (folder: string | undefined, flags: { name: string; baseUrl?: string; apiKey?: string; remoteModel?: string; default?: boolean; json?: boolean }, command: Command) => {
      if (!MODEL_NAME.test(flags.name)) throw new UsageError(`--name must be 1 to 100 letters, digits, dots, dashes or underscores; got "${flags.name}"`);
      if (!flags.baseUrl && !folder) throw new UsageError('give the model folder, or --base-url for an external endpoint');
      if (flags.baseUrl && folder) throw new UsageError('give either a folder or --base-url, not both');
      // A folder that exists from here is taken as a path; otherwise it names a folder in the models directory.
      const given = folder && fs.existsSync(folder) ? path.resolve(folder) : folder;
      const made = await registry(command, (r) =>
        r.register({
          name: flags.name,
          provider: flags.baseUrl ? 'openai-compatible' : 'onnx',
          path: given,
          baseUrl: flags.baseUrl,
          apiKey: flags.apiKey,
          remoteModel: flags.remoteModel,
          makeDefault: flags.default,
        }),
      );
      if (flags.json) printJson(mapModel(made));
      else printLines([`registered ${describe(mapModel(made))}`]);
    });

  model
    .command('list')
    .description('list registered models and their versions')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { json?: boolean }, command: Command) => {
      const list = (await registry(command, (r) => r.list())).map(mapModel);
      if (flags.json) printJson(list);
      else printLines(list.length === 0 ? ['no models registered; add one with `zhiku model register` or POST /api/models/import'] : list.map(describe));
    });

  model
    .command('remove')
    .description('unregister a model version (a folder the import job wrote is deleted with it)')
    .argument('<model>', 'the version as name@version, or its id')
    .option('--json', 'print the result as JSON')
    .action(async (ref: string, flags: { json?: boolean }, command: Command) => {
      const { name, version } = parseModelRef(ref);
      if (!UUID.test(ref) && version === null) throw new UsageError(`say which version to remove: ${name}@N (see \`zhiku model list\`), or give its id`);
      const removed = await registry(command, async (r) => {
        const target: ModelRecord | undefined = UUID.test(ref)
          ? await r.get(ref)
          : (await r.list()).find((m) => m.name.toLowerCase() === name.toLowerCase() && m.version === version);
        if (!target) throw new UsageError(`no model ${ref} is registered (see \`zhiku model list\`)`);
        return r.remove(target.id);
      });
      if (flags.json) printJson(mapModel(removed));
      else printLines([`removed ${formatModelRef(removed)}`]);
    });
}
