import { Injectable } from '@nestjs/common';
import { detectLanguage, NoModelError } from '../../assistant';
import { ModelPicker } from '../../assistant/model-picker';
import type { AuthContext } from '../../auth';
import { DocumentsService } from '../../documents/documents.service';
import type { ChunkDto } from '../../documents/dto/document.dto';
import { formatModelRef, GeneratorService, type ModelRecord } from '../../generator';
import type { JobContext, JobName, JobPayload } from '../../jobs';
import { PromptsService } from '../../prompts';
import type { SourceRef } from '../datasets/dataset-record';
import { DraftsRepository } from './drafts.repository';
import { parseDraftedPairs, screenPairs } from './qa-draft.parser';

export const QA_DRAFT_TASK = 'qa-draft';
/** Smaller chunks (a heading, a page number, a table stub) rarely hold a question worth asking. */
const MIN_CHUNK_TOKENS = 20;
const CHUNK_PAGE = 500;
const MAX_DROPPED_REPORTED = 50;

/** What a drafting job is asked to do: its job payload. */
export type DraftingRequest = JobPayload<JobName.DraftDatasetQa>;

export interface DraftingOutcome {
  model: string;
  chunks: number;
  drafted: number;
  dropped: Array<{ chunkId: string; question: string; reason: string }>;
}

/**
 * Drafts candidate Q&A from a document's chunks with a registered model (the qa-draft template in
 * the chunk's language), keeps the answers grounded in their chunk and stores them as pending
 * drafts of a dataset. Runs as a job; an editor approves or rejects the drafts afterwards.
 */
@Injectable()
export class QaDrafter {
  constructor(
    private readonly documents: DocumentsService,
    private readonly prompts: PromptsService,
    private readonly generator: GeneratorService,
    private readonly models: ModelPicker,
    private readonly drafts: DraftsRepository,
  ) {}

  /** The model a request would use; refuses at once when there is none. */
  async model(ref: string | null): Promise<ModelRecord> {
    const model = await this.models.pick(ref ?? undefined);
    if (!model) throw new NoModelError('Drafting questions from a document');
    return model;
  }

  async run(request: DraftingRequest, context: Pick<JobContext, 'jobId' | 'signal' | 'progress'>): Promise<DraftingOutcome> {
    const model = await this.model(request.model);
    const ref = formatModelRef(model);
    // The job acts for the editor who started it, on the one knowledge base the document is in.
    const auth: AuthContext = { ...request.requestedBy, role: 'editor', knowledgeBases: [request.knowledgeBaseId] };
    const document = await this.documents.get(auth, request.documentId);
    const chunks = spread(await this.usableChunks(auth, request.documentId), request.maxChunks);
    const seen = new Set<string>();
    const outcome: DraftingOutcome = { model: ref, chunks: chunks.length, drafted: 0, dropped: [] };
    for (const [i, chunk] of chunks.entries()) {
      context.signal.throwIfAborted();
      const page = firstPage(chunk);
      const source: SourceRef = { documentId: document.id, chunkId: chunk.id, title: document.filename, ...(page ? { page } : {}) };
      const output = await this.generate(model, chunk, `${document.filename}${page ? `, p. ${page}` : ''}`, request.perChunk, context.signal);
      const { kept, dropped } = screenPairs(parseDraftedPairs(output).slice(0, request.perChunk), chunk.text, seen);
      await this.drafts.insert(
        kept.map((p) => ({ datasetId: request.datasetId, jobId: context.jobId, instruction: p.question, output: p.answer, sources: [source], grounding: p.grounding, model: ref, createdBy: request.requestedBy.keyName })),
      );
      outcome.drafted += kept.length;
      for (const d of dropped) if (outcome.dropped.length < MAX_DROPPED_REPORTED) outcome.dropped.push({ chunkId: chunk.id, question: d.question, reason: d.reason });
      await context.progress(Math.round(((i + 1) / chunks.length) * 100), `chunk ${i + 1} of ${chunks.length}: ${outcome.drafted} drafted so far`);
    }
    return outcome;
  }

  private async usableChunks(auth: AuthContext, documentId: string): Promise<ChunkDto[]> {
    const out: ChunkDto[] = [];
    for (let offset = 0; ; offset += CHUNK_PAGE) {
      const page = await this.documents.listChunks(auth, documentId, offset, CHUNK_PAGE);
      out.push(...page.chunks.filter((c) => c.kind !== 'heading' && c.tokenEstimate >= MIN_CHUNK_TOKENS));
      if (offset + CHUNK_PAGE >= page.total) return out;
    }
  }

  private async generate(model: ModelRecord, chunk: ChunkDto, source: string, count: number, signal: AbortSignal): Promise<string> {
    const language = detectLanguage(chunk.text);
    const template = (await this.prompts.forTask(QA_DRAFT_TASK, language)).name;
    const compiled = await this.prompts.template(template);
    const maxTokens = compiled.definition.parameters.maxTokens ?? 768;
    const rendered = await this.prompts.render(
      template,
      { text: chunk.context ? `${chunk.context}\n${chunk.text}` : chunk.text, source, count },
      { budget: this.models.budget(model, maxTokens), countTokens: this.models.counter(model) },
    );
    const session = await this.generator.chat(formatModelRef(model), rendered.messages, { maxTokens, temperature: rendered.parameters.temperature, topP: rendered.parameters.topP, stop: rendered.parameters.stop }, signal);
    let text = '';
    try {
      for await (const piece of session.pieces) text += piece;
    } finally {
      await session.close();
    }
    return text;
  }
}

/** `limit` chunks evenly spaced through the document, so drafts cover all of it, not its first pages. */
export function spread<T>(items: readonly T[], limit: number): T[] {
  if (items.length <= limit) return [...items];
  return Array.from({ length: limit }, (_, i) => items[Math.floor((i * items.length) / limit)]);
}

function firstPage(chunk: ChunkDto): number | null {
  const pages = chunk.provenance.pages;
  return Array.isArray(pages) && typeof pages[0] === 'number' ? pages[0] : null;
}
