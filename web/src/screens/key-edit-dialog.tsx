import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { ApiKeyView, KnowledgeBase, Role } from '../api/types';
import { t } from '../i18n/i18n';
import { Dialog } from '../ui/dialog';
import { useAction } from '../ui/hooks';
import { ErrorBox, Field } from '../ui/parts';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];

/** Changes an existing key's role and knowledge-base grants (PATCH /api/keys/:id); it holds from the key's next request. */
export function KeyEditDialog({ apiKey, kbs, onSaved, onClose }: { apiKey: ApiKeyView; kbs: KnowledgeBase[]; onSaved: () => void; onClose: () => void }) {
  const [role, setRole] = useState<Role>(apiKey.role);
  const [all, setAll] = useState(apiKey.knowledgeBases === 'all');
  const [grants, setGrants] = useState<string[]>(apiKey.knowledgeBases === 'all' ? [] : apiKey.knowledgeBases);
  const save = useAction(async () => {
    await api<ApiKeyView>('PATCH', `/api/keys/${apiKey.id}`, { role, knowledgeBaseIds: all ? null : grants });
    onSaved();
  });
  return (
    <Dialog title={t('access.editTitle', { name: apiKey.name })} onClose={onClose}>
      <form
        data-testid="key-edit"
        onSubmit={(e) => {
          e.preventDefault();
          void save.run();
        }}
      >
        <Field label={t('access.role')} hint={t(`access.roleHint.${role}`)}>
          <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`role.${r}`)}
              </option>
            ))}
          </select>
        </Field>
        <fieldset class="kb-picks">
          <legend class="field-label">{t('access.grants')}</legend>
          <label>
            <input type="checkbox" checked={all} onChange={() => setAll(!all)} />
            {t('access.grantAllBox')}
          </label>
          {!all &&
            kbs.map((kb) => (
              <label key={kb.id}>
                <input type="checkbox" checked={grants.includes(kb.id)} onChange={() => setGrants(grants.includes(kb.id) ? grants.filter((g) => g !== kb.id) : [...grants, kb.id])} />
                {kb.name}
              </label>
            ))}
          <span class="muted small">{all ? t('access.allKbs') : grants.length ? t('access.grantsSome', { n: grants.length }) : t('access.grantsNone')}</span>
        </fieldset>
        <p class="small muted">{t('access.editNote')}</p>
        <ErrorBox error={save.error} />
        <div class="actions">
          <button type="submit" disabled={save.pending}>
            {t('common.save')}
          </button>
          <button type="button" class="secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
