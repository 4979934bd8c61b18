import { ApiError } from '../api/api-error';
import { hasKey, t, type MessageKey } from '../i18n/i18n';

/** What went wrong in the user's language: a headline chosen by status, then the server's own words. */
export function describeError(error: unknown): { title: string; detail: string } {
  if (error instanceof ApiError) {
    const key = `error.http.${error.status}`;
    const title = hasKey(key) ? t(key) : error.status >= 500 ? t('error.http.500') : t('error.generic');
    return { title, detail: error.status === 0 ? t('error.network') : error.message };
  }
  return { title: t('error.generic'), detail: error instanceof Error ? error.message : String(error) };
}

/** An ingestion failure by its code (encrypted, unsupported_format, ...), with the parser's reason. */
export function describeIngestionError(code: string | null, message: string | null): string {
  const key = `ingest.error.${code ?? ''}` as MessageKey;
  const words = code && hasKey(key) ? t(key) : t('ingest.error.unknown');
  return message ? `${words} (${message})` : words;
}
