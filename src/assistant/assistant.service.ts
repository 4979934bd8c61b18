import { Injectable, Logger } from '@nestjs/common';
import type { AuthContext } from '../auth';
import { NotFoundError } from '../common';
import { formatModelRef, GeneratorService, ModelPathError, ModelUnavailableError, UpstreamError, type ChatSession, type ModelRecord } from '../generator';
import { PromptsService, type MessageValue } from '../prompts';
import { RetrievalService } from '../retrieval';
import { ConversationsRepository } from './conversations.repository';
import type { AnswerMode, AskRequestDto, AskResponseDto, CitationDto } from './dto/ask.dto';
import { gatherEvidence, toChunkValues, type Evidence } from './evidence';
import { extractAnswer } from './extractive-answerer';
import { verifyCitations } from './citation-verifier';
import { detectLanguage, NO_EVIDENCE, type AnswerLanguage } from './language';
import { ModelPicker } from './model-picker';
import { condenseQuestion } from './condense';

/** Everything decided before the answer is produced: what has an HTTP status has been checked. */
export interface PreparedAsk {
  keyId: string;
  question: string;
  standaloneQuestion: string;
  language: AnswerLanguage;
  conversationId: string | null;
  evidence: Evidence[];
  mode: AnswerMode;
  model: ModelRecord | null;
  template: string | null;
  session: ChatSession | null;
  included: number[];
  trimmed: number[];
}

/** Earlier turns the Q&A template sees (and the condense step reads): the last three exchanges. */
const HISTORY_MESSAGES = 6;
const DEFAULT_K = 6;

/**
 * Knowledge Q&A: standalone question → retrieval within the caller's knowledge bases → evidence
 * check → generative answer with verified citations, or the extractive answer when no model is
 * registered → the exchange stored whole.
 */
@Injectable()
export class AssistantService {
  private readonly logger = new Logger('Assistant');

  constructor(
    private readonly retrieval: RetrievalService,
    private readonly prompts: PromptsService,
    private readonly generator: GeneratorService,
    private readonly models: ModelPicker,
    private readonly conversations: ConversationsRepository,
  ) {}

  /** `store: false` (evaluation) answers without keeping the exchange in a conversation. */
  async ask(auth: AuthContext, dto: AskRequestDto, signal: AbortSignal, options: { store?: boolean } = {}): Promise<AskResponseDto> {
    return this.answer(await this.prepare(auth, dto, signal), signal, undefined, options.store ?? true);
  }

  async prepare(auth: AuthContext, dto: AskRequestDto, signal: AbortSignal): Promise<PreparedAsk> {
    const question = dto.question.trim();
    const language = detectLanguage(question);
    let history: MessageValue[] = [];
    if (dto.conversationId) {
      const conversation = await this.conversations.get(dto.conversationId, auth.keyId);
      if (!conversation) throw new NotFoundError(`conversation ${dto.conversationId} not found (or it belongs to another key)`);
      history = (await this.conversations.messages(conversation.id, HISTORY_MESSAGES)).map((m) => ({ role: m.role, content: m.content }));
    }
    const model = await this.models.pick(dto.model);
    if (dto.template) await this.prompts.template(dto.template); // an unknown template is a 404 in every mode
    const standaloneQuestion = history.length
      ? await condenseQuestion({ prompts: this.prompts, generator: this.generator, models: this.models }, model, question, history, language, signal)
      : question;
    const evidence = await gatherEvidence(this.retrieval, auth, standaloneQuestion, dto.knowledgeBases, dto.k ?? DEFAULT_K);
    const base = { keyId: auth.keyId, question, standaloneQuestion, language, conversationId: dto.conversationId ?? null, evidence, trimmed: [] as number[] };
    if (!evidence.length) return { ...base, mode: 'no-evidence', model: null, template: null, session: null, included: [] };
    if (!model) return { ...base, mode: 'extractive', model: null, template: null, session: null, included: evidence.map((e) => e.index) };

    const template = dto.template ?? (await this.prompts.forTask('qa', language)).name;
    const compiled = await this.prompts.template(template);
    const variables: Record<string, unknown> = { question, context: toChunkValues(evidence) };
    if ('history' in compiled.definition.variables) variables.history = history;
    const maxTokens = dto.maxTokens ?? compiled.definition.parameters.maxTokens ?? 512;
    const rendered = await this.prompts.render(template, variables, { budget: this.models.budget(model, maxTokens), countTokens: this.models.counter(model) });
    const params = { maxTokens, temperature: rendered.parameters.temperature, topP: rendered.parameters.topP, stop: rendered.parameters.stop };
    let session: ChatSession;
    try {
      session = await this.generator.chat(formatModelRef(model), rendered.messages, params, signal);
    } catch (e) {
      // The default model (not one the caller named) that cannot load still leaves the extractive answer.
      if (!dto.model && (e instanceof UpstreamError || e instanceof ModelPathError || e instanceof ModelUnavailableError)) {
        this.logger.warn({ msg: 'default model unavailable; answering extractively', model: formatModelRef(model), error: (e as Error).message });
        return { ...base, mode: 'extractive', model: null, template: null, session: null, included: evidence.map((x) => x.index) };
      }
      throw e;
    }
    return {
      ...base,
      mode: 'generative',
      model,
      template,
      session,
      included: rendered.chunksIncluded.context ?? [],
      trimmed: rendered.chunksTrimmed.context ?? [],
    };
  }

