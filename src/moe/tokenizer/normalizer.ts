import { TokenizerError } from '../moe.errors';
import { compileHfRegex } from './hf-regex';

export type Normalizer = (text: string) => string;

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Pattern of a Replace/Split step: `{ String: "..." }` (literal) or `{ Regex: "..." }`. */
export function patternOf(pattern: Json, where: string): RegExp {
  if (typeof pattern?.String === 'string') return new RegExp(pattern.String.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gu');
  if (typeof pattern?.Regex === 'string') return compileHfRegex(pattern.Regex);
  throw new TokenizerError(`${where} has a pattern that is neither String nor Regex`);
}

/** tokenizer.json `normalizer` → a function; SentencePiece-style files put their ▁ handling here. */
export function buildNormalizer(config: Json | null | undefined): Normalizer {
  if (!config) return (text) => text;
  switch (config.type) {
    case 'Sequence': {
      const steps = (config.normalizers as Json[]).map(buildNormalizer);
      return (text) => steps.reduce((t, step) => step(t), text);
    }
    case 'NFC':
    case 'NFD':
    case 'NFKC':
    case 'NFKD':
      return (text) => text.normalize(config.type);
    case 'Lowercase':
      return (text) => text.toLowerCase();
    case 'Prepend':
      return (text) => (text.length > 0 ? config.prepend + text : text);
    case 'Replace': {
      const regex = patternOf(config.pattern, 'Replace normalizer');
      return (text) => text.replace(regex, () => config.content);
    }
    case 'Strip':
      return (text) => {
        let out = text;
        if (config.strip_left !== false) out = out.trimStart();
        if (config.strip_right !== false) out = out.trimEnd();
        return out;
      };
    default:
      throw new TokenizerError(`normalizer type ${config.type} is not supported`);
  }
}
