// The API key lives in sessionStorage only: gone when the tab closes, never put in a URL.
const KEY = 'zhiku.apiKey';
const listeners = new Set<() => void>();

export function getKey(): string | null {
  return sessionStorage.getItem(KEY);
}

let refused = false;

export function setKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY, key);
  else sessionStorage.removeItem(KEY);
  listeners.forEach((l) => l());
}

/** The server refused the key (401): the session ends, and the login screen says why. */
export function expireSession(): void {
  refused = true;
  setKey(null);
}

/** Whether the last session ended because the key was refused (not by "log out"); reading resets it. */
export function takeRefused(): boolean {
  const was = refused;
  refused = false;
  return was;
}

export function onKeyChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
