import { useState } from 'preact/hooks';
import { post } from '../api/client';
import type { DatasetDetail } from '../api/types';
import { t } from '../i18n/i18n';
import { useAction } from '../ui/hooks';
import { ErrorBox, Field } from '../ui/parts';

/** Creates an empty dataset (POST /api/datasets, version 0), to fill by hand or with answers from Ask. */
export function NewDatasetForm({ onCreated, compact = false }: { onCreated: (d: DatasetDetail) => void | Promise<void>; compact?: boolean }) {
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useAction(async () => {
    const created = await post<DatasetDetail>('/api/datasets', { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) });
    setName('');
    setDescription('');
    await onCreated(created);
  });
  return (
    <form
      data-testid="new-dataset"
      class={compact ? undefined : 'card'}
      onSubmit={(e) => {
        e.preventDefault();
        e.stopPropagation();
        void create.run();
      }}
    >
      {!compact && <h2 style={{ marginTop: 0 }}>{t('datasets.new')}</h2>}
      <div class="row">
        <Field label={t('datasets.newName')} hint={t('datasets.newNameHint')}>
          <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
        </Field>
        {!compact && (
          <Field label={t('datasets.description')}>
            <input maxLength={2000} value={description} onInput={(e) => setDescription(e.currentTarget.value)} />
          </Field>
        )}
        <div class="field">
          <button type="submit" class={compact ? 'secondary' : undefined} disabled={create.pending || !name.trim()}>
            {t('datasets.newButton')}
          </button>
        </div>
      </div>
      <ErrorBox error={create.error} />
    </form>
  );
}
