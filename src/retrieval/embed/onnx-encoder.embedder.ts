import { createOrtSession, type InferenceSession, type SessionFactory } from '../../moe';
import { EmbedderLoadError } from '../retrieval.errors';
import { l2Normalize, type EmbedKind, type Embedder } from './embedder';
import { batchFeeds } from './encoder-batch';
import { readEncoderFolder, type EncoderConfig } from './encoder-folder';
import { poolHidden } from './pooling';
import { EncoderTokenizer } from './tokenizer/encoder-tokenizer';

/**
 * A transformer encoder (BERT / XLM-RoBERTa families: bge-small-zh, multilingual-e5, BGE-M3 exports)
 * from a local folder: model.onnx + tokenizer.json + embedder.json. Texts get the query or passage
 * prefix, are truncated to maxLength tokens, run in padded batches, pooled and normalised.
 */
export class OnnxEncoderEmbedder implements Embedder {
  private constructor(
    private readonly session: InferenceSession,
    private readonly tokenizer: EncoderTokenizer,
    private readonly config: EncoderConfig,
    readonly dimension: number,
    private readonly output: string,
  ) {}

  get id(): string {
    return `onnx:${this.config.id}`;
  }

  static async load(dir: string, createSession: SessionFactory = createOrtSession): Promise<OnnxEncoderEmbedder> {
    const config = readEncoderFolder(dir, 'embedder.json');
    const tokenizer = EncoderTokenizer.fromFile(config.tokenizerPath);
    const session = await createSession(config.modelPath, { intraOpThreads: 1, spinning: false });
    const output = config.output ?? (session.outputNames.includes('last_hidden_state') ? 'last_hidden_state' : session.outputNames[0]);
    if (!session.outputNames.includes(output)) {
      await session.dispose();
      throw new EmbedderLoadError(`${config.modelPath} has no output '${output}' (outputs: ${session.outputNames.join(', ')})`, config.modelPath);
    }
    // The dimension is whatever the graph produces: one probe run, so a mislabelled config cannot lie.
    const probe = new OnnxEncoderEmbedder(session, tokenizer, config, 0, output);
    const [v] = await probe.embedBatch(['probe'], 'passage');
    return new OnnxEncoderEmbedder(session, tokenizer, config, v.length, output);
  }

  async embedBatch(texts: readonly string[], kind: EmbedKind): Promise<Float32Array[]> {
    const prefix = kind === 'query' ? this.config.queryPrefix : this.config.passagePrefix;
    const out: Float32Array[] = [];
    for (let i = 0; i < texts.length; i += this.config.batchSize) {
      const encodings = texts.slice(i, i + this.config.batchSize).map((t) => this.tokenizer.encode(prefix + t, this.config.maxLength));
      const { feeds, mask } = batchFeeds(this.session, encodings, this.tokenizer.padId);
      const result = (await this.session.run(feeds, [this.output]))[this.output];
      const data = result.data as Float32Array;
      if (result.dims.length === 2) {
        // Already pooled by the graph (a sentence_embedding output).
        const size = result.dims[1];
        for (let b = 0; b < encodings.length; b++) {
          const v = Float32Array.from(data.subarray(b * size, (b + 1) * size));
          out.push(this.config.normalize ? l2Normalize(v) : v);
        }
      } else {
        out.push(...poolHidden(data, result.dims, mask, this.config.pooling, this.config.normalize));
      }
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
