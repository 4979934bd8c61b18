import { readFileSync } from 'node:fs';
import { EmbedderLoadError } from '../../retrieval.errors';
import { UnigramModel } from './unigram.model';
import { WordPieceModel } from './wordpiece.model';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface Encoding {
  ids: number[];
  typeIds: number[];
}

type Part = { special: number } | { sequence: 'A' | 'B' };
interface Template {
  parts: Part[];
  typeIds: number[];
}

/**
 * The tokenizer of an encoder model, read from a Hugging Face tokenizer.json: WordPiece (BERT family)
 * or Unigram (XLM-RoBERTa / SentencePiece family), with the post-processor's special tokens around
 * one text or a pair, truncated to a maximum length (specials included).
 *
 * Known approximation: a Unigram file's Precompiled normaliser (a SentencePiece character map) is
 * applied as NFKC, which it is derived from; added tokens typed inside the text are not matched.
 */
export class EncoderTokenizer {
  private constructor(
    private readonly split: (text: string) => number[],
    private readonly single: Template,
    private readonly pair: Template,
    readonly padId: number,
  ) {}

  static fromFile(path: string): EncoderTokenizer {
    let json: Json;
    try {
      json = JSON.parse(readFileSync(path, 'utf8'));
    } catch (e) {
      throw new EmbedderLoadError(`cannot read tokenizer ${path}: ${(e as Error).message}`, path);
    }
    return EncoderTokenizer.fromJson(json, path);
  }

  static fromJson(json: Json, where = 'tokenizer.json'): EncoderTokenizer {
    const model = json.model ?? {};
    let split: (text: string) => number[];
    let tokenId: (t: string) => number | undefined;
    if (model.type === 'WordPiece') {
      const vocab = new Map<string, number>(Object.entries(model.vocab ?? {}) as [string, number][]);
      const n = json.normalizer ?? {};
      const lowercase = n.type === 'BertNormalizer' ? n.lowercase !== false : false;
      const wp = new WordPieceModel({
        vocab,
        unkToken: model.unk_token ?? '[UNK]',
        continuingPrefix: model.continuing_subword_prefix ?? '##',
        maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
        lowercase,
        stripAccents: n.strip_accents ?? lowercase,
        handleChineseChars: n.type === 'BertNormalizer' ? n.handle_chinese_chars !== false : true,
        cleanText: n.type === 'BertNormalizer' ? n.clean_text !== false : true,
      });
      split = (text) => wp.tokenize(text);
      tokenId = (t) => vocab.get(t);
    } else if (model.type === 'Unigram') {
      const vocab = (model.vocab ?? []) as [string, number][];
      const um = new UnigramModel(vocab, model.unk_id ?? 0);
      const normalize = unigramNormalizer(json.normalizer);
      const ids = new Map(vocab.map(([p], i) => [p, i] as const));
      split = (text) =>
        normalize(text)
          .split(/\s+/u)
          .filter(Boolean)
          .flatMap((word) => um.segment('▁' + word));
      tokenId = (t) => ids.get(t);
    } else {
      throw new EmbedderLoadError(`${where}: model type ${model.type} is not supported (WordPiece or Unigram)`, where);
    }
    const { single, pair } = templates(json.post_processor, tokenId, where);
    const padId = json.padding?.pad_id ?? tokenId('[PAD]') ?? tokenId('<pad>') ?? 0;
    return new EncoderTokenizer(split, single, pair, padId);
  }

  /** Ids of the text alone, no special tokens. */
  tokenize(text: string): number[] {
    return this.split(text);
  }

  encode(text: string, maxLength: number): Encoding {
    const specials = this.single.parts.filter((p) => 'special' in p).length;
    return build(this.single, this.split(text).slice(0, Math.max(0, maxLength - specials)), []);
  }

