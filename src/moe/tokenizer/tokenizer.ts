import * as fs from 'node:fs';
import { TokenizerError } from '../moe.errors';
import { BpeModel } from './bpe.model';
import { buildDecoder, Decoder } from './decoder';
import { buildNormalizer, Normalizer } from './normalizer';
import { buildPreTokenizer, PreTokenizer } from './pre-tokenizer';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface AddedToken {
  readonly id: number;
  readonly content: string;
  readonly special: boolean;
  readonly lstrip: boolean;
  readonly rstrip: boolean;
}

export interface EncodeOptions {
  /** Apply the post-processor's template (Llama's leading <s>). Default false: chat templates add BOS themselves. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

/**
 * A Hugging Face tokenizer.json with a BPE model: byte-level (GPT-2, Qwen) or SentencePiece-style
 * (Llama/Mixtral: ▁ for spaces, <0xNN> byte fallback). Added tokens are cut out of the text first and
 * never split; the rest goes normalizer → pre-tokenizer → BPE.
 */
export class Tokenizer {
  private readonly model: BpeModel;
  private readonly normalize: Normalizer;
  private readonly preTokenize: PreTokenizer;
  private readonly decoder: Decoder;
  private readonly idToToken = new Map<number, string>();
  private readonly added: AddedToken[];
  private readonly addedById = new Map<number, AddedToken>();
  private readonly addedByContent = new Map<string, AddedToken>();
  private readonly addedPattern: RegExp | null;
  private readonly prefixIds: number[];
  private readonly suffixIds: number[];

  constructor(json: Json, readonly source = 'tokenizer.json') {
    try {
      this.model = new BpeModel(json.model ?? {});
      this.normalize = buildNormalizer(json.normalizer);
      this.preTokenize = buildPreTokenizer(json.pre_tokenizer);
      this.decoder = buildDecoder(json.decoder);
    } catch (error) {
      if (error instanceof TokenizerError) throw new TokenizerError(`${source}: ${error.message}`);
      throw error;
    }
    for (const [token, id] of this.model.vocab) this.idToToken.set(id, token);
    this.added = ((json.added_tokens ?? []) as Json[]).map((t) => ({
      id: t.id,
      content: t.content,
      special: t.special === true,
      lstrip: t.lstrip === true,
      rstrip: t.rstrip === true,
    }));
    for (const token of this.added) {
      this.addedById.set(token.id, token);
      this.addedByContent.set(token.content, token);
      this.idToToken.set(token.id, token.content);
    }
    const escaped = [...this.added].sort((a, b) => b.content.length - a.content.length).map((t) => t.content.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.addedPattern = escaped.length > 0 ? new RegExp(escaped.join('|'), 'gu') : null;
    [this.prefixIds, this.suffixIds] = templateIds(json.post_processor);
  }

  static fromFile(file: string): Tokenizer {
    let json: Json;
    try {
      json = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (error) {
      throw new TokenizerError(`cannot read tokenizer ${file}: ${(error as Error).message}`);
    }
    return new Tokenizer(json, file);
  }

  /** Largest id + 1, counting added tokens. */
  get vocabSize(): number {
    // A loop, not Math.max(...ids): spreading a 150k-entry vocabulary can overflow the argument stack.
    let max = -1;
    for (const id of this.idToToken.keys()) if (id > max) max = id;
    return max + 1;
  }

  tokenToId(token: string): number | undefined {
    return this.addedByContent.get(token)?.id ?? this.model.vocab.get(token);
  }

  idToTokenString(id: number): string | undefined {
    return this.idToToken.get(id);
  }

  get specialTokens(): readonly AddedToken[] {
    return this.added.filter((t) => t.special);
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    const ids: number[] = [];
    let first = true;
    for (const segment of this.splitAdded(text)) {
      if (typeof segment === 'number') {
        ids.push(segment);
      } else if (segment.length > 0) {
        for (const piece of this.preTokenize([this.normalize(segment)], first)) {
          if (piece.length > 0) ids.push(...this.model.encodeWord(piece));
        }
      }
      first = false;
    }
    return options.addSpecialTokens ? [...this.prefixIds, ...ids, ...this.suffixIds] : ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    let out = '';
    let run: string[] = [];
    const flush = () => {
      if (run.length > 0) out += this.decoder(run).join('');
      run = [];
    };
    for (const id of ids) {
      const added = this.addedById.get(id);
      if (added) {
        flush();
        if (!(added.special && options.skipSpecialTokens)) out += added.content;
        continue;
      }
      const token = this.idToToken.get(id);
      if (token === undefined) throw new TokenizerError(`token id ${id} is not in the vocabulary of ${this.source}`);
      run.push(token);
    }
    flush();
    return out;
  }

  /** Text → alternating plain text and added-token ids, honouring lstrip/rstrip. */
  private splitAdded(text: string): (string | number)[] {
    if (!this.addedPattern) return [text];
    const out: (string | number)[] = [];
    let last = 0;
    let stripNext = false;
    for (const match of text.matchAll(this.addedPattern)) {
      const token = this.addedByContent.get(match[0])!;
      let before = text.slice(last, match.index);
      if (stripNext) before = before.trimStart();
      if (token.lstrip) before = before.trimEnd();
      out.push(before, token.id);
      stripNext = token.rstrip;
      last = match.index! + match[0].length;
    }
    const rest = text.slice(last);
    out.push(stripNext ? rest.trimStart() : rest);
    return out;
  }
}

/** Ids a TemplateProcessing post-processor puts before and after a single sequence. */
function templateIds(processor: Json | null | undefined): [number[], number[]] {
  if (!processor) return [[], []];
  if (processor.type === 'Sequence') {
    const parts = (processor.processors as Json[]).map(templateIds);
    return [parts.flatMap((p) => p[0]), parts.flatMap((p) => p[1])];
  }
  if (processor.type !== 'TemplateProcessing') return [[], []];
  const before: number[] = [];
  const after: number[] = [];
  let seenSequence = false;
  for (const item of processor.single as Json[]) {
    if (item.Sequence) seenSequence = true;
    else if (item.SpecialToken) {
      const ids: number[] = processor.special_tokens?.[item.SpecialToken.id]?.ids ?? [];
      (seenSequence ? after : before).push(...ids);
    }
  }
  return [before, after];
}
