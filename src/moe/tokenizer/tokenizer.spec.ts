import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { TokenizerError } from '../moe.errors';
import { createRandomCheckpoint } from '../random/random-checkpoint';
import { buildRandomTokenizer } from '../random/random-tokenizer';
import { ChatTemplate } from './chat-template';
import { compileHfRegex, splitWithBehavior } from './hf-regex';
import { Tokenizer } from './tokenizer';

const MIXED = 'Hello world! 知识库根据文档回答问题。 Mixture-of-experts, 2026年 🚀\n\tnew line';

/** A SentencePiece-style BPE tokenizer.json as Llama/Mixtral ship it: ▁ for spaces, <0xNN> fallback. */
function sentencePieceJson(style: 'legacy' | 'metaspace'): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  const pieces = ['▁', 'h', 'e', 'l', 'o', 'w', 'r', 'd', 'he', 'll', 'hell', 'hello', '▁hello', 'or', '▁w', '▁wor', '▁world', '你', '好', '▁你', '▁你好'];
  pieces.forEach((p, i) => (vocab[p] = 259 + i));
  const merges = ['h e', 'l l', 'he ll', 'hell o', '▁ hello', 'o r', '▁ w', '▁w or', '▁wor l', '▁worl d', '▁ 你', '▁你 好'];
  vocab['▁worl'] = 259 + pieces.length;
  const added = [
    { id: 0, content: '<unk>', special: true, lstrip: false, rstrip: false, normalized: false, single_word: false },
    { id: 1, content: '<s>', special: true, lstrip: false, rstrip: false, normalized: false, single_word: false },
    { id: 2, content: '</s>', special: true, lstrip: false, rstrip: false, normalized: false, single_word: false },
  ];
  const model = { type: 'BPE', unk_token: '<unk>', fuse_unk: true, byte_fallback: true, vocab, merges };
  const postProcessor = {
    type: 'TemplateProcessing',
    single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
    special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
  };
  if (style === 'legacy') {
    return {
      added_tokens: added,
      normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
      pre_tokenizer: null,
      post_processor: postProcessor,
      decoder: {
        type: 'Sequence',
        decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
      },
      model,
    };
  }
  return {
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false },
    post_processor: postProcessor,
    decoder: { type: 'Sequence', decoders: [{ type: 'Metaspace', replacement: '▁', prepend_scheme: 'first', split: false }, { type: 'ByteFallback' }, { type: 'Fuse' }] },
    model,
  };
}

