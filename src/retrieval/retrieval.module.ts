import { Logger, Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG } from '../config/config.module';
import type { AppConfig } from '../config';
import { EmbedderSet } from './embed/embedder-set';
import { HashedFeaturesEmbedder } from './embed/hashed-features.embedder';
import { OnnxEncoderEmbedder } from './embed/onnx-encoder.embedder';
import { KnowledgeBaseEmbedderController } from './knowledge-base-embedder.controller';
import { ReembedKnowledgeBaseHandler } from './reembed-knowledge-base.handler';
import { OnnxCrossEncoderReranker } from './rerank/onnx-cross-encoder.reranker';
import { RetrievalChunkIndexer } from './store/retrieval.chunk-indexer';
import { RetrievalEngine } from './store/retrieval.engine';
import { RetrievalRepository } from './store/retrieval.repository';
import { RetrievalService } from './retrieval.service';
import { RERANKER } from './retrieval.tokens';
import { SearchController } from './search.controller';

const logger = new Logger('Retrieval');

/**
 * The embedders of this process: the ONNX encoder of RETRIEVAL_EMBEDDER_DIR first when configured
 * (new knowledge bases get it), and always the built-in default, so knowledge bases made with it
 * keep working. A bad folder stops start-up with the loader's message.
 */
async function loadEmbedders(config: AppConfig): Promise<EmbedderSet> {
  const builtIn = new HashedFeaturesEmbedder();
  if (!config.retrievalEmbedderDir) return new EmbedderSet(builtIn);
  const onnx = await OnnxEncoderEmbedder.load(config.retrievalEmbedderDir);
  logger.log(`new knowledge bases embed with ${onnx.id} (${onnx.dimension} dimensions) from ${config.retrievalEmbedderDir}`);
  return new EmbedderSet(onnx, [builtIn]);
}

/**
 * Retrieval for the app: `POST /api/search`, a knowledge base's embedder
 * (`/api/knowledge-bases/:id/embedder`) with its re-embedding job, and RetrievalService (indexing for
 * the documents module, search for the assistant).
 */
@Module({
  controllers: [SearchController, KnowledgeBaseEmbedderController],
  providers: [
    { provide: RetrievalRepository, inject: [DataSource], useFactory: (db: DataSource) => new RetrievalRepository(db) },
    {
      provide: RetrievalEngine,
      inject: [RetrievalRepository, APP_CONFIG],
      useFactory: async (repo: RetrievalRepository, config: AppConfig) => new RetrievalEngine(repo, await loadEmbedders(config)),
    },
    {
      provide: RERANKER,
      inject: [APP_CONFIG],
      useFactory: async (config: AppConfig) => (config.retrievalRerankerDir ? OnnxCrossEncoderReranker.load(config.retrievalRerankerDir) : null),
    },
    {
      provide: RetrievalChunkIndexer,
      inject: [RetrievalEngine, RetrievalRepository],
      useFactory: (engine: RetrievalEngine, repo: RetrievalRepository) => new RetrievalChunkIndexer(engine, repo),
    },
    RetrievalService,
    ReembedKnowledgeBaseHandler,
  ],
  // RetrievalChunkIndexer is what the documents module binds to its CHUNK_INDEXER token.
  exports: [RetrievalService, RetrievalChunkIndexer],
})
export class RetrievalModule {}
