import { useState } from 'preact/hooks';
import { get, post } from '../api/client';
import type { AskResult, DatasetSummary } from '../api/types';
import { t } from '../i18n/i18n';
import { Dialog } from '../ui/dialog';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorBox, Field } from '../ui/parts';
import { NewDatasetForm } from './new-dataset-form';

/** Keeps a good answer as a fine-tuning record (POST /api/datasets/:ref/records/from-answer). */
export function PromoteDialog({ question, result, onClose }: { question: string; result: AskResult; onClose: () => void }) {
  const datasets = useLoad(() => get<DatasetSummary[]>('/api/datasets'), []);
  const [ref, setRef] = useState('');
  const [answer, setAnswer] = useState(result.answer);
  const [done, setDone] = useState<{ version: number } | null>(null);
  const save = useAction(async () => {
    const change = await post<{ version: { version: number } }>(`/api/datasets/${encodeURIComponent(ref || datasets.data![0].name)}/records/from-answer`, {
      question,
      answer,
      citations: result.citations,
    });
    setDone({ version: change.version.version });
  });
  return (
    <Dialog title={t('ask.promote')} onClose={onClose}>
      <ErrorBox error={datasets.error ?? save.error} />
      {datasets.data && !done && (
        <details open={!datasets.data.length} class="small">
          <summary>{datasets.data.length ? t('promote.newDataset') : t('promote.noDataset')}</summary>
          <NewDatasetForm
            compact
            onCreated={async (d) => {
              await datasets.reload();
              setRef(d.name);
            }}
          />
        </details>
      )}
      {done ? (
        <p class="notice" role="status">
          {t('promote.saved', { version: done.version })}
        </p>
      ) : (
        datasets.data &&
        datasets.data.length > 0 && (
          <form
            onSubmit={(e) => {
              e.preventDefault();
              void save.run();
            }}
          >
            <Field label={t('promote.dataset')}>
              <select value={ref} onChange={(e) => setRef(e.currentTarget.value)}>
                {datasets.data.map((d) => (
                  <option key={d.id} value={d.name}>
                    {d.name} (v{d.latestVersion})
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('promote.question')}>
              <input value={question} readOnly />
            </Field>
            <Field label={t('promote.answer')} hint={t('promote.marksRemoved')}>
              <textarea rows={6} value={answer} onInput={(e) => setAnswer(e.currentTarget.value)} />
            </Field>
            <button type="submit" disabled={save.pending}>
              {t('promote.save')}
            </button>
          </form>
        )
      )}
    </Dialog>
  );
}
