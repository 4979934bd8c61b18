import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Inject, Injectable, Logger, type OnModuleDestroy, Optional } from '@nestjs/common';
import { chunkDocument, disposeIngestion, IngestionError, parse, ParseCancelledError, TesseractOcrEngine, type Block, type OcrEngine, type ParsedDocument } from '../../ingestion';
import { APP_CONFIG, type AppConfig } from '../config';
import { CHUNK_INDEXER, type ChunkIndexer } from './chunk-indexer';
import { ChunksRepository, type NewChunk } from './chunks.repository';
import type { DocumentStatus } from './document.record';
import { DocumentsRepository } from './documents.repository';
import { FileStore } from './file-store';

/** What ingesting one document came to (the job's result, and a line of `zhiku ingest`). */
export interface IngestOutcome {
  documentId: string;
  filename: string;
  status: 'ready' | 'failed' | 'deleted';
  format: string | null;
  pages: number | null;
  blocks: number | null;
  chunks: number;
  characters: number | null;
  /** Pages (or images) read by OCR. */
  ocrPages: number;
  ms: number;
  error: string | null;
  /** A failed re-ingest of a ready document: it stayed ready, searchable with its previous chunks. */
  previousKept: boolean;
}

/** The password of an encrypted file, or how to get it (unsealed only when the pipeline needs it, so a failure is the document's). */
export type PasswordSource = string | (() => string) | undefined;

export interface IngestControl {
  signal?: AbortSignal;
  /** Reported as the pipeline moves on (the job's progress, the CLI's bar). */
  progress?(percent: number, message: string): Promise<void> | void;
}

/**
 * The ingestion pipeline of one stored document: read the original → parse → chunk → (prepare the
 * index) → one transaction that swaps the chunks in and marks the document ready. An IngestionError
 * fails this document alone, with the library's reader-facing message; any other error fails it
 * too and is rethrown so the job is retried. A document that was ready stays ready on failure, its
 * previous chunks untouched, and shows the failure as lastError.
 */
@Injectable()
export class DocumentIngestionService implements OnModuleDestroy {
  private readonly logger = new Logger('Documents');

  constructor(
    private readonly documents: DocumentsRepository,
    private readonly chunks: ChunksRepository,
    private readonly files: FileStore,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Optional() @Inject(CHUNK_INDEXER) private readonly indexer: ChunkIndexer | null = null,
  ) {}

  /** One OCR worker pool for the app (OCR_WORKERS workers), started on the first page that needs it. */
  private ocrEngine?: TesseractOcrEngine;

  /** The OCR workers live as long as the app. */
  async onModuleDestroy(): Promise<void> {
    const engine = this.ocrEngine;
    this.ocrEngine = undefined;
    await engine?.dispose();
    await disposeIngestion();
  }

  /**
   * The shared engine, counting the pages it reads for this document: OCR is where a long document
   * spends its time (seconds a page), so that is the progress worth showing. Reporting never throws
   * into the parser, which would take any error for a corrupt file.
   */
  private countingOcr(report: (pages: number) => Promise<unknown>): OcrEngine {
    let pages = 0;
    return {
      recognize: async (image) => {
        this.ocrEngine ??= new TesseractOcrEngine({ workers: this.config.ocrWorkers });
        const lines = await this.ocrEngine.recognize(image);
        pages++;
        await report(pages).catch(() => undefined);
        return lines;
      },
      concurrency: this.config.ocrWorkers,
      dispose: async () => undefined,
    };
  }

  /**
   * The parser reports every page synchronously; the database hears of it at most twice a second (and
   * of the last page), so a 2,000-page PDF is not 2,000 writes. Reports run one after another and
   * `settled` is awaited before the next status is written, so a late page report can never
   * overwrite a later stage. Reporting never throws into the parser.
   */
  private pageProgress(report: (done: number, total: number) => Promise<unknown>) {
    let last = 0;
    let chain: Promise<unknown> = Promise.resolve();
    return {
      onProgress: (done: number, total: number): void => {
        const now = Date.now();
        if (done < total && now - last < 500) return;
        last = now;
        chain = chain.then(() => report(done, total)).catch(() => undefined);
      },
      settled: (): Promise<unknown> => chain,
    };
  }

