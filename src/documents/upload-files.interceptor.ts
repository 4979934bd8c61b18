import { mkdirSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Inject, Injectable, type NestInterceptor } from '@nestjs/common';
import multer from 'multer';
import { finalize, type Observable } from 'rxjs';
import { APP_CONFIG, type AppConfig } from '../config';
import { BadUploadError, UploadTooLargeError } from './documents.errors';
import { FileStore } from './file-store';
import type { IncomingFile } from './documents.service';

/** Most files in one upload request. */
export const MAX_FILES_PER_UPLOAD = 100;

interface UploadRequest {
  files?: Array<{ path: string; originalname: string; mimetype: string }>;
  uploadedFiles?: IncomingFile[];
  /** The file being received, to name it when it turns out too large. */
  currentFilename?: string;
}

/**
 * Receives a multipart upload straight to disk (FileStore.incomingDir, so the store adopts a file with
 * a rename) with UPLOAD_LIMIT per file, and turns multer's errors into our error bodies: 413 naming
 * the file and the limit, 400 for a malformed form. Files arrive as `req.uploadedFiles`; any field
 * name is accepted (`files` by convention). multer removes what it wrote when it fails.
 */
@Injectable()
export class UploadFilesInterceptor implements NestInterceptor {
  private readonly receive: (req: unknown, res: unknown, done: (error?: unknown) => void) => void;

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    store: FileStore,
  ) {
    const storage = multer.diskStorage({
      destination: (_req, _file, cb) => {
        mkdirSync(store.incomingDir, { recursive: true });
        cb(null, store.incomingDir);
      },
      filename: (req, file, cb) => {
        (req as UploadRequest).currentFilename = file.originalname;
        cb(null, `upload-${randomUUID()}`);
      },
    });
    this.receive = multer({
      storage,
      // Browsers and curl send UTF-8 file names; busboy's default (latin1) would garble 知识库.pdf.
      defParamCharset: 'utf8',
      limits: { fileSize: config.uploadLimitBytes, files: MAX_FILES_PER_UPLOAD, fields: 20, fieldSize: 64 * 1024 },
    }).any() as never;
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const http = context.switchToHttp();
    const req = http.getRequest<UploadRequest>();
    await new Promise<void>((resolve, reject) =>
      this.receive(req, http.getResponse(), (error?: unknown) => (error ? reject(this.translate(error, req)) : resolve())),
    );
    req.uploadedFiles = (req.files ?? []).map((f) => ({ path: f.path, filename: f.originalname, contentType: f.mimetype || 'application/octet-stream' }));
    // Whatever the handler did not adopt (a validation error, a failed request) is not left behind.
    const received = req.uploadedFiles;
    return next.handle().pipe(finalize(() => received.forEach((f) => rmSync(f.path, { force: true }))));
  }

  private translate(error: unknown, req: UploadRequest): unknown {
    if (!(error instanceof multer.MulterError)) {
      const message = (error as Error)?.message ?? String(error);
      return new BadUploadError(`the upload could not be read: ${message}`);
    }
    switch (error.code) {
      case 'LIMIT_FILE_SIZE':
        return new UploadTooLargeError(req.currentFilename, this.config.uploadLimitBytes);
      case 'LIMIT_FILE_COUNT':
        return new BadUploadError(`too many files in one upload: at most ${MAX_FILES_PER_UPLOAD}`);
      default:
        return new BadUploadError(`the upload could not be read: ${error.message}`);
    }
  }
}
