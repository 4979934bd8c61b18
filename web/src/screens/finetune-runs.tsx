import { get } from '../api/client';
import type { FinetuneRun } from '../api/types';
import { formatDate, formatNumber, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useLoad, usePoll } from '../ui/hooks';
import { Badge, Empty, ErrorBox, Link, Loading, PageHead } from '../ui/parts';

export function FinetuneRunsScreen(_: ScreenProps) {
  const runs = useLoad(() => get<FinetuneRun[]>('/api/finetune/runs'), []);
  usePoll(() => void runs.reload(), 3000, !!runs.data?.some((r) => r.status === 'queued' || r.status === 'running'));
  return (
    <section>
      <PageHead title={t('ft.title')} intro={t('ft.intro')}>
        <Link href="/finetune/new" class="button">
          {t('ft.new')}
        </Link>
      </PageHead>
      <ErrorBox error={runs.error} />
      <Loading when={runs.loading && !runs.data} />
      {runs.data && !runs.data.length && <Empty>{t('ft.none')}</Empty>}
      {runs.data && runs.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('ft.step.base')}</th>
                <th>{t('promote.dataset')}</th>
                <th>{t('doc.status')}</th>
                <th class="num">{t('ft.trainLoss')}</th>
                <th>{t('ft.result')}</th>
                <th>{t('prompts.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {runs.data.map((r) => (
                <tr key={r.id}>
                  <td>
                    <Link href={`/finetune/runs/${r.id}`}>{r.baseModel}</Link>
                  </td>
                  <td>
                    {r.dataset.name} v{r.dataset.version}
                  </td>
                  <td>
                    <Badge kind={r.status}>{t(`job.${r.status}`)}</Badge>
                    {r.progress && r.status === 'running' && (
                      <span class="small muted">
                        {' '}
                        {r.progress.step}/{r.progress.totalSteps}
                      </span>
                    )}
                  </td>
                  <td class="num">{r.progress ? formatNumber(r.progress.loss, 3) : '—'}</td>
                  <td>{r.artifacts.model ?? '—'}</td>
                  <td class="small">{formatDate(r.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
