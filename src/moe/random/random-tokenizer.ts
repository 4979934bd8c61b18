import { BYTE_TO_CHAR } from '../tokenizer/byte-level';
import { QWEN2_SPLIT_PATTERN, trainByteLevelMerges, TRAINING_TEXT } from './bpe.trainer';

const CHATML_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

const MISTRAL_TEMPLATE =
  "{{ bos_token }}{% for message in messages %}{% if message['role'] == 'user' %}{{ '[INST] ' + message['content'] + ' [/INST]' }}" +
  "{% elif message['role'] == 'assistant' %}{{ message['content'] + eos_token }}{% else %}{{ raise_exception('Only user and assistant roles are supported') }}{% endif %}{% endfor %}";

export interface RandomTokenizerFiles {
  readonly tokenizer: Record<string, unknown>;
  readonly tokenizerConfig: Record<string, unknown>;
  readonly bosTokenId: number | null;
  readonly eosTokenIds: number[];
}

interface Flavour {
  specials: string[];
  bos: string | null;
  eos: string[];
  template: string;
}

const FLAVOURS: Record<'chatml' | 'mistral', Flavour> = {
  chatml: { specials: ['<|endoftext|>', '<|im_start|>', '<|im_end|>'], bos: null, eos: ['<|im_end|>', '<|endoftext|>'], template: CHATML_TEMPLATE },
  mistral: { specials: ['<s>', '</s>', '[INST]', '[/INST]'], bos: '<s>', eos: ['</s>'], template: MISTRAL_TEMPLATE },
};

/**
 * A working byte-level BPE tokenizer for a random checkpoint: 256 byte tokens, merges learned from a
 * little English and Chinese text, special tokens in the last ids. Vocabularies larger than that text
 * can fill are completed with synthetic merges (token + letter), so every id decodes to text.
 * Returns null when the vocabulary cannot hold the bytes and specials.
 */
export function buildRandomTokenizer(flavourName: 'chatml' | 'mistral', vocabSize: number): RandomTokenizerFiles | null {
  const flavour = FLAVOURS[flavourName];
  const regularSize = vocabSize - flavour.specials.length;
  if (regularSize < 256) return null;
  const vocab: Record<string, number> = {};
  BYTE_TO_CHAR.forEach((ch, b) => (vocab[ch] = b));
  let next = 256;
  const merges: string[] = [];
  for (const [a, b] of trainByteLevelMerges(TRAINING_TEXT, regularSize - 256)) {
    if (next >= regularSize) break;
    merges.push(`${a} ${b}`);
    if (vocab[a + b] === undefined) vocab[a + b] = next++;
  }
  next = fillWithSyntheticMerges(vocab, merges, next, regularSize);
  const added: Record<string, unknown>[] = [];
  const addToken = (content: string, id: number) => added.push({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  flavour.specials.forEach((content, i) => addToken(content, regularSize + i));
  const idOf = (content: string) => regularSize + flavour.specials.indexOf(content);

  const tokenizer = {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: { type: 'NFC' },
    pre_tokenizer: {
      type: 'Sequence',
      pretokenizers: [
        { type: 'Split', pattern: { Regex: QWEN2_SPLIT_PATTERN }, behavior: 'Isolated', invert: false },
        { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
      ],
    },
    post_processor: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: { type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: '', end_of_word_suffix: '', fuse_unk: false, byte_fallback: false, vocab, merges },
  };
  const tokenizerConfig = {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: flavour.bos,
    eos_token: flavour.eos[0],
    pad_token: flavour.eos[flavour.eos.length - 1],
    model_max_length: 4096,
    chat_template: flavour.template,
  };
  return {
    tokenizer,
    tokenizerConfig,
    bosTokenId: flavour.bos ? idOf(flavour.bos) : null,
    eosTokenIds: flavour.eos.map(idOf),
  };
}

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';

/**
 * Extends the merges until the vocabulary reaches `size`: each existing token, in id order, joined
 * with a letter. Every such merge is valid BPE (both parts are tokens), so encode and decode still
 * round-trip; it only pads the vocabulary to the size a benchmark shape asks for.
 */
function fillWithSyntheticMerges(vocab: Record<string, number>, merges: string[], next: number, size: number): number {
  const tokens = Object.keys(vocab).sort((a, b) => vocab[a] - vocab[b]);
  for (let i = 0; next < size && i < tokens.length; i++) {
    for (const letter of LETTERS) {
      if (next >= size) break;
      const merged = tokens[i] + letter;
      if (vocab[merged] !== undefined) continue;
      merges.push(`${tokens[i]} ${letter}`);
      vocab[merged] = next++;
      tokens.push(merged);
    }
  }
  return next;
}
