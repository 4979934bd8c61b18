import type { DocumentFormat } from './parsed-document';

/** Base of every error the ingestion library throws on purpose; `code` is machine-readable. */
export class IngestionError extends Error {
  override readonly name: string = 'IngestionError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export class EncryptedDocumentError extends IngestionError {
  override readonly name = 'EncryptedDocumentError';
  constructor(readonly reason: 'password_required' | 'wrong_password') {
    super(reason === 'password_required' ? 'encrypted: password required' : 'encrypted: wrong password', 'encrypted');
  }
}

/** The bytes are not a format we read; `detected` names what they look like. */
export class UnsupportedFormatError extends IngestionError {
  override readonly name = 'UnsupportedFormatError';
  constructor(
    readonly detected: string,
    detail?: string,
  ) {
    super(`unsupported format: ${detected}${detail ? ` (${detail})` : ''}`, 'unsupported_format');
  }
}

/** The file's structure is broken beyond recovery. */
export class CorruptDocumentError extends IngestionError {
  override readonly name = 'CorruptDocumentError';
  constructor(
    readonly format: DocumentFormat | 'unknown',
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(`corrupt ${format} file: ${detail}`, 'corrupt', options);
  }
}

export type LimitName = 'fileBytes' | 'pages' | 'pixels' | 'zipUncompressedBytes' | 'zipEntries';

/** A configured limit was exceeded; `limit` names it, `actual`/`max` quantify it. */
export class LimitExceededError extends IngestionError {
  override readonly name = 'LimitExceededError';
  constructor(
    readonly limit: LimitName,
    readonly actual: number,
    readonly max: number,
  ) {
    super(`limit exceeded: ${limit} is ${actual}, the maximum is ${max}`, 'limit_exceeded');
  }
}

/** The caller aborted the parse (ParseOptions.signal). */
export class ParseCancelledError extends IngestionError {
  override readonly name = 'ParseCancelledError';
  constructor() {
    super('cancelled', 'cancelled');
  }
}
