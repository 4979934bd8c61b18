import { readFile } from 'node:fs/promises';
import { Injectable } from '@nestjs/common';
import { EncryptedDocumentError, IngestionError, NoPagesError, PAGED_FORMATS, PageOutOfRangeError, renderPageImage, type DocumentFormat } from '../../ingestion';
import { readableKnowledgeBaseIds, type AuthContext } from '../auth';
import { InvalidInputError, NotFoundError } from '../common';
import { DocumentsRepository } from './documents.repository';
import { PageImageUnavailableError } from './documents.errors';
import { FileStore } from './file-store';
import { isUuid } from './ids';
import { PageImageCache, RENDER_VERSION, type CachedPageImage } from './page-image-cache';

export const PAGE_WIDTH = { default: 1000, min: 200, max: 2000 } as const;
/** Two pages at once: each holds a canvas of up to 32 MB and a core; more would only queue on the CPU. */
const MAX_CONCURRENT_RENDERS = 2;

export interface PageImageResult {
  etag: string;
  /** Absent when the caller's If-None-Match already names this picture (304). */
  image?: CachedPageImage;
}

/**
 * Pictures of a document's pages, rendered from the stored original (FILES_DIR) and cached on disk
 * by (sha256, page, width). Authorise (readable knowledge bases in the query) → load or 404 → check
 * the page and format → cache or render → map ingestion refusals to 404/409.
 */
@Injectable()
export class PageImagesService {
  private readonly inFlight = new Map<string, Promise<CachedPageImage>>();
  private running = 0;
  private readonly waiting: (() => void)[] = [];

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
    await this.acquire();
    let image: CachedPageImage;
    try {
      const { png, ...meta } = await renderPageImage(bytes, { page, width });
      image = { png, meta: { width: meta.width, height: meta.height, pages: meta.pages, pageWidth: meta.pageWidth, pageHeight: meta.pageHeight } };
    } catch (error) {
      throw refusal(id, page, error);
    } finally {
      this.release();
    }
    await this.cache.put(sha256, page, width, image);
    return image;
  }

  private async acquire(): Promise<void> {
    if (this.running < MAX_CONCURRENT_RENDERS) {
      this.running++;
      return;
    }
    // The slot is handed over by release(), so `running` stays counted for the waiter.
    await new Promise<void>((resolve) => this.waiting.push(resolve));
  }

  private release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running--;
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
