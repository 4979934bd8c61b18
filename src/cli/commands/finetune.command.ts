import type { Command } from 'commander';
import { addMergeCommand } from './finetune-merge.command';
import { addPretrainCommand } from './finetune-pretrain.command';
import { addRunCommand } from './finetune-run.command';

/** `zhiku finetune run | merge | pretrain`: fine-tune with LoRA through the one-click pipeline; merge a PEFT adapter; pretrain a small MoE from scratch. */
export function registerFinetuneCommand(program: Command): void {
  const finetune = program.command('finetune').description('train models: fine-tune with LoRA (run), merge a PEFT adapter (merge), pretrain a small MoE from scratch (pretrain)');
  addRunCommand(finetune);
  addMergeCommand(finetune);
  addPretrainCommand(finetune);
}
