import { useEffect, useState } from 'preact/hooks';
import { api, get, post } from '../api/client';
import type { DocumentView, Draft, DraftingOutcome, JobView, KnowledgeBase } from '../api/types';
import { formatNumber, t } from '../i18n/i18n';
import { Dialog } from '../ui/dialog';
import { useAction, useLoad, usePoll } from '../ui/hooks';
import { Badge, ErrorBox, Field, Progress } from '../ui/parts';

const DRAFT_JOB = 'datasets.draft-qa';

/** The drafting job of this page, or one still running from before a reload (found by name). */
function useDraftJob(onDone: () => void) {
  const [jobId, setJobId] = useState<string | null>(null);
  const [job, setJob] = useState<JobView | null>(null);
  useEffect(() => {
    Promise.all(['running', 'queued'].map((status) => get<JobView[]>(`/api/jobs?name=${DRAFT_JOB}&status=${status}&limit=1`)))
      .then(([running, queued]) => {
        const found = running[0] ?? queued[0];
        if (found) setJobId(found.id);
      })
      .catch(() => undefined); // a viewer key may not read jobs: nothing to re-attach to
  }, []);
  const active = !!jobId && (!job || job.status === 'queued' || job.status === 'running');
  usePoll(
    async () => {
      try {
        const next = await get<JobView>(`/api/jobs/${jobId}`);
        setJob(next);
        if (next.status !== 'queued' && next.status !== 'running') onDone();
      } catch {
        // a failed poll is retried on the next tick
      }
    },
    1000,
    active,
  );
  return { job, active, start: (id: string) => (setJob(null), setJobId(id)) };
}

function EditDraft({ draft, onSave, onClose, error }: { draft: Draft; onSave: (d: { instruction: string; output: string }) => void; onClose: () => void; error: unknown }) {
  const [instruction, setInstruction] = useState(draft.instruction);
  const [output, setOutput] = useState(draft.output);
  return (
    <Dialog title={t('drafts.edit')} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          onSave({ instruction, output });
        }}
      >
        <Field label={t('records.instruction')}>
          <textarea rows={3} required value={instruction} onInput={(e) => setInstruction(e.currentTarget.value)} />
        </Field>
        <Field label={t('records.output')}>
          <textarea rows={6} required value={output} onInput={(e) => setOutput(e.currentTarget.value)} />
        </Field>
        <ErrorBox error={error} />
        <button type="submit">{t('common.save')}</button>
      </form>
    </Dialog>
  );
}

/**
 * Q&A drafted by a model from a document's chunks: start a drafting job, then review the pending
 * drafts (edit, approve into the next dataset version, reject). Needs a generative model.
 */
