import { createOrtSession, type InferenceSession, type SessionFactory } from '../../moe';
import { batchFeeds } from '../embed/encoder-batch';
import { readEncoderFolder, type EncoderConfig } from '../embed/encoder-folder';
import { EncoderTokenizer } from '../embed/tokenizer/encoder-tokenizer';
import type { Reranker } from './reranker';

/**
 * A cross-encoder (bge-reranker, ms-marco MiniLM exports) from a local folder: model.onnx +
 * tokenizer.json + reranker.json. Each (query, passage) pair is one sequence; the score is the
 * relevance logit (the last column when the graph emits several classes).
 */
export class OnnxCrossEncoderReranker implements Reranker {
  private constructor(
    private readonly session: InferenceSession,
    private readonly tokenizer: EncoderTokenizer,
    private readonly config: EncoderConfig,
  ) {}

  get id(): string {
    return `onnx-rerank:${this.config.id}`;
  }

  static async load(dir: string, createSession: SessionFactory = createOrtSession): Promise<OnnxCrossEncoderReranker> {
    const config = readEncoderFolder(dir, 'reranker.json');
    const tokenizer = EncoderTokenizer.fromFile(config.tokenizerPath);
    return new OnnxCrossEncoderReranker(await createSession(config.modelPath, { intraOpThreads: 1, spinning: false }), tokenizer, config);
  }

  async score(query: string, passages: readonly string[]): Promise<number[]> {
    const out: number[] = [];
    const name = this.config.output ?? this.session.outputNames[0];
    for (let i = 0; i < passages.length; i += this.config.batchSize) {
      const encodings = passages.slice(i, i + this.config.batchSize).map((p) => this.tokenizer.encodePair(query, p, this.config.maxLength));
      const { feeds } = batchFeeds(this.session, encodings, this.tokenizer.padId);
      const logits = (await this.session.run(feeds, [name]))[name];
      const classes = logits.dims.length > 1 ? logits.dims[logits.dims.length - 1] : 1;
      const data = logits.data as Float32Array;
      for (let b = 0; b < encodings.length; b++) out.push(data[b * classes + classes - 1]);
    }
    return out;
  }

  async dispose(): Promise<void> {
    await this.session.dispose();
  }
}
