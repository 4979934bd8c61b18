import { readFile } from 'node:fs/promises';
import { Injectable, type OnModuleDestroy } from '@nestjs/common';
import { EncryptedDocumentError, IngestionError, NoPagesError, PAGED_FORMATS, PageOutOfRangeError, PageRenderPool, type DocumentFormat } from '../../ingestion';
import { readableKnowledgeBaseIds, type AuthContext } from '../auth';
import { InvalidInputError, NotFoundError } from '../common';
import { DocumentsRepository } from './documents.repository';
import { PageImageUnavailableError } from './documents.errors';
import { FileStore } from './file-store';
import { isUuid } from './ids';
import { PageImageCache, RENDER_VERSION, type CachedPageImage } from './page-image-cache';

export const PAGE_WIDTH = { default: 1000, min: 200, max: 2000 } as const;

export interface PageImageResult {
  etag: string;
  /** Absent when the caller's If-None-Match already names this picture (304). */
  image?: CachedPageImage;
}

/**
 * Pictures of a document's pages, rendered from the stored original (FILES_DIR) and cached on disk
 * by (sha256, page, width). Authorise (readable knowledge bases in the query) → load or 404 → check
 * the page and format → cache or render → map ingestion refusals to 404/409. Pages render on two
 * worker threads (PageRenderPool): pdf.js would otherwise hold the event loop for up to a second
 * on a page of figures; each holds a canvas of up to 32 MB and a core, and more would only queue
 * on the CPU.
 */
@Injectable()
export class PageImagesService implements OnModuleDestroy {
  private readonly inFlight = new Map<string, Promise<CachedPageImage>>();
  private readonly pool = new PageRenderPool({ size: 2 });

  constructor(
    private readonly documents: DocumentsRepository,
    private readonly files: FileStore,
    private readonly cache: PageImageCache,
  ) {}

  async pageImage(auth: AuthContext, id: string, pageParam: string, width: number | undefined, ifNoneMatch?: string): Promise<PageImageResult> {
    const page = parsePage(pageParam);
    const doc = isUuid(id) ? await this.documents.get(id, readableKnowledgeBaseIds(auth)) : null;
    if (!doc) throw new NotFoundError(`document ${id} not found (or this key may not read its knowledge base)`);
    if (doc.format && !PAGED_FORMATS.includes(doc.format as DocumentFormat)) throw noPages(id, doc.format);
    if (doc.pages !== null && page > doc.pages) throw pastTheEnd(id, page, doc.pages);
    const w = clampWidth(width);
    // The bytes behind a sha256 never change, so the picture is known by its key before any work.
    const etag = `"${doc.sha256.slice(0, 16)}-p${page}-w${w}-r${RENDER_VERSION}"`;
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim().replace(/^W\//, '') === etag)) return { etag };
    const cached = await this.cache.get(doc.sha256, page, w);
    if (cached) return { etag, image: cached };
    const key = `${doc.sha256}:${page}:${w}`;
    let rendering = this.inFlight.get(key);
    if (!rendering) {
      rendering = this.render(doc.id, doc.sha256, page, w).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, rendering);
    }
    return { etag, image: await rendering };
  }

  private async render(id: string, sha256: string, page: number, width: number): Promise<CachedPageImage> {
    const bytes = await readFile(this.files.pathOf(sha256)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') throw new NotFoundError(`the stored file of document ${id} is missing from FILES_DIR`);
      throw e;
    });
    const rendered = await this.pool.render(bytes, { page, width }).catch((error: unknown) => {
      throw refusal(id, page, error);
    });
    const { png, width: w, height, pages, pageWidth, pageHeight } = rendered;
    const image = { png, meta: { width: w, height, pages, pageWidth, pageHeight } };
    await this.cache.put(sha256, page, width, image);
    return image;
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

function parsePage(raw: string): number {
  const page = /^\d{1,9}$/.test(raw) ? Number(raw) : NaN;
  if (!(page >= 1)) throw new InvalidInputError(`page must be a whole number from 1, got "${raw}"`);
  return page;
}

/** Out-of-range widths are brought into range rather than refused: a client asking for its screen's width should get a picture. */
function clampWidth(width: number | undefined): number {
  return Math.min(PAGE_WIDTH.max, Math.max(PAGE_WIDTH.min, width ?? PAGE_WIDTH.default));
}

function noPages(id: string, format: string): PageImageUnavailableError {
  return new PageImageUnavailableError(
    `document ${id} is a ${format} file, which has no pages to render; read its chunks, or download the original from /api/documents/${id}/file`,
    'no_pages',
  );
}

function pastTheEnd(id: string, page: number, pages: number): NotFoundError {
  return new NotFoundError(`document ${id} has no page ${page}: it has ${pages} page${pages === 1 ? '' : 's'}`);
}

function refusal(id: string, page: number, error: unknown): Error {
  if (error instanceof PageOutOfRangeError) return pastTheEnd(id, page, error.pages);
  if (error instanceof NoPagesError) return noPages(id, error.format);
  if (error instanceof EncryptedDocumentError) {
    return new PageImageUnavailableError(
      `page ${page} of document ${id} cannot be rendered: the PDF is encrypted and its password is not kept after ingestion; open the original and enter the password there`,
      'encrypted',
    );
  }
  if (error instanceof IngestionError) return new PageImageUnavailableError(`page ${page} of document ${id} cannot be rendered: ${error.message}`, 'unreadable');
  return error as Error;
}
