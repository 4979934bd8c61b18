import { get } from '../api/client';
import type { KnowledgeBase } from '../api/types';
import { t } from '../i18n/i18n';
import { useLoad } from './hooks';
import { ErrorBox } from './parts';

/** Checkboxes for the knowledge bases to use; none ticked means every one the key may read. */
export function KbPicker({ value, onChange }: { value: string[]; onChange: (ids: string[]) => void }) {
  const kbs = useLoad(() => get<KnowledgeBase[]>('/api/knowledge-bases'), []);
  const toggle = (id: string) => onChange(value.includes(id) ? value.filter((v) => v !== id) : [...value, id]);
  return (
    <fieldset class="kb-picks">
      <legend class="field-label">{t('picker.kbs')}</legend>
      <ErrorBox error={kbs.error} />
      {kbs.data?.map((kb) => (
        <label key={kb.id}>
          <input type="checkbox" checked={value.includes(kb.id)} onChange={() => toggle(kb.id)} />
          {kb.name}
        </label>
      ))}
      {!value.length && <span class="muted small">{t('picker.allKbs')}</span>}
    </fieldset>
  );
}
