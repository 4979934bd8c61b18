import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import type { Me, Role } from '../api/types';
import { setKey } from '../api/session';
import { getLang, setLang, t, type MessageKey } from '../i18n/i18n';
import { Link } from './parts';

interface NavItem {
  href: string;
  label: MessageKey;
  /** The least role whose key can use the screen; lower roles do not see it. */
  role: Role;
}

export const NAV: NavItem[] = [
  { href: '/kb', label: 'nav.kb', role: 'viewer' },
  { href: '/ask', label: 'nav.ask', role: 'viewer' },
  { href: '/write', label: 'nav.write', role: 'viewer' },
  { href: '/search', label: 'nav.search', role: 'viewer' },
  { href: '/prompts', label: 'nav.prompts', role: 'viewer' },
  { href: '/datasets', label: 'nav.datasets', role: 'viewer' },
  { href: '/finetune', label: 'nav.finetune', role: 'admin' },
  { href: '/models', label: 'nav.models', role: 'admin' },
  { href: '/access', label: 'nav.access', role: 'admin' },
];

const RANK: Record<Role, number> = { viewer: 0, editor: 1, admin: 2 };
export const allowed = (me: Me, role: Role) => RANK[me.role] >= RANK[role];

export function LanguageSwitch() {
  const lang = getLang();
  return (
    <button
      type="button"
      class="lang-switch"
      onClick={() => setLang(lang === 'en' ? 'zh-CN' : 'en')}
      aria-label={t('header.language')}
      title={t('header.language')}
      data-testid="lang-switch"
    >
      {lang === 'en' ? '中文' : 'English'}
    </button>
  );
}

export function Layout({ me, path, children }: { me: Me; path: string; children: ComponentChildren }) {
  const [open, setOpen] = useState(false);
  return (
    <div class="shell">
      <a class="skip" href="#main">
        {t('header.skip')}
      </a>
      <header class="topbar">
        <button type="button" class="menu-toggle" aria-expanded={open} aria-controls="nav" onClick={() => setOpen(!open)}>
          ☰<span class="sr-only">{t('header.menu')}</span>
        </button>
        <Link href="/kb" class="brand">
          智库 <span>Zhiku</span>
        </Link>
        <div class="topbar-right">
          <span class="who" title={me.keyId}>
            {me.keyName} · {t(`role.${me.role}`)}
          </span>
          <LanguageSwitch />
          <button type="button" class="secondary" onClick={() => setKey(null)}>
            {t('header.logout')}
          </button>
        </div>
      </header>
      <nav id="nav" class={open ? 'nav open' : 'nav'} aria-label={t('header.menu')} onClick={() => setOpen(false)}>
        {NAV.filter((n) => allowed(me, n.role)).map((n) => (
          <Link key={n.href} href={n.href} class="nav-item" aria-current={path.startsWith(n.href) ? 'page' : undefined}>
            {t(n.label)}
          </Link>
        ))}
        <a class="nav-item ext" href="/docs" target="_blank" rel="noopener">
          {t('nav.apiDocs')}
        </a>
      </nav>
      <main id="main" class="content" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
