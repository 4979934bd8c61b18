import { Module } from '@nestjs/common';
import { RetrievalChunkIndexer, RetrievalModule } from '../retrieval';
import { CHUNK_INDEXER } from './chunk-indexer';
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
import { PageImageCache } from './page-image-cache';
import { PageImagesController } from './page-images.controller';
import { PageImagesService } from './page-images.service';
import { SecretBox } from './secret-box';
import { UploadFilesInterceptor } from './upload-files.interceptor';

const PROVIDERS = [
  FileStore,
  SecretBox,
  KnowledgeBasesRepository,
  DocumentsRepository,
  ChunksRepository,
  KnowledgeBasesService,
  DocumentsService,
  DocumentIngestionService,
  IngestDocumentHandler,
  UploadFilesInterceptor,
  PageImageCache,
  PageImagesService,
  // The retrieval index joins the transaction that makes a document ready (see chunk-indexer.ts).
  { provide: CHUNK_INDEXER, useExisting: RetrievalChunkIndexer },
];

/**
 * Knowledge bases, documents, chunks and the ingestion job. Chunks are indexed for search by the
 * retrieval module's ChunkIndexer inside the same transaction that stores them.
 */
@Module({
  imports: [RetrievalModule],
  controllers: [KnowledgeBasesController, DocumentsController, PageImagesController],
  providers: PROVIDERS,
  exports: [DocumentsService, KnowledgeBasesService],
})
export class DocumentsModule {}
