import { Module } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { HashedFeaturesEmbedder } from './embed/hashed-features.embedder';
import { RetrievalEngine } from './index/retrieval.engine';
import { RetrievalRepository } from './index/retrieval.repository';
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
    RetrievalService,
  ],
  exports: [RetrievalService],
})
export class RetrievalModule {}
