import { AppError, InvalidInputError } from '../common';

/** An uploaded file over UPLOAD_LIMIT: 413, naming the file and the limit. */
export class UploadTooLargeError extends AppError {
  override name = 'UploadTooLargeError';
  constructor(filename: string | undefined, limitBytes: number) {
    super(`${filename ? `file "${filename}"` : 'a file'} is larger than the upload limit of ${limitBytes} bytes (UPLOAD_LIMIT)`, 413);
  }
}

/** A multipart request that does not carry what the endpoint needs. */
export class BadUploadError extends InvalidInputError {
  override name = 'BadUploadError';
}

/** Why a page picture cannot be made from the stored original (see PageImagesService). */
export type PageImageRefusal = 'encrypted' | 'no_pages' | 'unreadable';

/** The document exists and is readable, but its original cannot be pictured page by page: 409. */
export class PageImageUnavailableError extends AppError {
  override name = 'PageImageUnavailableError';
  constructor(message: string, reason: PageImageRefusal) {
    super(message, 409, { reason });
  }
}
