import { TokenizerError } from '../moe.errors';
import { bytesToByteLevel } from './byte-level';
import { compileHfRegex, splitWithBehavior, SplitBehavior } from './hf-regex';
import { patternOf } from './normalizer';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Pieces of one text segment; `first` is true for the segment at the very start of the input. */
export type PreTokenizer = (pieces: string[], first: boolean) => string[];

/** GPT-2's split rule, used by ByteLevel when use_regex is on. */
const GPT2_PATTERN = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+";

export function buildPreTokenizer(config: Json | null | undefined): PreTokenizer {
  if (!config) return (pieces) => pieces;
  switch (config.type) {
    case 'Sequence': {
      const steps = (config.pretokenizers as Json[]).map(buildPreTokenizer);
      return (pieces, first) => steps.reduce((p, step) => step(p, first), pieces);
    }
    case 'ByteLevel': {
      const regex = config.use_regex === false ? null : compileHfRegex(GPT2_PATTERN);
      return (pieces, first) =>
        pieces.flatMap((piece, i) => {
          const text = config.add_prefix_space && first && i === 0 && !piece.startsWith(' ') ? ' ' + piece : piece;
          const parts = regex ? splitWithBehavior(text, regex, 'Isolated', false) : [text];
          return parts.map(bytesToByteLevel);
        });
    }
    case 'Split': {
      const regex = patternOf(config.pattern, 'Split pre-tokenizer');
      const behavior = config.behavior as SplitBehavior;
      return (pieces) => pieces.flatMap((p) => splitWithBehavior(p, regex, behavior, config.invert === true));
    }
    case 'Metaspace':
      return metaspace(config);
    case 'Digits': {
      const regex = config.individual_digits ? /\p{N}/gu : /\p{N}+/gu;
      return (pieces) => pieces.flatMap((p) => splitWithBehavior(p, regex, 'Isolated', false));
    }
    case 'Punctuation': {
      return (pieces) => pieces.flatMap((p) => splitWithBehavior(p, /\p{P}/gu, (config.behavior ?? 'Isolated') as SplitBehavior, false));
    }
    default:
      throw new TokenizerError(`pre-tokenizer type ${config.type} is not supported`);
  }
}

/** SentencePiece's space handling: spaces become ▁, a ▁ is prepended, optionally split before each ▁. */
function metaspace(config: Json): PreTokenizer {
  const replacement: string = config.replacement ?? '▁';
  const scheme: string = config.prepend_scheme ?? (config.add_prefix_space === false ? 'never' : 'always');
  const split = config.split !== false;
  return (pieces, first) =>
    pieces.flatMap((piece, i) => {
      let text = piece.replace(/ /g, replacement);
      const prepend = scheme === 'always' || (scheme === 'first' && first && i === 0);
      if (prepend && !text.startsWith(replacement)) text = replacement + text;
      if (!split) return [text];
      const parts: string[] = [];
      for (const part of text.split(replacement)) parts.push(parts.length === 0 ? part : replacement + part);
      return parts.filter((p) => p.length > 0);
    });
}