  /** Produces the answer (streaming pieces through `onText`), verifies its citations and stores the exchange. */
  async answer(p: PreparedAsk, signal: AbortSignal, onText: (text: string) => void = () => {}, store = true): Promise<AskResponseDto> {
    let text: string;
    let cited: number[] = [];
    let removed: number[] = [];
    let mode = p.mode;
    if (p.session) {
      let raw = '';
      try {
        for await (const piece of p.session.pieces) {
          // PostgreSQL text cannot hold NUL, which a model can produce; the stream shows what is stored.
          const clean = piece.replace(/\u0000/g, '');
          raw += clean;
          if (clean) onText(clean);
        }
      } finally {
        await p.session.close();
      }
      ({ text, cited, removed } = verifyCitations(raw, p.included));
    } else if (mode === 'extractive') {
      const extracted = extractAnswer(p.question, p.evidence.map((e) => ({ index: e.index, rank: e.rank, text: e.citation.text, document: e.citation.documentId })), p.language);
      if (extracted.answer) {
        text = extracted.answer;
        cited = extracted.cited;
      } else {
        mode = 'no-evidence';
        text = NO_EVIDENCE[p.language];
      }
      onText(text);
    } else {
      text = NO_EVIDENCE[p.language];
      onText(text);
    }
    // A pasted question can carry NUL into the extractive answer too.
    text = text.replace(/\u0000/g, '');
    const byIndex = new Map(p.evidence.map((e) => [e.index, e.citation]));
    const citations = cited.map((n) => byIndex.get(n)).filter((c): c is CitationDto => c !== undefined);
    const model = p.model ? formatModelRef(p.model) : null;
    // A client that went away gets nothing stored: no question without its answer, no cut-off answer.
    signal.throwIfAborted();
    const conversationId = store
      ? await this.conversations.appendExchange({
          conversationId: p.conversationId, keyId: p.keyId, question: p.question.replace(/\u0000/g, ''), standaloneQuestion: p.standaloneQuestion.replace(/\u0000/g, ''),
          answer: text, mode, citations, model,
        })
      : (p.conversationId ?? '');
    return {
      answer: text,
      mode,
      language: p.language,
      citations,
      cited,
      removedCitations: removed,
      sources: mode === 'no-evidence' ? [] : p.evidence.map((e) => e.citation),
      standaloneQuestion: p.standaloneQuestion,
      conversationId,
      ...(model ? { model } : {}),
      ...(p.template ? { template: p.template } : {}),
      ...(p.trimmed.length ? { chunksTrimmed: p.trimmed } : {}),
    };
  }
}
