import { useEffect, useState } from 'preact/hooks';
import { get } from '../api/client';
import type { ApiKeyView, AuditEvent } from '../api/types';
import { formatDate, t } from '../i18n/i18n';
import { Badge, ErrorBox } from '../ui/parts';

/** GET /api/audit, newest first, a page at a time (`before` = the previous page's `next`). */
export function AuditLog({ keys }: { keys: ApiKeyView[] }) {
  const [items, setItems] = useState<AuditEvent[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const [keyId, setKeyId] = useState('');
  const [error, setError] = useState<unknown>(undefined);
  const load = async (before: string | null) => {
    try {
      const q = new URLSearchParams({ limit: '50', ...(before ? { before } : {}), ...(keyId ? { keyId } : {}) });
      const page = await get<{ items: AuditEvent[]; next: string | null }>(`/api/audit?${q}`);
      setItems((list) => (before ? [...list, ...page.items] : page.items));
      setNext(page.next);
      setError(undefined);
    } catch (e) {
      setError(e);
    }
  };
  useEffect(() => void load(null), [keyId]);
  return (
    <>
      <h2>{t('audit.title')}</h2>
      <p class="muted small">{t('audit.intro')}</p>
      <div class="row" style={{ marginBottom: '.5rem' }}>
        <select aria-label={t('audit.byKey')} value={keyId} onChange={(e) => setKeyId(e.currentTarget.value)} style={{ width: 'auto' }}>
          <option value="">{t('audit.allKeys')}</option>
          {keys.map((k) => (
            <option key={k.id} value={k.id}>
              {k.name}
            </option>
          ))}
        </select>
        <button type="button" class="secondary small" onClick={() => void load(null)}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorBox error={error} />
      <div class="table-wrap">
        <table data-testid="audit">
          <thead>
            <tr>
              <th>{t('audit.when')}</th>
              <th>{t('audit.who')}</th>
              <th>{t('audit.what')}</th>
              <th class="num">{t('audit.status')}</th>
              <th class="num">ms</th>
            </tr>
          </thead>
          <tbody>
            {items.map((e) => (
              <tr key={e.id}>
                <td class="small">{formatDate(String(e.at))}</td>
                <td>{e.keyName ?? <span class="muted">{t('audit.anonymous')}</span>}</td>
                <td class="mono">
                  {e.method} {e.path}
                </td>
                <td class="num">
                  <Badge kind={e.status < 400 ? 'ok' : 'bad'}>{e.status}</Badge>
                </td>
                <td class="num">{e.durationMs}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {next && (
        <button type="button" class="secondary small" onClick={() => void load(next)}>
          {t('common.more')}
        </button>
      )}
    </>
  );
}
