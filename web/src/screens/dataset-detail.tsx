import { useState } from 'preact/hooks';
import { api, get, post, send } from '../api/client';
import type { DatasetDetail, DatasetRecord } from '../api/types';
import { formatDate, hasKey, t, type MessageKey } from '../i18n/i18n';
import { navigate } from '../router';
import type { ScreenProps } from '../routes';
import { useAction, useLoad } from '../ui/hooks';
import { allowed } from '../ui/layout';
import { Badge, ErrorBox, Field, Link, PageHead } from '../ui/parts';
import { DatasetDrafts } from './dataset-drafts';
import { RecordDialog, type RecordFields } from './record-dialog';

const PAGE = 50;

async function download(path: string, fallbackName: string): Promise<void> {
  const res = await send('GET', path);
  const name = /filename\*=UTF-8''([^;]+)/.exec(res.headers.get('content-disposition') ?? '')?.[1];
  const a = document.createElement('a');
  a.href = URL.createObjectURL(await res.blob());
  a.download = name ? decodeURIComponent(name) : fallbackName;
  a.click();
  URL.revokeObjectURL(a.href);
}

/** One dataset: its versions, its records (browse, edit, add, delete), split and export. */
export function DatasetDetailScreen({ params, me }: ScreenProps) {
  const ref = params.ref;
  const base = `/api/datasets/${encodeURIComponent(ref)}`;
  const detail = useLoad(() => get<DatasetDetail>(base), [ref]);
  const [version, setVersion] = useState<number | null>(null);
  const [split, setSplit] = useState('');
  const [offset, setOffset] = useState(0);
  const shown = version ?? detail.data?.latestVersion;
  const records = useLoad(
    () => (shown !== undefined ? get<{ version: number; total: number; records: DatasetRecord[] }>(`${base}/records?version=${shown}&offset=${offset}&limit=${PAGE}${split ? `&split=${split}` : ''}`) : Promise.resolve(undefined)),
    [ref, shown, split, offset],
  );
  const [editing, setEditing] = useState<DatasetRecord | 'new' | null>(null);
  const [ratio, setRatio] = useState('0.1');
  const [seed, setSeed] = useState('42');
  const latest = shown === detail.data?.latestVersion;
  const canWrite = allowed(me, 'editor') && latest;

  const afterChange = async () => {
    setVersion(null);
    await detail.reload();
    await records.reload();
  };
  const save = useAction(async (fields: RecordFields) => {
    const body = { ...fields, input: fields.input || undefined, system: fields.system || undefined };
    if (editing === 'new') await post(`${base}/records`, { records: [body] });
    else if (editing) await api('PATCH', `${base}/records/${editing.id}`, body);
    setEditing(null);
    await afterChange();
  });
  const act = useAction(async (what: 'delete' | 'split' | 'export' | 'drop', record?: DatasetRecord) => {
    if (what === 'drop') {
      if (!confirm(t('datasets.confirmDelete', { name: ref }))) return;
      await api('DELETE', base);
      return navigate('/datasets');
    }
    if (what === 'delete' && record) {
      if (!confirm(t('records.confirmDelete'))) return;
      await api('DELETE', `${base}/records/${record.id}`);
    } else if (what === 'split') {
      await post(`${base}/split`, { validationRatio: Number(ratio), seed: Number(seed) });
    } else if (what === 'export') {
      return download(`${base}/export?format=alpaca&lines=true&version=${shown}`, `${ref}-v${shown}.jsonl`);
    }
    await afterChange();
  });
  const d = detail.data;
  const page = records.data;
  return (
    <section>
      <p class="small">
        <Link href="/datasets">← {t('datasets.title')}</Link>
      </p>
      <PageHead title={ref} intro={d?.description || undefined}>
        <button type="button" class="secondary" onClick={() => void act.run('export')}>
          {t('records.export')}
        </button>
        {allowed(me, 'editor') && (
          <button type="button" class="danger" onClick={() => void act.run('drop')}>
            {t('datasets.delete')}
          </button>
        )}
      </PageHead>
      <ErrorBox error={detail.error ?? records.error ?? act.error} onClose={act.error ? act.clear : undefined} />
      {d && (
        <div class="split">
          <div>
            <h2>{t('datasets.versions')}</h2>
            <div class="table-wrap" style={{ maxHeight: '260px', overflowY: 'auto' }}>
              <table>
                <thead>
                  <tr>
                    <th>{t('prompts.version')}</th>
                    <th>{t('datasets.operation')}</th>
                    <th class="num">{t('datasets.records')}</th>
                    <th class="num">{t('datasets.trainVal')}</th>
                    <th>{t('prompts.updated')}</th>
                  </tr>
                </thead>
                <tbody>
                  {[...d.versions].reverse().map((v) => (
                    <tr key={v.version} style={v.version === shown ? { background: 'var(--accent-weak)' } : undefined}>
                      <td>
                        <button type="button" class="link" onClick={() => (setVersion(v.version), setOffset(0))}>
                          v{v.version}
                        </button>
                      </td>
                      <td>
                        {hasKey(`datasets.op.${v.operation}`) ? t(`datasets.op.${v.operation}` as MessageKey) : v.operation}
                        <div class="small muted">{v.note}</div>
                      </td>
                      <td class="num">{v.recordCount}</td>
                      <td class="num">
                        {v.trainCount} / {v.validationCount}
                      </td>
                      <td class="small">
                        {formatDate(v.createdAt)}{v.createdBy && ` · ${v.createdBy}`}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          {allowed(me, 'editor') && (
            <form
              class="card"
              onSubmit={(e) => {
                e.preventDefault();
                void act.run('split');
              }}
            >
              <h2 style={{ marginTop: 0 }}>{t('datasets.split')}</h2>
              <p class="small muted">{t('datasets.splitHint')}</p>
              <div class="row">
                <Field label={t('datasets.ratio')}>
                  <input type="number" min={0.01} max={0.9} step={0.01} value={ratio} onInput={(e) => setRatio(e.currentTarget.value)} />
                </Field>
                <Field label={t('datasets.seed')}>
                  <input type="number" min={0} value={seed} onInput={(e) => setSeed(e.currentTarget.value)} />
                </Field>
                <div class="field">
                  <button type="submit">{t('datasets.splitButton')}</button>
                </div>
              </div>
            </form>
          )}
        </div>
      )}
      <h2>
        {t('datasets.recordsOf', { v: shown ?? '…' })} {!latest && <Badge kind="default">{t('datasets.readOnlyOld')}</Badge>}
      </h2>
      <div class="row" style={{ alignItems: 'center', marginBottom: '.5rem' }}>
        <select aria-label={t('datasets.splitFilter')} value={split} onChange={(e) => (setSplit(e.currentTarget.value), setOffset(0))} style={{ width: 'auto' }}>
          <option value="">{t('common.all')}</option>
          <option value="train">{t('datasets.splitName.train')}</option>
          <option value="validation">{t('datasets.splitName.validation')}</option>
        </select>
        {page && <span class="muted small">{t('datasets.showing', { from: page.total ? offset + 1 : 0, to: offset + page.records.length, total: page.total })}</span>}
        {canWrite && (
          <button type="button" class="secondary small" onClick={() => setEditing('new')}>
            {t('records.add')}
          </button>
        )}
      </div>
      {page && (
        <div class="table-wrap">
          <table data-testid="records">
            <thead>
              <tr>
                <th>{t('records.instruction')}</th>
                <th>{t('records.output')}</th>
                <th>{t('records.split')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {page.records.map((r) => (
                <tr key={r.id}>
                  <td style={{ whiteSpace: 'pre-wrap' }}>{r.instruction}</td>
                  <td style={{ whiteSpace: 'pre-wrap' }}>{r.output.length > 300 ? `${r.output.slice(0, 300)}…` : r.output}</td>
                  <td>{r.split ? t(`datasets.splitName.${r.split}`) : '—'}</td>
                  <td>
                    {canWrite && (
                      <div class="actions">
                        <button type="button" class="secondary small" onClick={() => setEditing(r)}>
                          {t('records.editButton')}
                        </button>
                        <button type="button" class="danger small" onClick={() => void act.run('delete', r)}>
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
      {page && (
        <div class="actions">
          <button type="button" class="secondary small" disabled={offset === 0} onClick={() => setOffset(Math.max(0, offset - PAGE))}>
            {t('common.back')}
          </button>
          <button type="button" class="secondary small" disabled={offset + PAGE >= page.total} onClick={() => setOffset(offset + PAGE)}>
            {t('common.next')}
          </button>
        </div>
      )}
      {d && <DatasetDrafts dataset={ref} canWrite={allowed(me, 'editor')} onApproved={() => void afterChange()} />}
      {editing && (
        <RecordDialog
          record={editing === 'new' ? null : editing}
          error={save.error}
          onSave={(f) => void save.run(f)}
          onClose={() => (setEditing(null), save.clear())}
        />
      )}
    </section>
  );
}
