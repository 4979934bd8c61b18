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
