import { copyFile, mkdir, rm } from 'node:fs/promises';
import * as path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Optional, StreamableFile } from '@nestjs/common';
import { readableKnowledgeBaseIds, type AuthContext } from '../auth';
import { ConflictError, NotFoundError } from '../common';
import { JobName, JobQueue } from '../jobs';
import { CHUNK_INDEXER, type ChunkIndexer } from './chunk-indexer';
import { ChunksRepository } from './chunks.repository';
import type { DocumentRecord } from './document.record';
import { DocumentsRepository } from './documents.repository';
import { BadUploadError } from './documents.errors';
import { mapChunk, mapDocument, type ChunkListDto, type DocumentDto, type UploadResponseDto } from './dto/document.dto';
import { FileStore } from './file-store';
import { isUuid } from './ids';
import { KnowledgeBasesService } from './knowledge-bases.service';
import { SecretBox } from './secret-box';

/** A file received by the server (multer wrote it under FileStore.incomingDir). */
export interface IncomingFile {
  path: string;
  filename: string;
  contentType: string;
}

const CONTENT_TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpeg: 'image/jpeg',
  tiff: 'image/tiff',
  bmp: 'image/bmp',
  webp: 'image/webp',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  xls: 'application/vnd.ms-excel',
  csv: 'text/csv; charset=utf-8',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  txt: 'text/plain; charset=utf-8',
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

const INGEST_JOB = { maxAttempts: 2, backoffMs: 2000 };

/**
 * Documents in knowledge bases: upload (stored once by SHA-256, ingested as a job), list, read,
 * chunks, download, re-ingest, delete. Authorise (readable knowledge bases go into every query) →
 * load or 404 → write → queue → map.
 */
@Injectable()
export class DocumentsService {
  constructor(
    private readonly knowledgeBases: KnowledgeBasesService,
    private readonly documents: DocumentsRepository,
    private readonly chunks: ChunksRepository,
    private readonly files: FileStore,
    private readonly jobs: JobQueue,
    private readonly secrets: SecretBox,
    @Optional() @Inject(CHUNK_INDEXER) private readonly indexer: ChunkIndexer | null = null,
  ) {}

  /** Stores every file and queues a job for each new one; the same bytes again are reported as a duplicate. */
  async upload(auth: AuthContext, knowledgeBaseId: string, files: readonly IncomingFile[], password?: string): Promise<UploadResponseDto> {
    try {
      await this.knowledgeBases.load(auth, knowledgeBaseId);
      if (!files.length) throw new BadUploadError("no files in the upload: send them as multipart/form-data field 'files'");
      const out: UploadResponseDto['documents'] = [];
      for (const file of files) {
        const { document, duplicate } = await this.store(knowledgeBaseId, file);
        // The same bytes again after a failed ingestion (e.g. now with the password) are a new try.
        const queued = duplicate && document.status !== 'failed' ? document : await this.enqueue(document, password);
        out.push({ ...mapDocument(queued), duplicate });
      }
      return { documents: out };
    } finally {
      await Promise.all(files.map((f) => rm(f.path, { force: true })));
    }
  }

  /**
   * `zhiku ingest`: stores a local file the way an upload does (copied, never moved) and returns the
   * document; the caller runs the ingestion itself rather than queueing it.
   */
  async addLocalFile(auth: AuthContext, knowledgeBaseId: string, file: string): Promise<{ document: DocumentRecord; duplicate: boolean }> {
    await this.knowledgeBases.load(auth, knowledgeBaseId);
    await mkdir(this.files.incomingDir, { recursive: true });
    const temp = path.join(this.files.incomingDir, `cli-${randomUUID()}`);
    try {
      await copyFile(file, temp);
      return await this.store(knowledgeBaseId, { path: temp, filename: path.basename(file), contentType: 'application/octet-stream' });
    } finally {
      await rm(temp, { force: true });
    }
  }

