/** Tiny tokenizer.json documents for specs: a WordPiece (BERT) and a Unigram (XLM-R) tokenizer. */
export const WORDPIECE_VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', 'un', '##aff', '##able', ',', '!', '世', '界', '##s', 'cafe'];

export function wordPieceJson(): Record<string, unknown> {
  return {
    normalizer: { type: 'BertNormalizer', clean_text: true, handle_chinese_chars: true, strip_accents: null, lowercase: true },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '[CLS]', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '[SEP]', type_id: 0 } }],
      pair: [
        { SpecialToken: { id: '[CLS]', type_id: 0 } },
        { Sequence: { id: 'A', type_id: 0 } },
        { SpecialToken: { id: '[SEP]', type_id: 0 } },
        { Sequence: { id: 'B', type_id: 1 } },
        { SpecialToken: { id: '[SEP]', type_id: 1 } },
      ],
      special_tokens: { '[CLS]': { id: '[CLS]', ids: [2], tokens: ['[CLS]'] }, '[SEP]': { id: '[SEP]', ids: [3], tokens: ['[SEP]'] } },
    },
    model: { type: 'WordPiece', unk_token: '[UNK]', continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab: Object.fromEntries(WORDPIECE_VOCAB.map((t, i) => [t, i])) },
  };
}

export const UNIGRAM_VOCAB: [string, number][] = [
  ['<s>', 0], ['<pad>', 0], ['</s>', 0], ['<unk>', 0], ['▁', -2], ['▁he', -3], ['llo', -3], ['▁hello', -4.5], ['h', -5], ['e', -5],
  ['l', -5], ['o', -5], ['▁world', -7], ['▁wor', -3], ['ld', -3], ['w', -5], ['r', -5], ['d', -5], ['▁w', -4], ['orld', -4], ['世界', -3], ['世', -4], ['界', -4],
];

export function unigramJson(): Record<string, unknown> {
  return {
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Precompiled', precompiled_charsmap: '' }, { type: 'Replace', pattern: { Regex: ' {2,}' }, content: ' ' }] },
    pre_tokenizer: { type: 'Metaspace', replacement: '▁', prepend_scheme: 'always', split: true },
    post_processor: { type: 'RobertaProcessing', sep: ['</s>', 2], cls: ['<s>', 0] },
    padding: { pad_id: 1 },
    model: { type: 'Unigram', unk_id: 3, vocab: UNIGRAM_VOCAB },
  };
}

