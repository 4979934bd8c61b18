import type { Command } from 'commander';
import { addPretrainCommand } from './finetune-pretrain.command';
import { addRunCommand } from './finetune-run.command';

/** `zhiku finetune run | pretrain`: fine-tune with LoRA through the one-click pipeline; pretrain a small MoE from scratch. */
export function registerFinetuneCommand(program: Command): void {
  const finetune = program.command('finetune').description('train models: fine-tune with LoRA (run), pretrain a small MoE from scratch (pretrain)');
  addRunCommand(finetune);
  addPretrainCommand(finetune);
}