  /** A (query, passage) pair for a cross-encoder; the passage is truncated first. */
  encodePair(a: string, b: string, maxLength: number): Encoding {
    const specials = this.pair.parts.filter((p) => 'special' in p).length;
    const budget = Math.max(0, maxLength - specials);
    let ia = this.split(a);
    let ib = this.split(b);
    ia = ia.slice(0, Math.max(Math.ceil(budget / 2), budget - ib.length));
    ib = ib.slice(0, budget - ia.length);
    return build(this.pair, ia, ib);
  }
}

function build(t: Template, a: number[], b: number[]): Encoding {
  const ids: number[] = [];
  const typeIds: number[] = [];
  t.parts.forEach((p, i) => {
    const add = 'special' in p ? [p.special] : p.sequence === 'A' ? a : b;
    for (const id of add) {
      ids.push(id);
      typeIds.push(t.typeIds[i]);
    }
  });
  return { ids, typeIds };
}

function templates(pp: Json | null | undefined, tokenId: (t: string) => number | undefined, where: string): { single: Template; pair: Template } {
  const need = (tok: string, id?: number): number => {
    const v = id ?? tokenId(tok);
    if (v === undefined) throw new EmbedderLoadError(`${where}: special token ${tok} is not in the vocabulary`, where);
    return v;
  };
  const A: Part = { sequence: 'A' };
  const B: Part = { sequence: 'B' };
  if (!pp || pp.type === 'BertProcessing' || pp.type === 'RobertaProcessing') {
    const roberta = pp?.type === 'RobertaProcessing';
    const cls = need(pp?.cls?.[0] ?? (roberta ? '<s>' : '[CLS]'), pp?.cls?.[1]);
    const sep = need(pp?.sep?.[0] ?? (roberta ? '</s>' : '[SEP]'), pp?.sep?.[1]);
    const c: Part = { special: cls };
    const s: Part = { special: sep };
    if (roberta) return { single: { parts: [c, A, s], typeIds: [0, 0, 0] }, pair: { parts: [c, A, s, s, B, s], typeIds: [0, 0, 0, 0, 0, 0] } };
    return { single: { parts: [c, A, s], typeIds: [0, 0, 0] }, pair: { parts: [c, A, s, B, s], typeIds: [0, 0, 0, 1, 1] } };
  }
  if (pp.type === 'TemplateProcessing') {
    const read = (items: Json[]): Template => {
      const t: Template = { parts: [], typeIds: [] };
      for (const item of items) {
        if (item.SpecialToken) {
          const tok = item.SpecialToken.id as string;
          t.parts.push({ special: need(tok, pp.special_tokens?.[tok]?.ids?.[0]) });
          t.typeIds.push(item.SpecialToken.type_id ?? 0);
        } else if (item.Sequence) {
          t.parts.push(item.Sequence.id === 'B' ? B : A);
          t.typeIds.push(item.Sequence.type_id ?? 0);
        }
      }
      return t;
    };
    return { single: read(pp.single ?? []), pair: read(pp.pair ?? pp.single ?? []) };
  }
  throw new EmbedderLoadError(`${where}: post-processor ${pp.type} is not supported`, where);
}

function unigramNormalizer(config: Json | null | undefined): (text: string) => string {
  if (!config) return (t) => t;
  switch (config.type) {
    case 'Sequence': {
      const steps = (config.normalizers as Json[]).map(unigramNormalizer);
      return (t) => steps.reduce((s, f) => f(s), t);
    }
    case 'Precompiled':
    case 'NFKC':
      return (t) => t.normalize('NFKC');
    case 'NFC':
    case 'NFD':
    case 'NFKD':
      return (t) => t.normalize(config.type);
    case 'Lowercase':
      return (t) => t.toLowerCase();
    case 'Strip':
      return (t) => t.trim();
    case 'Replace': {
      const p = config.pattern ?? {};
      const re = typeof p.Regex === 'string' ? new RegExp(p.Regex, 'gu') : new RegExp(String(p.String ?? '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
      return (t) => t.replace(re, () => config.content ?? '');
    }
    default:
      return (t) => t;
  }
}
