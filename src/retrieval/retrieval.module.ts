import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HashedFeaturesEmbedder } from './embed/hashed-features.embedder';
import { RetrievalChunkIndexer } from './store/retrieval.chunk-indexer';
import { RetrievalEngine } from './store/retrieval.engine';
import { RetrievalRepository } from './store/retrieval.repository';
import { RetrievalService } from './retrieval.service';
import { SearchController } from './search.controller';

/**
 * Retrieval for the app: `POST /api/search` and RetrievalService (indexing for the documents
 * module, search for the assistant). The active embedder is the built-in default; an ONNX encoder
 * folder can replace it here once the configuration names one (see docs/retrieval.md).
 */
@Module({
  controllers: [SearchController],
  providers: [
    { provide: RetrievalRepository, inject: [DataSource], useFactory: (db: DataSource) => new RetrievalRepository(db) },
    {
      provide: RetrievalEngine,
      inject: [RetrievalRepository],
      useFactory: (repo: RetrievalRepository) => new RetrievalEngine(repo, new HashedFeaturesEmbedder()),
    },
    {
      provide: RetrievalChunkIndexer,
      inject: [RetrievalEngine, RetrievalRepository],
      useFactory: (engine: RetrievalEngine, repo: RetrievalRepository) => new RetrievalChunkIndexer(engine, repo),
    },
    RetrievalService,
  ],
  // RetrievalChunkIndexer is what the documents module binds to its CHUNK_INDEXER token.
  exports: [RetrievalService, RetrievalChunkIndexer],
})
export class RetrievalModule {}
