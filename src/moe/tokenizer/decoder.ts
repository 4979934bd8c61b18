import { TokenizerError } from '../moe.errors';
import { byteLevelToBytes } from './byte-level';
import { patternOf } from './normalizer';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Token strings → token strings, as tokenizers' decoders chain; the caller joins the result. */
export type Decoder = (tokens: string[]) => string[];

const utf8 = new TextDecoder('utf-8');
const BYTE_TOKEN = /^<0x([0-9A-Fa-f]{2})>$/;

export function buildDecoder(config: Json | null | undefined): Decoder {
  if (!config) return (tokens) => tokens;
  switch (config.type) {
    case 'Sequence': {
      const steps = (config.decoders as Json[]).map(buildDecoder);
      return (tokens) => steps.reduce((t, step) => step(t), tokens);
    }
    case 'ByteLevel':
      return (tokens) => [utf8.decode(new Uint8Array(tokens.flatMap(byteLevelToBytes)))];
    case 'Replace': {
      const regex = patternOf(config.pattern, 'Replace decoder');
      return (tokens) => tokens.map((t) => t.replace(regex, () => config.content));
    }
    case 'ByteFallback':
      return byteFallback;
    case 'Fuse':
      return (tokens) => [tokens.join('')];
    case 'Strip': {
      const content: string = config.content ?? ' ';
      return (tokens) =>
        tokens.map((token) => {
          let out = token;
          for (let i = 0; i < (config.start ?? 0) && out.startsWith(content); i++) out = out.slice(content.length);
          for (let i = 0; i < (config.stop ?? 0) && out.endsWith(content); i++) out = out.slice(0, -content.length);
          return out;
        });
    }
    case 'Metaspace': {
      const replacement: string = config.replacement ?? '▁';
      const stripFirst = (config.prepend_scheme ?? (config.add_prefix_space === false ? 'never' : 'always')) !== 'never';
      return (tokens) =>
        tokens.map((token, i) => {
          const text = token.split(replacement).join(' ');
          return i === 0 && stripFirst && text.startsWith(' ') ? text.slice(1) : text;
        });
    }
    default:
      throw new TokenizerError(`decoder type ${config.type} is not supported`);
  }
}

/** Runs of <0xNN> tokens become the UTF-8 text their bytes spell (U+FFFD where they spell none). */
function byteFallback(tokens: string[]): string[] {
  const out: string[] = [];
  let pending: number[] = [];
  const flush = () => {
    if (pending.length > 0) out.push(utf8.decode(new Uint8Array(pending)));
    pending = [];
  };
  for (const token of tokens) {
    const match = BYTE_TOKEN.exec(token);
    if (match) pending.push(parseInt(match[1], 16));
    else {
      flush();
      out.push(token);
    }
  }
  flush();
  return out;
}
