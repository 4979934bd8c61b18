import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error';
import { get, upload } from '../api/client';
import type { DatasetSummary, ImportReport, RowReject } from '../api/types';
import { formatDate, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useLoad } from '../ui/hooks';
import { allowed } from '../ui/layout';
import { Empty, ErrorBox, Field, Link, Loading, PageHead, Progress } from '../ui/parts';
import { navigate } from '../router';
import { NewDatasetForm } from './new-dataset-form';

export function RejectsTable({ rejects }: { rejects: RowReject[] }) {
  if (!rejects.length) return null;
  return (
    <div class="table-wrap" style={{ maxHeight: '320px', overflowY: 'auto' }}>
      <table data-testid="rejects">
        <thead>
          <tr>
            <th class="num">{t('datasets.row')}</th>
            <th>{t('datasets.reason')}</th>
          </tr>
        </thead>
        <tbody>
          {rejects.map((r, i) => (
            <tr key={i}>
              <td class="num">
                {r.sheet ? `${r.sheet}!` : ''}
                {r.row}
              </td>
              <td>{r.reason}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReportView({ report }: { report: ImportReport }) {
  return (
    <div class="card" data-testid="import-report">
      <p class="notice" role="status">
        {t('datasets.imported', { name: report.dataset, version: report.version, imported: report.imported, rows: report.rows })}
      </p>
      <dl class="kv">
        <dt>{t('datasets.format')}</dt>
        <dd>{report.format}</dd>
        <dt>{t('datasets.rejected')}</dt>
        <dd>{report.rejected}</dd>
        <dt>{t('datasets.duplicates')}</dt>
        <dd>{t('datasets.duplicatesDetail', { exact: report.exactDuplicates, near: report.nearDuplicates })}</dd>
      </dl>
      {report.warnings.map((w, i) => (
        <p key={i} class="small muted">
          ⚠ {w}
        </p>
      ))}
      <RejectsTable rejects={report.rejects} />
      <Link href={`/datasets/${encodeURIComponent(report.dataset)}`} class="button secondary">
        {t('datasets.open')}
      </Link>
    </div>
  );
}

/** Curated Q&A datasets: the list and the import with its row-by-row report. */
export function DatasetsScreen({ me }: ScreenProps) {
  const list = useLoad(() => get<DatasetSummary[]>('/api/datasets'), []);
  const [file, setFile] = useState<File | null>(null);
  const [name, setName] = useState('');
  const [format, setFormat] = useState('');
  const [sent, setSent] = useState<number | null>(null);
  const [report, setReport] = useState<ImportReport | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    if (!file) return;
    setError(undefined);
    setReport(null);
    setSent(0);
    const form = new FormData();
    form.append('file', file, file.name);
    form.append('name', name || file.name.replace(/\.[^.]+$/, '').replace(/[^\p{L}\p{N}._-]/gu, '-'));
    if (format) form.append('format', format);
    try {
      setReport(await upload<ImportReport>('/api/datasets/import', form, setSent));
      await list.reload();
    } catch (err) {
      setError(err);
    } finally {
      setSent(null);
    }
  };
  const refused = error instanceof ApiError ? ((error.details as { rejects?: RowReject[] } | undefined)?.rejects ?? []) : [];
  return (
    <section>
      <PageHead title={t('datasets.title')} intro={t('datasets.intro')} />
      {allowed(me, 'editor') && (
        <form class="card" onSubmit={submit}>
          <h2 style={{ marginTop: 0 }}>{t('datasets.import')}</h2>
          <div class="row">
            <Field label={t('datasets.file')} hint={t('datasets.fileHint')}>
              <span class="row" style={{ alignItems: 'center' }}>
                <span class="button secondary">{t('upload.pickOne')}</span>
                <span class="small">{file?.name ?? t('datasets.noFile')}</span>
              </span>
              <input type="file" class="sr-only" accept=".json,.jsonl,.csv,.xlsx,.xls" data-testid="dataset-file" onChange={(e) => setFile(e.currentTarget.files?.[0] ?? null)} />
            </Field>
            <Field label={t('datasets.name')} hint={t('datasets.nameHint')}>
              <input value={name} list="dataset-names" maxLength={100} onInput={(e) => setName(e.currentTarget.value)} />
              <datalist id="dataset-names">
                {list.data?.map((d) => <option key={d.id} value={d.name} />)}
              </datalist>
            </Field>
            <Field label={t('datasets.format')}>
              <select value={format} onChange={(e) => setFormat(e.currentTarget.value)}>
                <option value="">{t('datasets.formatAuto')}</option>
                {['alpaca', 'sharegpt', 'csv', 'xlsx'].map((f) => (
                  <option key={f}>{f}</option>
                ))}
              </select>
            </Field>
            <div class="field">
              <button type="submit" disabled={!file || sent !== null}>
                {t('datasets.importButton')}
              </button>
            </div>
          </div>
          {sent !== null && <Progress value={sent * 100} />}
          <ErrorBox error={error} />
          <RejectsTable rejects={refused} />
        </form>
      )}
      {report && <ReportView report={report} />}
      {allowed(me, 'editor') && <NewDatasetForm onCreated={(d) => navigate(`/datasets/${encodeURIComponent(d.name)}`)} />}
      <ErrorBox error={list.error} />
      <Loading when={list.loading && !list.data} />
      {list.data && !list.data.length && <Empty>{t('datasets.none')}</Empty>}
      {list.data && list.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>{t('datasets.name')}</th>
                <th class="num">{t('datasets.latest')}</th>
                <th class="num">{t('datasets.records')}</th>
                <th>{t('prompts.updated')}</th>
              </tr>
            </thead>
            <tbody>
              {list.data.map((d) => (
                <tr key={d.id}>
                  <td>
                    <Link href={`/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                    {d.description && <div class="small muted">{d.description}</div>}
                  </td>
                  <td class="num">v{d.latestVersion}</td>
                  <td class="num">{d.recordCount ?? '—'}</td>
                  <td class="small">{formatDate(d.updatedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
