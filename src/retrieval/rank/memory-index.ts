import { dot, type Embedder } from '../embed/embedder';
import { analyze } from '../text/lexical-analyzer';
import { Bm25Index, topK, type ScoredId } from './bm25';
import { hybridFusion } from './hybrid-fusion';
import type { FusionOptions, SearchMode } from './search-options';

export interface IndexedChunk {
  text: string;
  /** Heading path / table header situating the text; indexed and embedded with it. */
  context: string;
  documentName: string;
}

export interface MemoryHit {
  id: number;
  score: number;
  chunk: IndexedChunk;
}

/**
 * Lexical + exact-cosine index in memory: the quality harness's engine, and the reference the SQL
 * index is tested against. Same analyser, same embedder input and same fusion as the database path.
 */
export class MemoryIndex {
  private readonly chunks: IndexedChunk[] = [];
  private readonly vectors: Float32Array[] = [];
  private readonly bm25 = new Bm25Index();

  constructor(private readonly embedder: Embedder) {}

  get size(): number {
    return this.chunks.length;
  }

  async addAll(chunks: readonly IndexedChunk[], batchSize = 64): Promise<void> {
    for (let i = 0; i < chunks.length; i += batchSize) {
      const batch = chunks.slice(i, i + batchSize);
      const vectors = await this.embedder.embedBatch(batch.map(indexText), 'passage');
      batch.forEach((c, j) => {
        this.chunks.push(c);
        this.vectors.push(vectors[j]);
        this.bm25.add(analyze(indexText(c)));
      });
    }
  }

  async search(query: string, mode: SearchMode, k: number, fusion: FusionOptions = {}): Promise<MemoryHit[]> {
    const candidates = Math.max(k, fusion.candidates ?? 100);
    const lexical = () => this.bm25.search(analyze(query), candidates);
    const vector = async () => {
      const [q] = await this.embedder.embedBatch([query], 'query');
      return topK(this.vectors.map((v, id) => ({ id, score: dot(q, v) })), candidates);
    };
    let ranked: ScoredId[];
    if (mode === 'lexical') ranked = lexical();
    else if (mode === 'vector') ranked = await vector();
    else {
      const v = (await vector()).map((h) => h.id);
      const fused = hybridFusion(query, v, lexical().map((h) => h.id), (id) => this.chunks[id].text, fusion);
      ranked = fused.map((f) => ({ id: f.key, score: f.score }));
    }
    return ranked.slice(0, k).map((h) => ({ ...h, chunk: this.chunks[h.id] }));
  }
}

/** What is indexed and embedded for a chunk: its context line, then its text. */
export function indexText(c: { text: string; context: string }): string {
  return c.context ? `${c.context}\n${c.text}` : c.text;
}
