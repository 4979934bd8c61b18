import { useState } from 'preact/hooks';
import { api, get, post } from '../api/client';
import type { KnowledgeBase } from '../api/types';
import { allowed } from '../ui/layout';
import { formatDate, t } from '../i18n/i18n';
import { useAction, useLoad } from '../ui/hooks';
import { Empty, ErrorBox, Field, Link, Loading, PageHead, valueOf } from '../ui/parts';
import type { ScreenProps } from '../routes';

export function KnowledgeBasesScreen({ me }: ScreenProps) {
  const kbs = useLoad(() => get<KnowledgeBase[]>('/api/knowledge-bases'), []);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction(async () => {
    await post<KnowledgeBase>('/api/knowledge-bases', { name, description: description || undefined });
    setName('');
    setDescription('');
    await kbs.reload();
  });
  const remove = useAction(async (kb: KnowledgeBase) => {
    if (!confirm(t('kb.confirmDelete', { name: kb.name, n: kb.documentCount }))) return;
    await api('DELETE', `/api/knowledge-bases/${kb.id}`);
    await kbs.reload();
  });
  const canWrite = allowed(me, 'editor');
  return (
    <section>
      <PageHead title={t('kb.title')} intro={t('kb.intro')} />
      {canWrite && (
        <form
          class="card row"
          onSubmit={(e) => {
            e.preventDefault();
            void create.run();
          }}
        >
          <Field label={t('kb.name')}>
            <input name="kbName" required maxLength={200} value={name} onInput={(e) => setName(valueOf(e))} placeholder={t('kb.namePlaceholder')} />
          </Field>
          <Field label={t('kb.description')}>
            <input name="kbDescription" maxLength={2000} value={description} onInput={(e) => setDescription(valueOf(e))} />
          </Field>
          <div class="field">
            <button type="submit" disabled={create.pending || !name.trim()}>
              {t('kb.create')}
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={create.error ?? remove.error ?? kbs.error} />
      <Loading when={kbs.loading && !kbs.data} />
      {kbs.data && !kbs.data.length && <Empty>{t('kb.none')}</Empty>}
      <div class="grid">
        {kbs.data?.map((kb) => (
          <article class="card" key={kb.id}>
            <h3>
              <Link href={`/kb/${kb.id}`}>{kb.name}</Link>
            </h3>
            {kb.description && <p class="muted">{kb.description}</p>}
            <p class="small muted">
              {t('kb.documents', { n: kb.documentCount })} · {formatDate(kb.updatedAt)}
            </p>
            <div class="actions">
              <Link href={`/kb/${kb.id}`} class="button secondary">
                {t('kb.open')}
              </Link>
              {canWrite && (
                <button type="button" class="danger small" onClick={() => void remove.run(kb)}>
                  {t('common.delete')}
                </button>
              )}
            </div>
          </article>
        ))}
      </div>
    </section>
  );
}