export function DatasetDrafts({ dataset, canWrite, onApproved }: { dataset: string; canWrite: boolean; onApproved: () => void }) {
  const base = `/api/datasets/${encodeURIComponent(dataset)}/drafts`;
  const drafts = useLoad(() => get<{ total: number; drafts: Draft[] }>(`${base}?status=pending&limit=200`), [dataset]);
  const kbs = useLoad(() => get<KnowledgeBase[]>('/api/knowledge-bases'), []);
  const [kb, setKb] = useState('');
  const docs = useLoad(() => (kb ? get<DocumentView[]>(`/api/knowledge-bases/${kb}/documents`) : Promise.resolve([])), [kb]);
  const [doc, setDoc] = useState('');
  const [maxChunks, setMaxChunks] = useState('20');
  const [perChunk, setPerChunk] = useState('2');
  const [selected, setSelected] = useState<string[]>([]);
  const [editing, setEditing] = useState<Draft | null>(null);
  const job = useDraftJob(() => void drafts.reload());
  const start = useAction(async () => {
    const res = await post<{ job: JobView }>(base, { documentId: doc, maxChunks: Number(maxChunks), perChunk: Number(perChunk) });
    job.start(res.job.id);
  });
  const decide = useAction(async (what: 'approve' | 'reject') => {
    await post(`${base}/${what}`, { ids: selected });
    setSelected([]);
    await drafts.reload();
    if (what === 'approve') onApproved();
  });
  const save = useAction(async (d: { instruction: string; output: string }) => {
    await api('PATCH', `${base}/${editing!.id}`, d);
    setEditing(null);
    await drafts.reload();
  });
  const outcome = job.job?.status === 'completed' ? (job.job.result as DraftingOutcome | null) : null;
  const pending = drafts.data?.drafts ?? [];
  const toggle = (id: string) => setSelected(selected.includes(id) ? selected.filter((s) => s !== id) : [...selected, id]);
  return (
    <div class="card" data-testid="drafts">
      <h2 style={{ marginTop: 0 }}>{t('drafts.title')}</h2>
      <p class="small muted">{t('drafts.intro')}</p>
      {canWrite && (
        <form
          class="row"
          onSubmit={(e) => {
            e.preventDefault();
            void start.run();
          }}
        >
          <Field label={t('nav.kb')}>
            <select value={kb} onChange={(e) => (setKb(e.currentTarget.value), setDoc(''))}>
              <option value="">—</option>
              {kbs.data?.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </select>
          </Field>
          <Field label={t('drafts.document')}>
            <select value={doc} onChange={(e) => setDoc(e.currentTarget.value)} disabled={!kb}>
              <option value="">—</option>
              {docs.data
                ?.filter((d) => d.status === 'ready')
                .map((d) => (
                  <option key={d.id} value={d.id}>
                    {d.filename}
                  </option>
                ))}
            </select>
          </Field>
          <Field label={t('drafts.maxChunks')}>
            <input type="number" min={1} max={200} value={maxChunks} onInput={(e) => setMaxChunks(e.currentTarget.value)} />
          </Field>
          <Field label={t('drafts.perChunk')}>
            <input type="number" min={1} max={5} value={perChunk} onInput={(e) => setPerChunk(e.currentTarget.value)} />
          </Field>
          <div class="field">
            <button type="submit" disabled={!doc || start.pending || job.active}>
              {t('drafts.start')}
            </button>
          </div>
        </form>
      )}
      <ErrorBox error={start.error ?? drafts.error ?? decide.error} />
      {job.active && (
        <div aria-live="polite">
          <Progress value={job.job?.progress ?? 0} label={t('drafts.running')} />
          <span class="small muted">{job.job?.progressMessage ?? t('drafts.running')}</span>
        </div>
      )}
      {job.job?.status === 'failed' && <p class="error">{job.job.error}</p>}
      {outcome && (
        <p class="notice" role="status">
          {t('drafts.outcome', { chunks: outcome.chunks, drafted: outcome.drafted, dropped: outcome.dropped.length })}
        </p>
      )}
      {pending.length > 0 && (
        <>
          <div class="table-wrap">
            <table>
              <thead>
                <tr>
                  <th />
                  <th>{t('records.instruction')}</th>
                  <th>{t('records.output')}</th>
                  <th class="num">{t('drafts.grounding')}</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {pending.map((d) => (
                  <tr key={d.id}>
                    <td>
                      <input type="checkbox" aria-label={t('drafts.select')} checked={selected.includes(d.id)} onChange={() => toggle(d.id)} />
                    </td>
                    <td style={{ whiteSpace: 'pre-wrap' }}>{d.instruction}</td>
                    <td style={{ whiteSpace: 'pre-wrap' }}>
                      {d.output}
                      <div class="small muted">{d.sources.map((s) => [s.title, s.page !== undefined ? t('chunk.pages', { p: s.page }) : ''].filter(Boolean).join(' · ')).join('; ')}</div>
                    </td>
                    <td class="num">
                      <Badge kind={d.grounding >= 0.8 ? 'ok' : 'default'}>{formatNumber(d.grounding * 100, 0)}%</Badge>
                    </td>
                    <td>
                      {canWrite && (
                        <button type="button" class="secondary small" onClick={() => setEditing(d)}>
                          {t('records.editButton')}
                        </button>
                      )}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {canWrite && (
            <div class="actions">
              <button type="button" class="secondary small" onClick={() => setSelected(selected.length === pending.length ? [] : pending.map((d) => d.id))}>
                {selected.length === pending.length ? t('drafts.selectNone') : t('drafts.selectAll')}
              </button>
              <button type="button" class="small" disabled={!selected.length || decide.pending} onClick={() => void decide.run('approve')}>
                {t('drafts.approve', { n: selected.length })}
              </button>
              <button type="button" class="danger small" disabled={!selected.length || decide.pending} onClick={() => void decide.run('reject')}>
                {t('drafts.reject', { n: selected.length })}
              </button>
            </div>
          )}
        </>
      )}
      {drafts.data && !pending.length && !job.active && <p class="muted small">{t('drafts.none')}</p>}
      {editing && <EditDraft draft={editing} error={save.error} onSave={(d) => void save.run(d)} onClose={() => (setEditing(null), save.clear())} />}
    </div>
  );
}
