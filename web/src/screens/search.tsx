import { useState } from 'preact/hooks';
import { post } from '../api/client';
import type { SearchResponse } from '../api/types';
import { t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { KbPicker } from '../ui/kb-picker';
import { ErrorBox, Field, Link, PageHead } from '../ui/parts';
import { whereLabel } from './document-view';

const MODES = ['hybrid', 'vector', 'lexical'] as const;
type Mode = (typeof MODES)[number];
type Outcome = { result?: SearchResponse; error?: unknown; ms?: number };

/** One query in the three retrieval modes side by side, with scores, for tuning. */
export function SearchScreen(_: ScreenProps) {
  const [query, setQuery] = useState('');
  const [kbs, setKbs] = useState<string[]>([]);
  const [k, setK] = useState('5');
  const [outcomes, setOutcomes] = useState<Partial<Record<Mode, Outcome>>>({});
  const [pending, setPending] = useState(false);
  const run = async (e: Event) => {
    e.preventDefault();
    setPending(true);
    const body = { query, k: Number(k), ...(kbs.length ? { knowledgeBases: kbs } : {}) };
    const results = await Promise.all(
      MODES.map(async (mode): Promise<[Mode, Outcome]> => {
        const started = performance.now();
        try {
          return [mode, { result: await post<SearchResponse>('/api/search', { ...body, mode }), ms: Math.round(performance.now() - started) }];
        } catch (error) {
          return [mode, { error }];
        }
      }),
    );
    setOutcomes(Object.fromEntries(results));
    setPending(false);
  };
  return (
    <section>
      <PageHead title={t('search.title')} intro={t('search.intro')} />
      <form class="card" onSubmit={run}>
        <KbPicker value={kbs} onChange={setKbs} />
        <div class="row">
          <Field label={t('search.query')}>
            <input required value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
          </Field>
          <Field label={t('search.k')}>
            <input type="number" min={1} max={50} value={k} onInput={(e) => setK(e.currentTarget.value)} style={{ maxWidth: '6rem' }} />
          </Field>
          <div class="field">
            <button type="submit" disabled={pending || !query.trim()}>
              {t('search.run')}
            </button>
          </div>
        </div>
      </form>
      <div class="cols-3">
        {MODES.map((mode) => {
          const o = outcomes[mode];
          return (
            <div key={mode} class="card" data-testid={`mode-${mode}`}>
              <h2 style={{ marginTop: 0 }}>
                {t(`search.mode.${mode}`)} {o?.ms !== undefined && <span class="muted small">{o.ms} ms</span>}
              </h2>
              <p class="small muted">{t(`search.modeHint.${mode}`)}</p>
              <ErrorBox error={o?.error} />
              {o?.result && !o.result.results.length && <p class="muted">{t('search.noHits')}</p>}
              {o?.result?.results.map((h, i) => (
                <div key={h.chunkId} class="hit">
                  <div class="small">
                    <span class="score">
                      #{i + 1} · {h.score.toFixed(4)}
                    </span>{' '}
                    <Link href={`/documents/${h.documentId}?chunk=${h.chunkId}`}>{h.documentName}</Link> <span class="muted">{whereLabel(h)}</span>
                  </div>
                  <div class="small">{h.text.length > 240 ? `${h.text.slice(0, 240)}…` : h.text}</div>
                </div>
              ))}
              {o?.result && <p class="small muted">{t('search.embedder', { e: o.result.embedder })}</p>}
            </div>
          );
        })}
      </div>
    </section>
  );
}
