import { api, get, post } from '../api/client';
import type { DocumentView, KnowledgeBase } from '../api/types';
import { formatBytes, formatDate, t } from '../i18n/i18n';
import { describeIngestionError } from '../ui/errors';
import { useAction, useLoad, usePoll } from '../ui/hooks';
import { allowed } from '../ui/layout';
import { Badge, Empty, ErrorBox, Link, Loading, PageHead, Progress } from '../ui/parts';
import type { ScreenProps } from '../routes';
import { UploadQueue } from './upload-queue';

const working = (d: DocumentView) => d.status !== 'ready' && d.status !== 'failed';

export function DocumentStatus({ doc }: { doc: DocumentView }) {
  return (
    <div>
      <Badge kind={doc.status}>{t(`doc.status.${doc.status}`)}</Badge>
      {working(doc) && <Progress value={doc.progress} label={doc.filename} />}
      {doc.status === 'failed' && <p class="small" style={{ color: 'var(--bad)' }}>{describeIngestionError(doc.errorCode, doc.error)}</p>}
      {doc.status === 'ready' && doc.lastError && (
        <p class="small" style={{ color: 'var(--warn)' }}>
          {t('doc.lastFailed', { when: doc.lastErrorAt ? formatDate(doc.lastErrorAt) : '' })} {describeIngestionError(doc.lastErrorCode ?? null, doc.lastError)}
        </p>
      )}
    </div>
  );
}

/** One knowledge base: its documents with live status, uploads, delete and re-ingest. */
export function KnowledgeBaseScreen({ params, me }: ScreenProps) {
  const id = params.id;
  const kb = useLoad(() => get<KnowledgeBase>(`/api/knowledge-bases/${id}`), [id]);
  const docs = useLoad(() => get<DocumentView[]>(`/api/knowledge-bases/${id}/documents`), [id]);
  // Polling the list is how the page picks up ingestion again after a reload: status lives on the server.
  usePoll(() => void docs.reload(), 1500, !!docs.data?.some(working));
  const canWrite = allowed(me, 'editor');
  const act = useAction(async (what: 'delete' | 'reingest', doc: DocumentView) => {
    if (what === 'delete') {
      if (!confirm(t('doc.confirmDelete', { name: doc.filename }))) return;
      await api('DELETE', `/api/documents/${doc.id}`);
    } else {
      const password = (doc.errorCode ?? doc.lastErrorCode) === 'encrypted' ? (prompt(t('doc.passwordPrompt')) ?? undefined) : undefined;
      await post(`/api/documents/${doc.id}/reingest`, password ? { password } : {});
    }
    await docs.reload();
  });
  const list = docs.data ?? [];
  const ready = list.filter((d) => d.status === 'ready').length;
  return (
    <section>
      <p class="small">
        <Link href="/kb">← {t('kb.title')}</Link>
      </p>
      <PageHead title={kb.data?.name ?? '…'} intro={kb.data?.description || undefined}>
        <span class="muted small">{t('doc.summary', { ready, total: list.length })}</span>
        <Link href={`/ask?kb=${id}`} class="button secondary">
          {t('nav.ask')}
        </Link>
      </PageHead>
      <ErrorBox error={kb.error ?? docs.error ?? act.error} onClose={act.error ? act.clear : undefined} />
      {canWrite && <UploadQueue knowledgeBaseId={id} onUploaded={() => void docs.reload()} />}
      <Loading when={docs.loading && !docs.data} />
      {docs.data && !list.length && <Empty>{t('doc.none')}</Empty>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('doc.file')}</th>
                <th>{t('doc.status')}</th>
                <th class="num">{t('doc.pages')}</th>
                <th class="num">{t('doc.chunks')}</th>
                <th class="num">{t('doc.size')}</th>
                <th>{t('doc.added')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((d) => (
                <tr key={d.id} data-status={d.status} data-filename={d.filename}>
                  <td>
                    {d.status === 'ready' ? <Link href={`/documents/${d.id}`}>{d.filename}</Link> : d.filename}
                    {d.warnings.length > 0 && <div class="small muted">{t('doc.warnings', { n: d.warnings.length })}</div>}
                  </td>
                  <td style={{ minWidth: '140px' }}>
                    <DocumentStatus doc={d} />
                  </td>
                  <td class="num">{d.pages ?? '—'}</td>
                  <td class="num">{d.chunks}</td>
                  <td class="num">{formatBytes(d.sizeBytes)}</td>
                  <td class="small">{formatDate(d.createdAt)}</td>
                  <td>
                    {canWrite && (
                      <div class="actions">
                        <button type="button" class="secondary small" disabled={working(d)} onClick={() => void act.run('reingest', d)}>
                          {t('doc.reingest')}
                        </button>
                        <button type="button" class="danger small" onClick={() => void act.run('delete', d)}>
                          {t('common.delete')}
                        </button>
                      </div>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