  async ingest(documentId: string, passwordSource: PasswordSource, control: IngestControl = {}): Promise<IngestOutcome> {
    const started = Date.now();
    const doc = await this.documents.get(documentId, null);
    const outcome: IngestOutcome = {
      documentId,
      filename: doc?.filename ?? '',
      status: 'deleted',
      format: null,
      pages: null,
      blocks: null,
      chunks: 0,
      characters: null,
      ocrPages: 0,
      ms: 0,
      error: null,
      previousKept: false,
    };
    if (!doc) return outcome;
    const step = async (status: DocumentStatus, percent: number, message: string): Promise<boolean> => {
      control.signal?.throwIfAborted();
      await control.progress?.(percent, message);
      return this.documents.progress(documentId, status, percent, message);
    };
    let parsed: ParsedDocument | undefined;
    try {
      if (!(await step('parsing', 5, 'parsing'))) return outcome;
      const password = typeof passwordSource === 'function' ? passwordSource() : passwordSource;
      const bytes = await readFile(this.files.pathOf(doc.sha256)).catch((e: NodeJS.ErrnoException) => {
        // Retrying cannot bring a lost original back: fail the document with a reason, not the job.
        if (e.code === 'ENOENT') throw new MissingOriginalError(doc.sha256);
        throw e;
      });
      const parseStarted = Date.now();
      const ocr = this.countingOcr(async (n) => {
        outcome.ocrPages = n;
        await control.progress?.(5, `OCR: ${n} page(s) read`);
        await this.documents.progress(documentId, 'parsing', 5, `OCR: ${n} page(s) read`);
      });
      const pages = this.pageProgress(async (done, total) => {
        const percent = 5 + Math.floor((55 * done) / Math.max(total, 1));
        const message = `${done}/${total} page(s) parsed`;
        await control.progress?.(percent, message);
        await this.documents.progress(documentId, 'parsing', percent, message);
      });
      try {
        parsed = await parse(bytes, doc.filename, { password, ocr, signal: control.signal, onProgress: pages.onProgress });
      } finally {
        await pages.settled();
      }
      const parseMs = Date.now() - parseStarted;
      Object.assign(outcome, {
        format: parsed.metadata.format,
        pages: parsed.metadata.pages,
        blocks: parsed.blocks.length,
        characters: parsed.blocks.reduce((n, b) => n + b.text.length, 0),
      });
      const unit = parsed.metadata.format === 'xlsx' || parsed.metadata.format === 'xls' ? 'sheet(s)' : 'page(s)';
      if (!(await step('embedding', 60, `${parsed.metadata.pages} ${unit} parsed, ${parsed.blocks.length} blocks`))) return outcome;
      const chunks = toNewChunks(parsed);
      const prepared = this.indexer?.prepare
        ? await this.indexer.prepare({ knowledgeBaseId: doc.knowledgeBaseId, documentId, documentName: doc.filename, chunks }, control.signal)
        : undefined;
      if (!(await step('embedding', 90, `${chunks.length} chunks indexed`))) return outcome;
      const summary = { format: parsed.metadata.format, pages: parsed.metadata.pages, blocks: parsed.blocks.length, characters: outcome.characters ?? 0, warnings: parsed.metadata.warnings, parseMs };
      if (!(await this.chunks.replaceAndMarkReady(documentId, chunks, summary, this.indexer, prepared))) return outcome;
      await control.progress?.(100, 'ready');
      return { ...outcome, status: 'ready', chunks: chunks.length, ms: Date.now() - started };
    } catch (error) {
      // A cancelled parse is the job's cancellation, not a verdict on the file.
      const ingestion = error instanceof IngestionError && !(error instanceof ParseCancelledError);
      const message = ingestion
        ? error.message
        : control.signal?.aborted
          ? 'ingestion was cancelled or interrupted; re-ingest the document to try again'
          : `ingestion failed: ${(error as Error)?.message ?? String(error)}`;
      const kept = await this.documents.fail(documentId, message, ingestion ? error.code : 'internal', parsed?.metadata.format ?? null, this.indexer);
      // Deleted meanwhile (its original may have gone with it): nothing to record, nothing to retry.
      if (kept === 'gone') return { ...outcome, status: 'deleted', ms: Date.now() - started };
      outcome.previousKept = kept === 'kept';
      if (!ingestion) {
        this.logger.error({ msg: 'document ingestion failed', documentId, error: message }, (error as Error)?.stack);
        throw error;
      }
      return { ...outcome, status: 'failed', error: message, ms: Date.now() - started };
    }
  }
}

/** The stored original is gone from FILES_DIR (removed by hand, or a volume not mounted). */
class MissingOriginalError extends IngestionError {
  constructor(sha256: string) {
    super(`the stored original (${sha256}) is missing from FILES_DIR; upload the file again`, 'missing_original');
  }
}

/** The chunker's chunks with their ids and the kind of content they hold. */
export function toNewChunks(parsed: ParsedDocument): NewChunk[] {
  return chunkDocument(parsed).map((c) => ({
    id: randomUUID(),
    ordinal: c.index,
    text: c.text,
    context: c.context,
    kind: chunkKind(c.provenance.blockIndices.map((i) => parsed.blocks[i])),
    provenance: { ...c.provenance },
    tokenEstimate: c.tokens,
  }));
}

/** table (rows of a table), ocr (read from an image), list, heading, or text. */
function chunkKind(blocks: Block[]): string {
  const kinds = new Set(blocks.filter(Boolean).map((b) => b.kind));
  if (kinds.size && [...kinds].every((k) => k === 'table' || k === 'table_row' || k === 'heading' || k === 'title') && (kinds.has('table') || kinds.has('table_row'))) return 'table';
  if (blocks.some((b) => b?.kind === 'ocr_line' || b?.provenance.source === 'ocr')) return 'ocr';
  if (kinds.size && [...kinds].every((k) => k === 'list_item')) return 'list';
  if (kinds.size && [...kinds].every((k) => k === 'heading' || k === 'title')) return 'heading';
  return 'text';
}
