import { ApiError, errorFromResponse } from './api-error';
import { expireSession, getKey } from './session';

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

function headers(extra: Record<string, string> = {}): Record<string, string> {
  const key = getKey();
  return key ? { Authorization: `Bearer ${key}`, ...extra } : extra;
}

/** A rejected key ends the session: the login screen comes back instead of a page of errors. */
function checkAuth(res: Response): void {
  if (res.status === 401 && getKey()) expireSession();
}

export async function send(method: Method, path: string, body?: unknown | FormData, signal?: AbortSignal): Promise<Response> {
  const isForm = body instanceof FormData;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: headers(body === undefined || isForm ? {} : { 'Content-Type': 'application/json' }),
      body: body === undefined ? undefined : isForm ? body : JSON.stringify(body),
      signal,
    });
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(0, (e as Error).message);
  }
  checkAuth(res);
  if (!res.ok) throw await errorFromResponse(res);
  return res;
}

export async function api<T>(method: Method, path: string, body?: unknown, signal?: AbortSignal): Promise<T> {
  const res = await send(method, path, body, signal);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const get = <T>(path: string, signal?: AbortSignal) => api<T>('GET', path, undefined, signal);
export const post = <T>(path: string, body?: unknown) => api<T>('POST', path, body ?? {});

/** A GET of the raw bytes (the original document) with the key in the header; the result is a blob URL. */
export async function fetchBlobUrl(path: string): Promise<string> {
  const res = await send('GET', path);
  return URL.createObjectURL(await res.blob());
}

/**
 * Uploads one multipart form with XMLHttpRequest: fetch cannot report upload progress, and a
 * per-file progress bar is what an operator uploading a quarter's contracts watches.
 */
export function upload<T>(path: string, form: FormData, onProgress: (fraction: number) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const key = getKey();
    if (key) xhr.setRequestHeader('Authorization', `Bearer ${key}`);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'network error'));
    xhr.onload = () => {
      let body: { message?: string; details?: unknown } | undefined;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        body = undefined;
      }
      if (xhr.status === 401 && getKey()) expireSession();
      if (xhr.status >= 200 && xhr.status < 300) resolve(body as T);
      else reject(new ApiError(xhr.status, body?.message ?? (xhr.responseText.slice(0, 300) || xhr.statusText), body?.details));
    };
    xhr.send(form);
  });
}
