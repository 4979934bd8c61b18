import type { Command } from 'commander';
import type { AuthContext } from '../../auth';
import { InvalidInputError } from '../../common';
import type { EvaluationReport } from '../../finetune/evaluation/run-evaluator';
import { RunStagesService } from '../../finetune/pipelines/run-stages.service';
import { FinetuneRunsRepository } from '../../finetune/runs/finetune-runs.repository';
import { FinetuneRunsService } from '../../finetune/runs/finetune-runs.service';
import type { TrainOutcome } from '../../finetune/runs/lora-run.executor';
import { TRAINING_ENGINES } from '../../finetune/runs/run-params';
import { tfjsNodePackage } from '../../finetune/training';
import { IMPORT_BITS } from '../../moe';
import { printJson, printLines, withAppContext } from '../cli-context';
import { CommandFailedError, UsageError } from '../cli-errors';
import { createProgress } from '../progress';
import { parseIntOption } from './model-args';

/** The CLI acts as the operator (see docs/platform.md). */
const OPERATOR: AuthContext = { keyId: 'cli', keyName: 'cli operator', role: 'admin', knowledgeBases: 'all' };

interface Flags {
  base: string;
  dataset: string;
  steps?: string;
  bits?: string;
  group?: string;
  deploy?: boolean;
  name?: string;
  rank?: string;
  lr?: string;
  batch?: string;
  seqLen?: string;
  evalSamples?: string;
  trainRouter?: boolean;
  engine?: string;
  json?: boolean;
}

/**
 * `zhiku finetune run`: the one-click pipeline (train ► merge ► evaluate ► quantize + register ►
 * deploy) in this process, on the database, without a server. Ctrl-C cancels at a step boundary.
 */
