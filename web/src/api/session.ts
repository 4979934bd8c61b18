// The API key lives in sessionStorage only: gone when the tab closes, never put in a URL.
const KEY = 'zhiku.apiKey';
const listeners = new Set<() => void>();

export function getKey(): string | null {
  return sessionStorage.getItem(KEY);
}

export function setKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

export function onKeyChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
