import { DynamicModule, Module, type ModuleMetadata, type Type } from '@nestjs/common';
import { CHUNK_INDEXER, type ChunkIndexer } from './chunk-indexer';
import { ChunksRepository } from './chunks.repository';
import { DocumentIngestionService } from './document-ingestion.service';
import { DocumentsController } from './documents.controller';
import { DocumentsRepository } from './documents.repository';
import { DocumentsService } from './documents.service';
import { FileStore } from './file-store';
import { IngestDocumentHandler } from './ingest-document.handler';
import { KnowledgeBasesController } from './knowledge-bases.controller';
import { KnowledgeBasesRepository } from './knowledge-bases.repository';
import { KnowledgeBasesService } from './knowledge-bases.service';
import { UploadFilesInterceptor } from './upload-files.interceptor';

const PROVIDERS = [
  FileStore,
  KnowledgeBasesRepository,
  DocumentsRepository,
  ChunksRepository,
  KnowledgeBasesService,
  DocumentsService,
  DocumentIngestionService,
  IngestDocumentHandler,
  UploadFilesInterceptor,
];

/**
 * Knowledge bases, documents, chunks and the ingestion job. Without a ChunkIndexer the chunks are
 * stored but not indexed for search; `DocumentsModule.withIndexer(RetrievalModule, Indexer)` binds
 * one (the indexer class must be provided, or exported, by that module).
 */
@Module({
  controllers: [KnowledgeBasesController, DocumentsController],
  providers: PROVIDERS,
  exports: [DocumentsService, KnowledgeBasesService, DocumentIngestionService, IngestDocumentHandler],
})
export class DocumentsModule {
  static withIndexer(module: NonNullable<ModuleMetadata['imports']>[number], indexer: Type<ChunkIndexer>): DynamicModule {
    return {
      module: DocumentsModule,
      imports: [module],
      providers: [{ provide: CHUNK_INDEXER, useExisting: indexer }],
    };
  }
}
