import type { TrainingBatch } from '../engine/lora-step.runner';
import { IGNORE_INDEX } from '../graph/training-losses';
import { TrainingOptionsError } from '../training.errors';

/** A token sequence with shifted labels: an SftExample or anything shaped like it. */
export interface LabelledSequence {
  inputIds: readonly number[];
  labels: readonly number[];
}

/** One packed row of `seqLen` tokens. */
export interface PackedRow {
  inputIds: number[];
  labels: number[];
  /** Position of each token within its own example (restarts at 0), 0 on padding. */
  positionIds: number[];
  /** 1, 2, ... for the examples in the row, 0 for padding; attention never crosses a segment. */
  segmentIds: number[];
}

/**
 * Packs examples into rows of exactly `seqLen` tokens, first fit in the given order (deterministic).
 * The training graph masks attention block-diagonally by segment and restarts rope positions per
 * example, so a packed row computes the same loss terms and gradients as its examples run alone.
 * Padding tokens use `padId`, label IGNORE_INDEX and segment 0.
 */
export function packSequences(examples: readonly LabelledSequence[], seqLen: number, padId = 0): PackedRow[] {
  if (!Number.isInteger(seqLen) || seqLen < 1) throw new TrainingOptionsError(`sequence length must be a positive integer, got ${seqLen}`);
  const rows: Array<{ free: number; parts: LabelledSequence[] }> = [];
  examples.forEach((ex, i) => {
    if (ex.inputIds.length !== ex.labels.length) throw new TrainingOptionsError(`example ${i} has ${ex.inputIds.length} ids but ${ex.labels.length} labels`);
    if (ex.inputIds.length > seqLen) {
      throw new TrainingOptionsError(`example ${i} has ${ex.inputIds.length} tokens, more than the sequence length ${seqLen}; build examples with maxLength ≤ ${seqLen}`);
    }
    if (ex.inputIds.length === 0) return;
    const row = rows.find((r) => r.free >= ex.inputIds.length);
    if (row) {
      row.parts.push(ex);
      row.free -= ex.inputIds.length;
    } else rows.push({ free: seqLen - ex.inputIds.length, parts: [ex] });
  });
  return rows.map(({ parts }) => {
    const row: PackedRow = { inputIds: [], labels: [], positionIds: [], segmentIds: [] };
    parts.forEach((ex, k) => {
      row.inputIds.push(...ex.inputIds);
      row.labels.push(...ex.labels);
      ex.inputIds.forEach((_, t) => (row.positionIds.push(t), row.segmentIds.push(k + 1)));
    });
    padRow(row, seqLen, padId);
    return row;
  });
}

/** An unpacked row: one example, padded to seqLen. */
export function padSequence(example: LabelledSequence, seqLen: number, padId = 0): PackedRow {
  return packSequences([example], seqLen, padId)[0] ?? emptyRow(seqLen, padId);
}

/**
 * Groups rows into training batches of `batch` rows; the last batch is completed with empty rows
 * (all padding, no labels), which add nothing to the loss.
 */
export function toTrainingBatches(rows: readonly PackedRow[], batch: number, padId = 0): TrainingBatch[] {
  if (!Number.isInteger(batch) || batch < 1) throw new TrainingOptionsError(`batch must be a positive integer, got ${batch}`);
  if (rows.length === 0) return [];
  const seqLen = rows[0].inputIds.length;
  const out: TrainingBatch[] = [];
  for (let i = 0; i < rows.length; i += batch) {
    const group = rows.slice(i, i + batch);
    while (group.length < batch) group.push(emptyRow(seqLen, padId));
    out.push({
      inputIds: group.flatMap((r) => r.inputIds),
      labels: group.flatMap((r) => r.labels),
      positionIds: group.flatMap((r) => r.positionIds),
      segmentIds: group.flatMap((r) => r.segmentIds),
    });
  }
  return out;
}

function emptyRow(seqLen: number, padId: number): PackedRow {
  const row: PackedRow = { inputIds: [], labels: [], positionIds: [], segmentIds: [] };
  padRow(row, seqLen, padId);
  return row;
}

function padRow(row: PackedRow, seqLen: number, padId: number): void {
  while (row.inputIds.length < seqLen) {
    row.inputIds.push(padId);
    row.labels.push(IGNORE_INDEX);
    row.positionIds.push(0);
    row.segmentIds.push(0);
  }
}
