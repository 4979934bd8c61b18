import { ChatTemplate, openCheckpoint, Tokenizer } from '../../moe';
import type { StoredRecord } from '../datasets';
import { trainingValuesOf, type LoraAdapter } from '../export';
import { packedBatches } from '../runs/batches';
import { validationLoss } from '../runs/lora-run.loop';
import type { RunParams } from '../runs/run-params';
import { buildSftExamples, LORA_TARGETS, LoraStepRunner, type LoraTarget } from '../training';

/** Validation loss of the base and of base + adapter, or why it cannot be computed. */
export type AdapterLosses = { before: number; after: number } | { skipped: string };

/**
 * The before/after loss of an adapter trained elsewhere, on the same training graph our runs use: the
 * adapter's matrices are fed as LoRA values (transposed back to our layout; modules it does not adapt
 * get zeros, which add nothing), and zero B matrices give the base. The graph takes one rank and one
 * alpha/r for all modules, so adapters with per-module ranks or scalings, or trained whole modules,
 * are skipped with the reason.
 */
export async function adapterLosses(baseCheckpoint: string, adapter: LoraAdapter, validation: readonly StoredRecord[], params: RunParams): Promise<AdapterLosses> {
  if (adapter.replaced.length > 0) return { skipped: 'the adapter also replaces whole modules (modules_to_save)' };
  const ranks = new Set(adapter.modules.map((m) => m.rank));
  const scalings = new Set(adapter.modules.map((m) => m.scaling));
  if (ranks.size !== 1 || scalings.size !== 1) return { skipped: 'the adapter uses several ranks or scalings (rank_pattern / alpha_pattern)' };
  const rank = [...ranks][0];
  const targets = [...new Set(adapter.modules.map((m) => m.site.target))] as LoraTarget[];
  if (targets.some((t) => !LORA_TARGETS.includes(t))) return { skipped: `the adapter adapts modules the training graph has no LoRA for (${targets.join(', ')})` };
  const checkpoint = openCheckpoint(baseCheckpoint);
  let runner: LoraStepRunner;
  let batches;
  try {
    const template = ChatTemplate.fromDir(baseCheckpoint);
    if (!checkpoint.tokenizerPath || !template) return { skipped: 'the base has no tokenizer or chat template' };
    const seqLen = Math.min(params.seqLen, checkpoint.config.maxPositionEmbeddings);
    const { examples } = buildSftExamples(validation, Tokenizer.fromFile(checkpoint.tokenizerPath), template, { maxLength: seqLen });
    if (examples.length === 0) return { skipped: 'no validation record could be encoded' };
    batches = packedBatches(examples, params.batchSize, seqLen, checkpoint.config.eosTokenIds[0] ?? 0);
    runner = await LoraStepRunner.create(checkpoint.config, checkpoint.weights, { lora: { rank, alpha: [...scalings][0] * rank, targets }, batch: params.batchSize, seqLen });
  } finally {
    checkpoint.close();
  }
  try {
    const given = trainingValuesOf(adapter, (site) => `lora.layers.${site.layer}.${site.owner}.${site.target}`);
    const zeros = new Map(runner.params.map((p) => [p.name, new Float32Array(p.dims[0] * p.dims[1])]));
    const after = new Map([...zeros, ...given]);
    return { before: await validationLoss(runner, zeros, batches), after: await validationLoss(runner, after, batches) };
  } finally {
    await runner.dispose();
  }
}
