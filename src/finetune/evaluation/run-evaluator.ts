import * as fs from 'node:fs';
import * as path from 'node:path';
import { charF1, containsAny, exactMatch } from '../../assistant/eval/answer-metrics';
import { ChatTemplate, importModel, openModel, TextGenerator, Tokenizer } from '../../moe';
import type { StoredRecord } from '../datasets';
import { promptIds } from './record-prompt';

export interface AnswerScores {
  exactMatch: number;
  charF1: number;
  contains: number;
}

export interface SideFigures extends Partial<AnswerScores> {
  /** Mean cross-entropy over the validation answers' tokens. */
  loss: number | null;
  perplexity: number | null;
}

export interface AnsweredSample {
  recordId: string;
  question: string;
  gold: string;
  before: { answer: string } & AnswerScores;
  after: { answer: string } & AnswerScores;
}

/** Before and after, side by side; stored on the run. */
export interface EvaluationReport {
  validationRecords: number;
  /** Questions answered (the first `evalSamples` validation records). */
  samples: number;
  maxNewTokens: number;
  before: SideFigures;
  after: SideFigures;
  answers: AnsweredSample[];
  seconds: number;
}

export interface EvaluationInput {
  baseCheckpoint: string;
  mergedCheckpoint: string;
  validation: readonly StoredRecord[];
  samples: number;
  maxNewTokens: number;
  /** From training: the base model's and the trained adapter's validation loss (same graph, same batches). */
  valLossBefore: number | null;
  valLossAfter: number | null;
  /** Scratch space for the float32 ONNX folders generation runs on. */
  workDir: string;
  signal: AbortSignal;
}

/**
 * Before/after evaluation on the validation split: loss and perplexity (computed by training on the
 * training graph, B = 0 being exactly the base), and greedy answers to the validation questions from
 * the base and from the merged model, scored with the assistant's answer metrics (exact match,
 * character F1, contains; gold = the record's output). Generation runs on float32 ONNX imports of both
 * checkpoints, so the figures measure the fine-tune, not quantization.
 */
export async function evaluateRun(input: EvaluationInput): Promise<EvaluationReport> {
  const started = performance.now();
  const sample = input.validation.slice(0, input.samples);
  const side = (loss: number | null): SideFigures => ({ loss, perplexity: loss === null ? null : Math.exp(loss) });
  const report: EvaluationReport = {
    validationRecords: input.validation.length,
    samples: sample.length,
    maxNewTokens: input.maxNewTokens,
    before: side(input.valLossBefore),
    after: side(input.valLossAfter),
    answers: [],
    seconds: 0,
  };
  if (sample.length > 0) {
    const before = await answerAll(input.baseCheckpoint, path.join(input.workDir, 'eval-base'), sample, input);
    const after = await answerAll(input.mergedCheckpoint, path.join(input.workDir, 'eval-merged'), sample, input);
    report.answers = sample.map((r, i) => ({
      recordId: r.id,
      question: r.input ? `${r.instruction}\n${r.input}` : r.instruction,
      gold: r.output,
      before: { answer: before[i], ...score(before[i], r.output) },
      after: { answer: after[i], ...score(after[i], r.output) },
    }));
    Object.assign(report.before, mean(report.answers.map((a) => a.before)));
    Object.assign(report.after, mean(report.answers.map((a) => a.after)));
  }
  report.seconds = (performance.now() - started) / 1000;
  return report;
}

function score(answer: string, gold: string): AnswerScores {
  return { exactMatch: exactMatch(answer, [gold]) ? 1 : 0, charF1: charF1(answer, [gold]), contains: containsAny(answer, [gold]) ? 1 : 0 };
}

function mean(scores: AnswerScores[]): AnswerScores {
  const avg = (key: keyof AnswerScores) => scores.reduce((s, x) => s + x[key], 0) / scores.length;
  return { exactMatch: avg('exactMatch'), charF1: avg('charF1'), contains: avg('contains') };
}

/** Greedy answers of one checkpoint to every sampled question; its float32 import is removed afterwards. */
async function answerAll(checkpoint: string, folder: string, records: readonly StoredRecord[], input: EvaluationInput): Promise<string[]> {
  await importModel(checkpoint, folder, { bits: 32, overwrite: true });
  const opened = await openModel(folder);
  try {
    if (!opened.tokenizerPath) throw new Error(`${checkpoint} has no tokenizer.json; answers cannot be generated`);
    const tokenizer = Tokenizer.fromFile(opened.tokenizerPath);
    const template = ChatTemplate.fromDir(folder);
    if (!template) throw new Error(`${checkpoint} has no chat template; answers cannot be generated`);
    const generator = new TextGenerator(opened.lm, tokenizer);
    const limit = opened.manifest.graph.maxPositions;
    const answers: string[] = [];
    for (const record of records) {
      if (input.signal.aborted) throw new Error('evaluation stopped');
      const ids = promptIds(record, tokenizer, template).slice(-(limit - input.maxNewTokens));
      const result = await generator.generate(ids, { greedy: true, maxNewTokens: input.maxNewTokens, signal: input.signal });
      // PostgreSQL's jsonb refuses U+0000, which an untrained model may well generate.
      answers.push(result.text.replace(/\u0000/g, '').trim());
    }
    return answers;
  } finally {
    await opened.lm.dispose();
    fs.rmSync(folder, { recursive: true, force: true });
  }
}
