import { useState } from 'preact/hooks';
import { api, get, post } from '../api/client';
import type { ApiKeyView, KnowledgeBase, Role } from '../api/types';
import { formatDate, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useAction, useLoad } from '../ui/hooks';
import { Badge, copyText, ErrorBox, Field, PageHead } from '../ui/parts';
import { AuditLog } from './audit-log';
import { KeyEditDialog } from './key-edit-dialog';

const ROLES: Role[] = ['viewer', 'editor', 'admin'];

/** API keys with their roles and knowledge-base grants, and the audit log of who did what. */
export function AccessScreen({ me }: ScreenProps) {
  const [showRevoked, setShowRevoked] = useState(false);
  const keys = useLoad(() => get<ApiKeyView[]>(`/api/keys${showRevoked ? '?includeRevoked=true' : ''}`), [showRevoked]);
  const kbs = useLoad(() => get<KnowledgeBase[]>('/api/knowledge-bases'), []);
  const kbName = new Map((kbs.data ?? []).map((k) => [k.id, k.name]));
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [grants, setGrants] = useState<string[]>([]);
  const [created, setCreated] = useState<(ApiKeyView & { key: string }) | null>(null);
  const [copied, setCopied] = useState(false);
  const [editing, setEditing] = useState<ApiKeyView | null>(null);
  const create = useAction(async () => {
    setCreated(await post<ApiKeyView & { key: string }>('/api/keys', { name, role, ...(grants.length ? { knowledgeBaseIds: grants } : {}) }));
    setName('');
    setGrants([]);
    await keys.reload();
  });
  const revoke = useAction(async (k: ApiKeyView) => {
    if (!confirm(t('access.confirmRevoke', { name: k.name }))) return;
    await api('DELETE', `/api/keys/${k.id}`);
    await keys.reload();
  });
  return (
    <section>
      <PageHead title={t('access.title')} intro={t('access.intro')} />
      <form
        class="card"
        onSubmit={(e) => {
          e.preventDefault();
          void create.run();
        }}
      >
        <h2 style={{ marginTop: 0 }}>{t('access.create')}</h2>
        <div class="row">
          <Field label={t('access.name')}>
            <input required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} placeholder={t('access.namePlaceholder')} />
          </Field>
          <Field label={t('access.role')} hint={t(`access.roleHint.${role}`)}>
            <select value={role} onChange={(e) => setRole(e.currentTarget.value as Role)}>
              {ROLES.map((r) => (
                <option key={r} value={r}>
                  {t(`role.${r}`)}
                </option>
              ))}
            </select>
          </Field>
        </div>
        <fieldset class="kb-picks">
          <legend class="field-label">{t('access.grants')}</legend>
          {kbs.data?.map((kb) => (
            <label key={kb.id}>
              <input type="checkbox" checked={grants.includes(kb.id)} onChange={() => setGrants(grants.includes(kb.id) ? grants.filter((g) => g !== kb.id) : [...grants, kb.id])} />
              {kb.name}
            </label>
          ))}
          <span class="muted small">{grants.length ? t('access.grantsSome', { n: grants.length }) : t('access.grantsAll')}</span>
        </fieldset>
        <ErrorBox error={create.error} />
        <button type="submit" disabled={create.pending || !name.trim()}>
          {t('access.createButton')}
        </button>
        {created && (
          <div class="notice" role="status">
            <p>{t('access.created', { name: created.name })}</p>
            <pre data-testid="new-key">{created.key}</pre>
            <button
              type="button"
              class="secondary small"
              onClick={async () => {
                setCopied(await copyText(created.key));
                setTimeout(() => setCopied(false), 1500);
              }}
            >
              {copied ? t('common.copied') : t('common.copy')}
            </button>
          </div>
        )}
      </form>
      <ErrorBox error={keys.error ?? revoke.error} onClose={revoke.error ? revoke.clear : undefined} />
      <label class="small">
        <input type="checkbox" checked={showRevoked} onChange={() => setShowRevoked(!showRevoked)} /> {t('access.showRevoked')}
      </label>
      {keys.data && (
        <div class="table-wrap">
          <table data-testid="keys">
            <thead>
              <tr>
                <th>{t('access.name')}</th>
                <th>{t('access.role')}</th>
                <th>{t('access.grants')}</th>
                <th>{t('access.lastUsed')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {keys.data.map((k) => (
                <tr key={k.id}>
                  <td>
                    {k.name} {k.id === me.keyId && <Badge kind="active">{t('access.you')}</Badge>}
                    <div class="small muted mono">
                      {k.prefix}… · {formatDate(k.createdAt)}
                    </div>
                  </td>
                  <td>{t(`role.${k.role}`)}</td>
                  <td class="small">{k.knowledgeBases === 'all' ? t('access.allKbs') : k.knowledgeBases.map((id) => kbName.get(id) ?? id.slice(0, 8)).join('、')}</td>
                  <td class="small">{k.revokedAt ? <Badge kind="bad">{t('access.revoked')}</Badge> : k.lastUsedAt ? formatDate(k.lastUsedAt) : '—'}</td>
                  <td>
                    {!k.revokedAt && (
                      <div class="actions">
                        <button type="button" class="secondary small" onClick={() => setEditing(k)}>
                          {t('access.edit')}
                        </button>
                        <button type="button" class="danger small" onClick={() => void revoke.run(k)}>
                          {t('access.revoke')}
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
      {editing && (
        <KeyEditDialog
          apiKey={editing}
          kbs={kbs.data ?? []}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null);
            void keys.reload();
          }}
        />
      )}
      <AuditLog keys={keys.data ?? []} />
    </section>
  );
}
