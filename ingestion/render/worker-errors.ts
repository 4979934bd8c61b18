import { CorruptDocumentError, EncryptedDocumentError, IngestionError, LimitExceededError, UnsupportedFormatError, type LimitName } from '../core/ingestion.errors';
import type { DocumentFormat } from '../core/parsed-document';
import { NoPagesError, PageOutOfRangeError } from './page-image';

/** An error as it crosses from the render thread: its class name and the fields that rebuild it. */
export interface SerializedError {
  name: string;
  message: string;
  code?: string;
  fields: Record<string, unknown>;
}

export function serializeError(error: unknown): SerializedError {
  const e = error instanceof Error ? error : new Error(String(error));
  const fields: Record<string, unknown> = {};
  for (const key of ['page', 'pages', 'format', 'reason', 'detected', 'limit', 'actual', 'max']) {
    if (key in e) fields[key] = (e as unknown as Record<string, unknown>)[key];
  }
  return { name: e.name, message: e.message, code: (e as { code?: string }).code, fields };
}

/** The same typed error on this side, so callers can `instanceof` it as if it had been thrown here. */
export function deserializeError(s: SerializedError): Error {
  const f = s.fields;
  switch (s.name) {
    case 'PageOutOfRangeError':
      return new PageOutOfRangeError(f.page as number, f.pages as number);
    case 'NoPagesError':
      return new NoPagesError(f.format as DocumentFormat);
    case 'EncryptedDocumentError':
      return new EncryptedDocumentError(f.reason as 'password_required' | 'wrong_password');
    case 'LimitExceededError':
      return new LimitExceededError(f.limit as LimitName, f.actual as number, f.max as number);
    case 'UnsupportedFormatError':
      return Object.assign(new UnsupportedFormatError(f.detected as string), { message: s.message });
    case 'CorruptDocumentError':
      return Object.assign(new CorruptDocumentError(f.format as DocumentFormat, ''), { message: s.message });
    case 'RangeError':
      return new RangeError(s.message);
    default:
      return s.code ? new IngestionError(s.message, s.code) : new Error(s.message);
  }
}
