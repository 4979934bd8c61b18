import type { Command } from 'commander';
import { addPretrainCommand } from './finetune-pretrain.command';

/** `zhiku finetune ...`: training on the platform's engine (pretrain now; run joins from the pipeline side). */
export function registerFinetuneCommand(program: Command): void {
  const finetune = program.command('finetune').description('train models: pretrain a small MoE from scratch, fine-tune with LoRA');
  addPretrainCommand(finetune);
}
