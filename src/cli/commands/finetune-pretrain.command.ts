import type { Command } from 'commander';
import { pretrain, TrainingError, TrainingOptionsError, type PretrainOptions, type StepRecord } from '../../finetune/training';
import { RANDOM_ARCHITECTURES, MoeError, type RandomArchitecture } from '../../moe';
import { printJson, printLines } from '../cli-context';
import { CommandFailedError, UsageError } from '../cli-errors';
import { parseChoice, parseIntOption } from './model-args';

type Flags = Record<string, string | boolean | undefined>;

const INT_FLAGS = [
  ['layers', '--layers'], ['hidden', '--hidden'], ['intermediate', '--intermediate'], ['experts', '--experts'], ['topK', '--top-k'],
  ['heads', '--heads'], ['kvHeads', '--kv-heads'], ['vocab', '--vocab'], ['steps', '--steps'], ['seqLen', '--seq-len'], ['batch', '--batch'],
] as const;

/**
 * `zhiku finetune pretrain`: full-parameter training of a small MoE from scratch on a text folder, with
 * the same engine as LoRA fine-tuning; writes a Hugging Face folder for `zhiku model import`.
 */
export function addPretrainCommand(finetune: Command): void {
  const command = finetune
    .command('pretrain')
    .description('pretrain a small MoE from scratch on a folder of .txt/.md text (every weight trained); writes a Hugging Face checkpoint folder')
    .requiredOption('--arch <arch>', RANDOM_ARCHITECTURES.join('|'))
    .requiredOption('--text <dir>', 'folder of .txt / .md documents (searched recursively)')
    .requiredOption('--out <dir>', 'checkpoint folder to write (must not exist or be empty)');
  for (const [, flag] of INT_FLAGS) command.option(`${flag} <n>`);
  command
    .option('--lr <rate>', 'peak learning rate (cosine schedule, 10% warm-up)')
    .option('--seed <n>')
    .option('--held-out <fraction>', 'share of documents held out to measure the loss (default 0.1)')
    .option('--json', 'print the result as JSON')
    .action(async (flags: Flags) => {
      const options = parseOptions(flags);
      const progress = (r: StepRecord) => {
        if (!flags.json && (r.step % 10 === 0 || r.step === (options.steps ?? 0) - 1)) process.stderr.write(`step ${r.step + 1}: loss ${r.loss.toFixed(4)}, aux ${r.auxLoss?.toFixed(4) ?? '-'}, lr ${r.lr.toExponential(2)}\n`);
      };
      try {
        const result = await pretrain({ ...options, onStep: progress });
        if (flags.json) return printJson(result);
        const held = result.heldOutLossAfter === null ? 'no held-out text' : `held-out loss ${result.heldOutLossBefore!.toFixed(3)} → ${result.heldOutLossAfter.toFixed(3)}`;
        printLines([
          `wrote ${result.outDir}: ${(result.parameters / 1e6).toFixed(2)} M parameters, vocabulary ${result.vocabSize}`,
          `${result.steps} steps on ${result.trainTokens} training tokens: loss ${result.firstLoss.toFixed(3)} → ${result.lastLoss.toFixed(3)}; ${held}`,
          `${result.seconds.toFixed(1)} s, ${Math.round(result.tokensPerSecond)} tokens/s`,
        ]);
      } catch (error) {
        if (error instanceof TrainingOptionsError) throw new UsageError(error.message);
        if (error instanceof TrainingError || error instanceof MoeError) throw new CommandFailedError(error.message);
        throw error;
      }
    });
}

function parseOptions(flags: Flags): PretrainOptions {
  const str = (key: string) => (typeof flags[key] === 'string' ? (flags[key] as string) : undefined);
  const options: PretrainOptions = {
    arch: parseChoice('--arch', str('arch'), RANDOM_ARCHITECTURES, 'mixtral') as RandomArchitecture,
    textDir: str('text')!,
    outDir: str('out')!,
  };
  for (const [key, flag] of INT_FLAGS) if (str(key) !== undefined) options[key] = parseIntOption(flag, str(key), 0);
  if (str('seed') !== undefined) options.seed = parseIntOption('--seed', str('seed'), 0, 0);
  if (str('lr') !== undefined) {
    const lr = Number(str('lr'));
    if (!(lr > 0)) throw new UsageError(`--lr must be a positive number, got '${str('lr')}'`);
    options.lr = lr;
  }
  if (str('heldOut') !== undefined) {
    const fraction = Number(str('heldOut'));
    if (!(fraction >= 0 && fraction < 1)) throw new UsageError(`--held-out must be a fraction in [0, 1), got '${str('heldOut')}'`);
    options.heldOutFraction = fraction;
  }
  return options;
}
