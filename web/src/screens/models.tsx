import { useState } from 'preact/hooks';
import { api, get, post } from '../api/client';
import type { JobView, ModelView } from '../api/types';
import { formatBytes, formatDate, formatNumber, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useAction, useLoad, usePoll } from '../ui/hooks';
import { Badge, copyText, Empty, ErrorBox, Loading, PageHead, Progress } from '../ui/parts';
import { ModelImportForm } from './model-import';
import { MeasureDialog } from './model-measure-dialog';

function ImportProgress({ jobId }: { jobId: string }) {
  const job = useLoad(() => get<JobView>(`/api/jobs/${jobId}`), [jobId]);
  usePoll(() => void job.reload(), 1000, !job.data || job.data.status === 'queued' || job.data.status === 'running');
  if (!job.data) return null;
  return (
    <div>
      <Progress value={job.data.progress} />
      <span class="small muted">{job.data.progressMessage ?? t(`job.${job.data.status}`)}</span>
    </div>
  );
}

function OpenAiEndpoint({ model }: { model: string }) {
  const base = `${location.origin}/v1`;
  const curl = `curl ${base}/chat/completions \\
  -H "Authorization: Bearer $ZHIKU_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model": "${model}", "messages": [{"role": "user", "content": "你好"}], "stream": false}'`;
  const [copied, setCopied] = useState(false);
  return (
    <div class="card">
      <h2 style={{ marginTop: 0 }}>{t('models.endpoint')}</h2>
      <p class="muted">{t('models.endpointIntro')}</p>
      <dl class="kv">
        <dt>base_url</dt>
        <dd>
          <code>{base}</code>
        </dd>
        <dt>model</dt>
        <dd>
          <code>{model}</code>
        </dd>
      </dl>
      <pre data-testid="curl" style={{ marginTop: '.75rem' }}>
        {curl}
      </pre>
      <button
        type="button"
        class="secondary small"
        style={{ marginTop: '.5rem' }}
        onClick={async () => {
          setCopied(await copyText(curl));
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        {copied ? t('common.copied') : t('models.copyCurl')}
      </button>
    </div>
  );
}

/** The model registry: versions with lineage and size, import with a bit width, default, the /v1 endpoint. */
export function ModelsScreen(_: ScreenProps) {
  const models = useLoad(() => get<ModelView[]>('/api/models'), []);
  // An import runs as a job on the server; polling the list picks it up again after a reload.
  usePoll(() => void models.reload(), 1500, !!models.data?.some((m) => m.status === 'importing'));
  const act = useAction(async (what: 'default' | 'delete', m: ModelView) => {
    if (what === 'delete' && !confirm(t('models.confirmDelete', { ref: m.ref }))) return;
    if (what === 'default') await post(`/api/models/${m.id}/default`);
    else await api('DELETE', `/api/models/${m.id}`);
    await models.reload();
  });
  const [measuring, setMeasuring] = useState<ModelView | null>(null);
  const list = models.data ?? [];
  const byId = new Map(list.map((m) => [m.id, m]));
  const def = list.find((m) => m.isDefault);
  return (
    <section>
      <PageHead title={t('models.title')} intro={t('models.intro')} />
      <ErrorBox error={models.error ?? act.error} onClose={act.error ? act.clear : undefined} />
      <Loading when={models.loading && !models.data} />
      {models.data && !list.length && <Empty>{t('models.none')}</Empty>}
      {list.length > 0 && (
        <div class="table-wrap">
          <table data-testid="models">
            <thead>
              <tr>
                <th>{t('models.model')}</th>
                <th>{t('doc.status')}</th>
                <th>{t('models.arch')}</th>
                <th class="num">{t('models.bits')}</th>
                <th class="num">{t('doc.size')}</th>
                <th class="num">{t('models.speed')}</th>
                <th class="num">{t('models.perplexity')}</th>
                <th>{t('models.lineage')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.map((m) => (
                <tr key={m.id} data-ref={m.ref} data-status={m.status}>
                  <td>
                    <strong>{m.ref}</strong> {m.isDefault && <Badge kind="default">{t('models.default')}</Badge>}
                    <div class="small muted">
                      {m.provider === 'onnx' ? 'ONNX' : m.baseUrl} · {formatDate(m.createdAt)}
                    </div>
                  </td>
                  <td style={{ minWidth: '150px' }}>
                    <Badge kind={m.status}>{t(`models.status.${m.status}`)}</Badge>
                    {m.status === 'importing' && m.jobId && <ImportProgress jobId={m.jobId} />}
                    {m.status === 'failed' && <p class="small" style={{ color: 'var(--bad)' }}>{m.error}</p>}
                  </td>
                  <td>{m.architecture ?? '—'}</td>
                  <td class="num">{m.bits ? `INT${m.bits}${m.group ? ` / g${m.group}` : ''}` : '—'}</td>
                  <td class="num">{m.sizeBytes ? formatBytes(m.sizeBytes) : '—'}</td>
                  <td class="num" data-testid="speed">
                    {m.measured.decodeTokensPerS === null ? (
                      '—'
                    ) : (
                      <span title={t('models.speedDetail', { prefill: m.measured.prefillTokensPerS ?? '—', rss: Math.round(m.measured.peakRssMb ?? 0), threads: m.measured.threads ?? '—' })}>
                        {t('models.tokPerS', { n: formatNumber(m.measured.decodeTokensPerS, 1) })}
                        <div class="small muted">{t('models.prefill', { n: formatNumber(m.measured.prefillTokensPerS ?? 0) })}</div>
                      </span>
                    )}
                  </td>
                  <td class="num" data-testid="ppl">
                    {m.measured.perplexity === null ? (
                      '—'
                    ) : (
                      <span title={t('models.pplDetail', { n: m.measured.perplexityTokens ?? 0 })}>{m.measured.perplexity.toFixed(2)}</span>
                    )}
                  </td>
                  <td class="small">
                    {m.lineage.baseModel && <div>{t('models.base', { base: m.lineage.baseModel })}</div>}
                    {m.lineage.parentModelId && <div>{t('models.parent', { parent: byId.get(m.lineage.parentModelId)?.ref ?? m.lineage.parentModelId.slice(0, 8) })}</div>}
                    {m.lineage.datasetVersion && <div>{t('models.dataset', { dataset: m.lineage.datasetVersion })}</div>}
                  </td>
                  <td>
                    <div class="actions">
                      {!m.isDefault && m.status === 'ready' && (
                        <button type="button" class="small" onClick={() => void act.run('default', m)}>
                          {t('models.makeDefault')}
                        </button>
                      )}
                      {m.provider === 'onnx' && m.status === 'ready' && (
                        <button type="button" class="secondary small" onClick={() => setMeasuring(m)}>
                          {t('models.measure')}
                        </button>
                      )}
                      <button type="button" class="danger small" onClick={() => void act.run('delete', m)}>
                        {t('common.delete')}
                      </button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {measuring && (
        <MeasureDialog
          model={measuring}
          onClose={() => setMeasuring(null)}
          onDone={(m) => {
            setMeasuring(null);
            models.setData(list.map((x) => (x.id === m.id ? m : x)));
          }}
        />
      )}
      <OpenAiEndpoint model={def?.name ?? list[0]?.name ?? 'MODEL'} />
      <ModelImportForm onStarted={() => void models.reload()} />
    </section>
  );
}

