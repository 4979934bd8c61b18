import { useEffect, useState } from 'preact/hooks';
import { navigate } from '../router';
import { api, get, post } from '../api/client';
import type { Prompt, PromptDiff, PromptVersion } from '../api/types';
import { formatDate, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { useAction, useLoad } from '../ui/hooks';
import { allowed } from '../ui/layout';
import { Badge, ErrorBox, Link, PageHead } from '../ui/parts';
import { PromptPreview } from './prompt-preview';

/** Unchanged runs longer than this are folded to their first and last lines, as in a unified diff. */
const CONTEXT = 3;

function DiffView({ diff }: { diff: PromptDiff }) {
  const rows: Array<PromptDiff['lines'][number] | { fold: number }> = [];
  const near = (i: number) => diff.lines.slice(Math.max(0, i - CONTEXT), i + CONTEXT + 1).some((l) => l.op !== ' ');
  let folded = 0;
  diff.lines.forEach((l, i) => {
    if (l.op === ' ' && !near(i)) {
      folded++;
      return;
    }
    if (folded) rows.push({ fold: folded });
    folded = 0;
    rows.push(l);
  });
  if (folded) rows.push({ fold: folded });
  return (
    <div class="diff" data-testid="diff">
      {rows.map((l, i) =>
        'fold' in l ? (
          <div key={i} class="muted">
            ⋯ {t('prompts.unchanged', { n: l.fold })}
          </div>
        ) : (
          <div key={i} class={l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}>
            {l.op} {l.text}
          </div>
        ),
      )}
    </div>
  );
}

/** One template: its source editor (each save is a new version), variables and preview, versions and diff. */
export function PromptEditorScreen({ params, me }: ScreenProps) {
  const name = params.name;
  const prompt = useLoad(() => get<Prompt>(`/api/prompts/${encodeURIComponent(name)}`), [name]);
  const versions = useLoad(() => get<PromptVersion[]>(`/api/prompts/${encodeURIComponent(name)}/versions`), [name]);
  const [source, setSource] = useState('');
  const [tab, setTab] = useState<'edit' | 'versions'>('edit');
  const [range, setRange] = useState<{ from: number; to: number } | null>(null);
  const [notice, setNotice] = useState('');
  useEffect(() => prompt.data && setSource(prompt.data.source), [prompt.data?.version]);
  const diff = useLoad(() => (range ? get<PromptDiff>(`/api/prompts/${encodeURIComponent(name)}/diff?from=${range.from}&to=${range.to}`) : Promise.resolve(undefined)), [name, range?.from, range?.to]);
  const base = `/api/prompts/${encodeURIComponent(name)}`;
  const change = useAction(async (what: 'save' | 'rollback' | 'activate', version?: number) => {
    const updated =
      what === 'save' ? await api<Prompt>('PUT', base, { source }) : what === 'rollback' ? await post<Prompt>(`${base}/rollback`) : await post<Prompt>(`${base}/activate`, { version });
    prompt.setData(updated);
    setSource(updated.source);
    setNotice(t(what === 'save' ? 'prompts.saved' : 'prompts.activated', { v: updated.activeVersion }));
    await versions.reload();
  });
  const copy = useAction(async () => {
    const from = prompt.data!;
    const newName = window.prompt(t('prompts.copyName'), `${from.name}-copy`)?.trim();
    if (!newName) return;
    const { task, language, description, variables, parameters, body } = from;
    await post<Prompt>('/api/prompts', { name: newName, task, language, description, variables, parameters, body });
    navigate(`/prompts/${encodeURIComponent(newName)}`);
  });
  const remove = useAction(async () => {
    if (!confirm(t('prompts.confirmDelete', { name }))) return;
    await api('DELETE', base);
    navigate('/prompts');
  });
  const canWrite = allowed(me, 'editor');
  const p = prompt.data;
  const dirty = !!p && source !== p.source;
  return (
    <section>
      <p class="small">
        <Link href="/prompts">← {t('prompts.title')}</Link>
      </p>
      <PageHead title={name} intro={p?.description}>
        {p && (
          <span data-testid="active-version">
            <Badge kind="active">{t('prompts.activeIs', { v: p.activeVersion })}</Badge>
          </span>
        )}
        {canWrite && p && (
          <button type="button" class="secondary" onClick={() => void copy.run()}>
            {t('prompts.copy')}
          </button>
        )}
        {canWrite && p && !p.shipped && (
          <button type="button" class="danger" onClick={() => void remove.run()}>
            {t('common.delete')}
          </button>
        )}
        {canWrite && p && p.activeVersion > 1 && (
          <button type="button" class="secondary" onClick={() => void change.run('rollback')}>
            {t('prompts.rollback', { v: p.activeVersion - 1 })}
          </button>
        )}
      </PageHead>
      <ErrorBox error={prompt.error ?? versions.error ?? change.error ?? copy.error ?? remove.error} onClose={change.error ? change.clear : undefined} />
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={tab === 'edit'} onClick={() => setTab('edit')}>
          {t('prompts.tabEdit')}
        </button>
        <button type="button" role="tab" aria-selected={tab === 'versions'} onClick={() => setTab('versions')}>
          {t('prompts.tabVersions', { n: versions.data?.length ?? 0 })}
        </button>
      </div>
      {p && tab === 'edit' && (
        <>
          <div class="field">
            <label class="field-label" for="prompt-source">
              {t('prompts.source')}
            </label>
            <textarea id="prompt-source" class="code" rows={18} value={source} readOnly={!canWrite} onInput={(e) => setSource(e.currentTarget.value)} spellcheck={false} />
            <small class="muted">{t('prompts.sourceHint')}</small>
          </div>
          {canWrite && (
            <div class="actions">
              <button type="button" disabled={!dirty || change.pending} onClick={() => void change.run('save')}>
                {t('prompts.saveVersion')}
              </button>
              <button type="button" class="secondary" disabled={!dirty} onClick={() => setSource(p.source)}>
                {t('prompts.discard')}
              </button>
            </div>
          )}
          <PromptPreview key={`${p.name}@${p.version}`} prompt={p} source={dirty && canWrite ? source : null} />
        </>
      )}
      {tab === 'versions' && versions.data && (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th>{t('prompts.version')}</th>
                  <th>{t('prompts.origin')}</th>
                  <th>{t('prompts.by')}</th>
                  <th>{t('prompts.updated')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {[...versions.data].reverse().map((v) => (
                  <tr key={v.version}>
                    <td>
                      v{v.version} {v.active && <Badge kind="active">{t('prompts.activeBadge')}</Badge>}
                    </td>
                    <td>{t(`prompts.origin.${v.origin}`)}</td>
                    <td>{v.createdBy}</td>
                    <td class="small">{formatDate(v.createdAt)}</td>
                    <td>
                      <div class="actions">
                        {v.version > 1 && (
                          <button type="button" class="secondary small" onClick={() => setRange({ from: v.version - 1, to: v.version })}>
                            {t('prompts.diffPrev')}
                          </button>
                        )}
                        {!v.active && p && (
                          <button type="button" class="secondary small" onClick={() => setRange({ from: p.activeVersion, to: v.version })}>
                            {t('prompts.diffActive')}
                          </button>
                        )}
                        {canWrite && !v.active && (
                          <button type="button" class="small" onClick={() => void change.run('activate', v.version)}>
                            {t('prompts.activate')}
                          </button>
                        )}
                      </div>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <ErrorBox error={diff.error} />
          {diff.data && (
            <>
              <h2>{t('prompts.diffTitle', { from: diff.data.from, to: diff.data.to, added: diff.data.added, removed: diff.data.removed })}</h2>
              <DiffView diff={diff.data} />
            </>
          )}
        </>
      )}
    </section>
  );
}