describe('Tokenizer', () => {
  let dir: string;
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-tok-'));
    createRandomCheckpoint(dir, { arch: 'qwen2_moe', layers: 1, hidden: 16, intermediate: 16, heads: 2, kvHeads: 1, vocab: 600 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trips Chinese and English on a random checkpoint byte-level tokenizer', () => {
    const tokenizer = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
    const ids = tokenizer.encode(MIXED);
    expect(tokenizer.decode(ids)).toBe(MIXED);
    // Learned merges compress text seen in training: fewer tokens than UTF-8 bytes.
    const seen = '知识库根据文档回答问题，并给出引用。';
    expect(tokenizer.encode(seen).length).toBeLessThan(Buffer.byteLength(seen) / 2);
    expect(ids.every((id) => id >= 0 && id < 600)).toBe(true);
  });

  it('fills a benchmark-sized vocabulary with ids that all decode', () => {
    const files = buildRandomTokenizer('mistral', 32000)!;
    const tokenizer = new Tokenizer(files.tokenizer);
    expect(tokenizer.vocabSize).toBe(32000);
    expect(files.eosTokenIds).toEqual([tokenizer.tokenToId('</s>')]);
    for (let id = 0; id < 32000; id += 7) expect(typeof tokenizer.decode([id])).toBe('string');
    expect(tokenizer.decode(tokenizer.encode(MIXED))).toBe(MIXED);
    expect(buildRandomTokenizer('chatml', 258)).toBeNull();
  });

  it('keeps special tokens whole and can skip them on decode', () => {
    const tokenizer = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
    const start = tokenizer.tokenToId('<|im_start|>')!;
    const end = tokenizer.tokenToId('<|im_end|>')!;
    const ids = tokenizer.encode('<|im_start|>user\n你好<|im_end|>');
    expect(ids[0]).toBe(start);
    expect(ids[ids.length - 1]).toBe(end);
    expect(tokenizer.decode(ids, { skipSpecialTokens: true })).toBe('user\n你好');
  });

  it('splits with the Qwen2 pattern, whose (?i:...) group Node cannot parse natively', () => {
    const regex = compileHfRegex("(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+");
    expect(splitWithBehavior("IT'S 12 cats' toys", regex, 'Isolated', false)).toEqual(['IT', "'S", ' ', '1', '2', ' cats', "'", ' toys']);
  });

  it.each(['legacy', 'metaspace'] as const)('encodes SentencePiece-style (%s) with ▁ and byte fallback', (style) => {
    const file = path.join(dir, `sentencepiece-${style}.json`);
    fs.writeFileSync(file, JSON.stringify(sentencePieceJson(style)));
    const tokenizer = Tokenizer.fromFile(file);
    const ids = tokenizer.encode('hello world 你好吗');
    const tokens = ids.map((id) => tokenizer.idToTokenString(id));
    // 吗 (E5 90 97) is not in the vocabulary, so it falls back to its three bytes.
    expect(tokens).toEqual(['▁hello', '▁world', '▁你好', '<0xE5>', '<0x90>', '<0x97>']);
    expect(tokenizer.decode(ids)).toBe('hello world 你好吗');
    expect(tokenizer.encode('hello', { addSpecialTokens: true })).toEqual([1, tokenizer.tokenToId('▁hello')]);
    for (const text of ['Hello World, 你好世界!', 'two  spaces  inside', '中文和English混合']) expect(tokenizer.decode(tokenizer.encode(text))).toBe(text);
  });

  it('handles GPT-2 style ByteLevel pre-tokenization with its built-in regex', () => {
    const byteVocab = Tokenizer.fromFile(path.join(dir, 'tokenizer.json'));
    const json = {
      pre_tokenizer: { type: 'ByteLevel', add_prefix_space: true, use_regex: true },
      decoder: { type: 'ByteLevel' },
      model: { type: 'BPE', vocab: Object.fromEntries(Array.from({ length: 256 }, (_, b) => [byteVocab.idToTokenString(b)!, b]).concat([['Ġhello', 256], ['Ġh', 257], ['el', 258], ['Ġhel', 259], ['lo', 260]])), merges: ['Ġ h', 'e l', 'Ġh el', 'l o', 'Ġhel lo'] },
    };
    const tokenizer = new Tokenizer(json);
    // add_prefix_space turns "hello" into " hello", one merged token.
    expect(tokenizer.encode('hello')).toEqual([256]);
    expect(tokenizer.encode('hello hello!')).toEqual([256, 256, '!'.charCodeAt(0)]);
    expect(tokenizer.decode(tokenizer.encode('数据 hello'))).toBe(' 数据 hello');
  });

  it('rejects a tokenizer model it does not implement', () => {
    expect(() => new Tokenizer({ model: { type: 'Unigram', vocab: [] } })).toThrow(TokenizerError);
    expect(() => new Tokenizer({ model: { type: 'BPE', vocab: { a: 0 } }, pre_tokenizer: { type: 'BertPreTokenizer' } })).toThrow(/BertPreTokenizer/);
  });
});

describe('ChatTemplate', () => {
  it('renders a ChatML template from tokenizer_config.json', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-chat-'));
    createRandomCheckpoint(dir, { arch: 'qwen3_moe', layers: 1, hidden: 16, intermediate: 16, heads: 2, kvHeads: 1, vocab: 300 });
    const template = ChatTemplate.fromDir(dir)!;
    const text = template.render([
      { role: 'system', content: '你是知识库助手。' },
      { role: 'user', content: 'What is 知库?' },
    ]);
    expect(text).toBe('<|im_start|>system\n你是知识库助手。<|im_end|>\n<|im_start|>user\nWhat is 知库?<|im_end|>\n<|im_start|>assistant\n');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fills bos/eos tokens and reports raise_exception as a TokenizerError', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zhiku-chat-'));
    createRandomCheckpoint(dir, { arch: 'mixtral', layers: 1, hidden: 16, intermediate: 16, heads: 2, kvHeads: 1, vocab: 300 });
    const template = ChatTemplate.fromDir(dir)!;
    expect(template.render([{ role: 'user', content: 'hi' }, { role: 'assistant', content: 'yo' }])).toBe('<s>[INST] hi [/INST]yo</s>');
    expect(() => template.render([{ role: 'system', content: 'x' }])).toThrow(TokenizerError);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