export function addRunCommand(finetune: Command): void {
  finetune
    .command('run')
    .description('fine-tune a model with LoRA on a dataset, evaluate it, quantize and register the result (optionally as the default)')
    .requiredOption('--base <model>', 'a registered model (name or name@version) or a checkpoint folder under the models directory')
    .requiredOption('--dataset <name>', 'dataset NAME or NAME@VERSION (default: its latest version)')
    .option('--steps <n>', 'optimizer steps (default 100)')
    .option('--bits <n>', `quantization of the registered model: ${IMPORT_BITS.join(', ')} (default 4)`)
    .option('--group <n>', "quantization group: 32, 64 or 128 (default: the quantizer's for the width)")
    .option('--deploy', 'make the new version the default of its name')
    .option('--name <model>', 'registered name of the result (default: the base\'s name or folder name)')
    .option('--rank <n>', 'LoRA rank (default 8)')
    .option('--lr <rate>', 'peak learning rate (default 2e-4)')
    .option('--batch <n>', 'rows per micro-batch (default 4)')
    .option('--seq-len <n>', 'tokens per row (default 256)')
    .option('--eval-samples <n>', 'validation questions answered before and after (default 32)')
    .option('--train-router', 'train the routers too, with the load-balancing loss (coefficient 0.01)')
    .option('--engine <name>', 'onnxruntime (default) or tfjs: TensorFlow.js autodiff, Mixtral-style models only; fast with @tensorflow/tfjs-node(-gpu) installed, slow on its pure-JS backend')
    .option('--json', 'print the result as JSON')
    .action(async (flags: Flags, command: Command) => {
      const [dataset, version] = parseDataset(flags.dataset);
      const bits = flags.bits === undefined ? 4 : Number(flags.bits);
      if (!IMPORT_BITS.includes(bits as never)) throw new UsageError(`--bits takes ${IMPORT_BITS.join(', ')}, got '${flags.bits}'`);
      const group = flags.group === undefined ? null : Number(flags.group);
      if (group !== null && ![32, 64, 128].includes(group)) throw new UsageError(`--group takes 32, 64 or 128, got '${flags.group}'`);
      const params: Record<string, number | boolean | string> = {};
      if (flags.trainRouter) params.trainRouter = true;
      if (flags.engine !== undefined) {
        if (!(TRAINING_ENGINES as readonly string[]).includes(flags.engine)) throw new UsageError(`--engine takes ${TRAINING_ENGINES.join(' or ')}, got '${flags.engine}'`);
        params.engine = flags.engine;
        if (flags.engine === 'tfjs' && !tfjsNodePackage() && !flags.json) process.stderr.write('note: neither @tensorflow/tfjs-node nor @tensorflow/tfjs-node-gpu is installed; TensorFlow.js trains on its pure-JavaScript CPU backend (tens of times slower than --engine onnxruntime)\n');
      }
      // Ranges are checked by the service, which names the field; here only "is it a number".
      const numeric: Array<[keyof Flags, string, boolean]> = [['steps', 'steps', true], ['rank', 'rank', true], ['batch', 'batchSize', true], ['seqLen', 'seqLen', true], ['evalSamples', 'evalSamples', true], ['lr', 'learningRate', false]];
      for (const [flag, key, integer] of numeric) {
        const raw = flags[flag];
        if (typeof raw !== 'string') continue;
        const value = integer ? parseIntOption(`--${String(flag).replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, raw, 0, Number.MIN_SAFE_INTEGER) : Number(raw);
        if (!Number.isFinite(value)) throw new UsageError(`--${String(flag)} must be a number, got '${raw}'`);
        params[key] = value;
      }
      const stop = new AbortController();
      const onSigint = () => stop.abort('cancelled');
      process.once('SIGINT', onSigint);
      try {
        const outcome = await withAppContext(command, async (ctx) => {
          const runs = ctx.get(FinetuneRunsService);
          let run;
          try {
            run = await runs.createInline(OPERATOR, { baseModel: flags.base, dataset, datasetVersion: version, method: 'lora', params, quantize: { bits, group: group ?? undefined }, deploy: flags.deploy ?? false, modelName: flags.name });
          } catch (e) {
            if (e instanceof InvalidInputError) throw new UsageError(e.message);
            throw e;
          }
          const progress = createProgress({ label: `fine-tune ${run.id.slice(0, 8)}`, total: 100, json: flags.json });
          const result = await ctx.get(RunStagesService).execute(run.id, {
            jobId: 'cli',
            attempt: 1,
            signal: stop.signal,
            progress: async (percent, message) => progress.update(Math.round(percent), message),
          }).catch((e: Error) => ({ runId: run.id, status: stop.signal.aborted ? 'cancelled' : 'failed', error: e.message }));
          progress.finish(result.status);
          return { result, run: (await ctx.get(FinetuneRunsRepository).get(run.id))! };
        });
        const { run, result } = outcome;
        const train = run.stages.find((s) => s.name === 'train')?.result as unknown as TrainOutcome | undefined;
        const evaluation = run.evaluation as EvaluationReport | null;
        const summary = {
          run: run.id,
          status: run.status,
          error: run.error,
          steps: train?.steps ?? null,
          train_loss_first: train?.trainLossFirst ?? null,
          train_loss_last: train?.trainLossLast ?? null,
          val_loss_before: train?.valLossBefore ?? null,
          val_loss_after: train?.valLossAfter ?? null,
          perplexity_before: evaluation?.before.perplexity ?? null,
          perplexity_after: evaluation?.after.perplexity ?? null,
          answers_before: evaluation && evaluation.samples > 0 ? { exact_match: evaluation.before.exactMatch, char_f1: evaluation.before.charF1, contains: evaluation.before.contains } : null,
          answers_after: evaluation && evaluation.samples > 0 ? { exact_match: evaluation.after.exactMatch, char_f1: evaluation.after.charF1, contains: evaluation.after.contains } : null,
          adapter: run.artifacts.adapter ?? null,
          merged: run.artifacts.merged ?? null,
          model: run.artifacts.model ?? null,
          stages: run.stages.map((s) => ({ name: s.name, status: s.status, error: s.error, seconds: s.startedAt && s.finishedAt ? (Date.parse(s.finishedAt) - Date.parse(s.startedAt)) / 1000 : null })),
        };
        if (flags.json) printJson(summary);
        else {
          const f = (x: number | null | undefined) => (typeof x === 'number' ? x.toFixed(4) : '-');
          printLines([
            `run ${run.id}: ${run.status}${run.error ? ` (${run.error})` : ''}`,
            `train loss ${f(summary.train_loss_first)} → ${f(summary.train_loss_last)} over ${summary.steps ?? 0} steps; validation loss ${f(summary.val_loss_before)} → ${f(summary.val_loss_after)}`,
            ...(summary.answers_after ? [`answers (exact / char F1 / contains): before ${f(summary.answers_before!.exact_match)} / ${f(summary.answers_before!.char_f1)} / ${f(summary.answers_before!.contains)}, after ${f(summary.answers_after.exact_match)} / ${f(summary.answers_after.char_f1)} / ${f(summary.answers_after.contains)}`] : []),
            `adapter ${summary.adapter ?? '-'}`,
            `merged ${summary.merged ?? '-'}`,
            `model ${summary.model ?? '-'}`,
          ]);
        }
        if (result.status !== 'completed') throw new CommandFailedError(`fine-tuning ${result.status}: ${result.error ?? run.error ?? ''}`);
      } finally {
        process.removeListener('SIGINT', onSigint);
      }
    });
}

function parseDataset(ref: string): [string, number | undefined] {
  const at = ref.lastIndexOf('@');
  if (at < 1) return [ref, undefined];
  const version = Number(ref.slice(at + 1));
  if (!Number.isInteger(version) || version < 1) throw new UsageError(`--dataset "${ref}": the version after @ must be a positive integer`);
  return [ref.slice(0, at), version];
}
