import type { Command } from 'commander';
import { AdapterError, baseTensorsOf, mergeAdapter, readPeftAdapter } from '../../finetune/export';
import { MoeError, openCheckpoint } from '../../moe';
import { printJson, printLines } from '../cli-context';
import { CommandFailedError } from '../cli-errors';

/**
 * `zhiku finetune merge`: a PEFT LoRA adapter (ours, or one trained elsewhere, e.g. by LLaMA-Factory
 * from a hand-off) merged into its base checkpoint as a new Hugging Face folder, ready for
 * `zhiku model import`. No database: files in, files out.
 */
export function addMergeCommand(finetune: Command): void {
  finetune
    .command('merge')
    .description('merge a PEFT LoRA adapter folder into its base checkpoint (W + B·A·alpha/r), writing a Hugging Face checkpoint folder')
    .requiredOption('--base <dir>', 'the base Hugging Face checkpoint folder')
    .requiredOption('--adapter <dir>', 'PEFT adapter folder (adapter_config.json + adapter_model.safetensors)')
    .requiredOption('--out <dir>', 'folder to write (must not exist or be empty)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: { base: string; adapter: string; out: string; json?: boolean }) => {
      try {
        const base = openCheckpoint(flags.base);
        let adapter;
        try {
          adapter = readPeftAdapter(flags.adapter, baseTensorsOf(base));
        } finally {
          base.close();
        }
        const result = mergeAdapter(flags.base, flags.out, adapter);
        const summary = { ...result, rank: adapter.rank, alpha: adapter.alpha, modules: adapter.modules.length, targetModules: adapter.targetModules };
        if (flags.json) return printJson(summary);
        printLines([`merged ${summary.modules} adapted modules (r ${summary.rank}, alpha ${summary.alpha}; ${summary.targetModules.join(', ')}) into ${result.tensors} tensors: ${result.dir}`]);
      } catch (error) {
        if (error instanceof AdapterError || error instanceof MoeError) throw new CommandFailedError(error.message);
        throw error;
      }
    });
}
