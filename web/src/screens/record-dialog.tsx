import { useState } from 'preact/hooks';
import type { DatasetRecord } from '../api/types';
import { t } from '../i18n/i18n';
import { Dialog } from '../ui/dialog';
import { ErrorBox, Field } from '../ui/parts';

export type RecordFields = Pick<DatasetRecord, 'instruction' | 'output'> & { input: string; system: string; tags: string[] };

/** Edits (or adds) one record; every save makes a new dataset version on the server. */
export function RecordDialog({ record, onSave, onClose, error }: { record: DatasetRecord | null; onSave: (r: RecordFields) => void; onClose: () => void; error: unknown }) {
  const [r, setR] = useState<RecordFields>({
    instruction: record?.instruction ?? '',
    input: record?.input ?? '',
    output: record?.output ?? '',
    system: record?.system ?? '',
    tags: record?.tags ?? [],
  });
  return (
    <Dialog title={record ? t('records.edit') : t('records.add')} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave(r);
        }}
      >
        <Field label={t('records.instruction')}>
          <textarea rows={3} required value={r.instruction} onInput={(e) => setR({ ...r, instruction: e.currentTarget.value })} />
        </Field>
        <Field label={t('records.input')}>
          <textarea rows={2} value={r.input} onInput={(e) => setR({ ...r, input: e.currentTarget.value })} />
        </Field>
        <Field label={t('records.output')}>
          <textarea rows={6} required value={r.output} onInput={(e) => setR({ ...r, output: e.currentTarget.value })} />
        </Field>
        <Field label={t('records.system')}>
          <input value={r.system} onInput={(e) => setR({ ...r, system: e.currentTarget.value })} />
        </Field>
        <Field label={t('records.tags')} hint={t('records.tagsHint')}>
          <input
            value={r.tags.join(', ')}
            onInput={(e) =>
              setR({
                ...r,
                tags: e.currentTarget.value
                  .split(/[,，]/)
                  .map((x) => x.trim())
                  .filter(Boolean),
              })
            }
          />
        </Field>
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit">{t('common.save')}</button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
