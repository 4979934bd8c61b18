import { en } from './en';
import { zhCN } from './zh-CN';

export type Lang = 'zh-CN' | 'en';
export type MessageKey = keyof typeof zhCN;

const STORE = 'zhiku.lang';
const dictionaries: Record<Lang, Record<MessageKey, string>> = { 'zh-CN': zhCN, en };
const listeners = new Set<() => void>();

/** A choice made in the header wins; otherwise Chinese for a browser that prefers any zh variant. */
function initialLang(): Lang {
  const saved = localStorage.getItem(STORE);
  if (saved === 'zh-CN' || saved === 'en') return saved;
  return navigator.language.toLowerCase().startsWith('zh') ? 'zh-CN' : 'en';
}

let current: Lang = initialLang();
document.documentElement.lang = current;

export const getLang = (): Lang => current;

export function setLang(lang: Lang): void {
  current = lang;
  localStorage.setItem(STORE, lang);
  document.documentElement.lang = lang;
  listeners.forEach((l) => l());
}

export function onLangChange(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** The text of a key in the current language; {name} placeholders are filled from params. */
export function t(key: MessageKey, params?: Record<string, string | number>): string {
  const text = dictionaries[current][key] ?? key;
  return params ? text.replace(/\{(\w+)\}/g, (m, name: string) => (name in params ? String(params[name]) : m)) : text;
}

/** Does the dictionary have this key? For messages picked by a server-side code. */
export const hasKey = (key: string): key is MessageKey => key in zhCN;

export function formatNumber(n: number, digits = 0): string {
  return n.toLocaleString(current, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function formatDate(iso: string): string {
  return new Date(iso).toLocaleString(current, { dateStyle: 'short', timeStyle: 'short' });
}

export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = bytes;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toLocaleString(current, { maximumFractionDigits: i ? 1 : 0 })} ${units[i]}`;
}
