import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { analyze, HashedFeaturesEmbedder, type Embedder } from '../../retrieval';
import { GenerationInputError, ModelNotFoundError } from '../generator.errors';

/** Inputs per request, as OpenAI allows. */
export const MAX_EMBEDDING_INPUTS = 2048;

/**
 * /v1/embeddings serves the retrieval embedder, so vectors an application makes match the ones the
 * knowledge bases are searched with. The retrieval module keeps its embedder private, so this is
 * the same built-in default constructed with the same (default) options; when retrieval gets a
 * configured ONNX encoder, it should export it and this service should take it instead.
 */
@Injectable()
export class EmbeddingsService implements OnModuleDestroy {
  private readonly embedder: Embedder = new HashedFeaturesEmbedder();

  get modelId(): string {
    return this.embedder.id;
  }

  async embed(model: string, input: unknown, format: 'float' | 'base64' = 'float'): Promise<Record<string, unknown>> {
    if (model !== this.embedder.id) {
      throw new ModelNotFoundError(model, `embedding model "${model}" does not exist; this server embeds with "${this.embedder.id}"`);
    }
    const texts = typeof input === 'string' ? [input] : input;
    if (!Array.isArray(texts) || texts.length === 0) throw new GenerationInputError('input must be a non-empty string or a non-empty array of strings', 'input');
    if (texts.length > MAX_EMBEDDING_INPUTS) throw new GenerationInputError(`input holds ${texts.length} texts; send at most ${MAX_EMBEDDING_INPUTS} per request`, 'input');
    texts.forEach((t, i) => {
      if (typeof t !== 'string') throw new GenerationInputError(`input[${i}] must be a string (token-id input is not supported)`, 'input');
      if (t.trim() === '') throw new GenerationInputError(`input[${i}] is empty`, 'input');
    });
    const vectors = await this.embedder.embedBatch(texts as string[], 'query');
    // The embedder reads words, not subword tokens: usage counts the lexical terms it analysed.
    const tokens = (texts as string[]).reduce((sum, t) => sum + analyze(t).length, 0);
    return {
      object: 'list',
      data: vectors.map((v, index) => ({
        object: 'embedding',
        index,
        embedding: format === 'base64' ? Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64') : Array.from(v),
      })),
      model: this.embedder.id,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }

  async onModuleDestroy(): Promise<void> {
    await this.embedder.dispose?.();
  }
}
