import { get } from '../api/client';
import type { PromptSummary } from '../api/types';
import { formatDate, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useLoad } from '../ui/hooks';
import { Badge, ErrorBox, Link, Loading, PageHead } from '../ui/parts';

export function PromptsScreen(_: ScreenProps) {
  const list = useLoad(() => get<PromptSummary[]>('/api/prompts'), []);
  return (
    <section>
      <PageHead title={t('prompts.title')} intro={t('prompts.intro')} />
      <ErrorBox error={list.error} />
      <Loading when={list.loading && !list.data} />
      {list.data && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('prompts.name')}</th>
                <th>{t('prompts.task')}</th>
                <th>{t('prompts.language')}</th>
                <th class="num">{t('prompts.active')}</th>
                <th class="num">{t('prompts.latest')}</th>
                <th>{t('prompts.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((p) => (
                <tr key={p.name}>
                  <td>
                    <Link href={`/prompts/${encodeURIComponent(p.name)}`}>{p.name}</Link> {p.shipped && <Badge kind="default">{t('prompts.shipped')}</Badge>}
                    <div class="small muted">{p.description}</div>
                  </td>
                  <td>{p.task}</td>
                  <td>{p.language}</td>
                  <td class="num">v{p.activeVersion}</td>
                  <td class="num">v{p.latestVersion}</td>
                  <td class="small">{formatDate(p.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