  async list(auth: AuthContext, knowledgeBaseId: string): Promise<DocumentDto[]> {
    await this.knowledgeBases.load(auth, knowledgeBaseId);
    return (await this.documents.listByKnowledgeBase(knowledgeBaseId, readableKnowledgeBaseIds(auth))).map(mapDocument);
  }

  async get(auth: AuthContext, id: string): Promise<DocumentDto> {
    return mapDocument(await this.load(auth, id));
  }

  async listChunks(auth: AuthContext, id: string, offset = 0, limit = 100): Promise<ChunkListDto> {
    const page = isUuid(id) ? await this.chunks.list(id, readableKnowledgeBaseIds(auth), offset, limit) : null;
    if (!page) throw notFound(id);
    return { documentId: id, total: page.total, offset, chunks: page.chunks.map(mapChunk) };
  }

  /** The original bytes with their content type and file name. */
  async file(auth: AuthContext, id: string): Promise<StreamableFile> {
    const doc = await this.load(auth, id);
    if (!(await this.files.exists(doc.sha256))) throw new NotFoundError(`the stored file of document ${id} is missing from FILES_DIR`);
    return new StreamableFile(this.files.open(doc.sha256), {
      type: (doc.format && CONTENT_TYPES[doc.format]) || doc.contentType || 'application/octet-stream',
      length: doc.sizeBytes,
      disposition: contentDisposition(doc.filename),
    });
  }

  /** Parses it again (e.g. with a password, or after a parser upgrade); its chunks are swapped atomically when ready. */
  async reingest(auth: AuthContext, id: string, password?: string): Promise<DocumentDto> {
    const doc = await this.load(auth, id);
    if (doc.status === 'queued' || doc.status === 'parsing' || doc.status === 'embedding') {
      throw new ConflictError(`document ${id} is already being ingested (${doc.status})`);
    }
    return mapDocument(await this.enqueue(doc, password));
  }

  /** Deletes the document, its chunks and index entries, and its file unless another document uses the same bytes. */
  async delete(auth: AuthContext, id: string): Promise<DocumentDto> {
    const doc = isUuid(id) ? await this.documents.delete(id, readableKnowledgeBaseIds(auth), this.indexer) : null;
    if (!doc) throw notFound(id);
    await this.documents.removeFileIfUnused(doc.sha256, () => this.files.remove(doc.sha256));
    return mapDocument(doc);
  }

  private async load(auth: AuthContext, id: string): Promise<DocumentRecord> {
    const doc = isUuid(id) ? await this.documents.get(id, readableKnowledgeBaseIds(auth)) : null;
    if (!doc) throw notFound(id);
    return doc;
  }

  private async store(knowledgeBaseId: string, file: IncomingFile) {
    const stored = await FileStore.hashFile(file.path);
    const doc = { knowledgeBaseId, filename: file.filename, contentType: file.contentType, ...stored };
    return this.documents.insertWithFile(doc, () => this.files.place(file.path, stored.sha256));
  }

  /** The password travels sealed (the jobs ledger, Redis); the ledger drops it when the job ends. */
  private async enqueue(doc: DocumentRecord, password?: string): Promise<DocumentRecord> {
    await this.documents.queue(doc.id, null);
    const sealed = password ? { sealed: this.secrets.seal(password, doc.id) } : {};
    const job = await this.jobs.enqueue(JobName.IngestDocument, { documentId: doc.id, ...sealed }, INGEST_JOB);
    await this.documents.setJob(doc.id, job.id);
    return (await this.documents.get(doc.id, null)) ?? doc;
  }
}

function notFound(id: string): NotFoundError {
  return new NotFoundError(`document ${id} not found (or this key may not read its knowledge base)`);
}

/** RFC 6266: an ASCII fallback and the UTF-8 name (Chinese file names survive the download). */
function contentDisposition(filename: string): string {
  const ascii = filename.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}
