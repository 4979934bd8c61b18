import { useEffect, useState } from 'preact/hooks';
import { ApiError } from '../api/api-error';
import { post } from '../api/client';
import type { Prompt, RenderedPrompt, VariableSpec } from '../api/types';
import { t } from '../i18n/i18n';
import { ErrorBox, Field } from '../ui/parts';

/** A value to start the preview with, so a template renders before anyone types. */
function sample(name: string, spec: VariableSpec): string {
  if (spec.default !== undefined) return typeof spec.default === 'string' ? spec.default : JSON.stringify(spec.default);
  if (spec.type === 'chunks') return JSON.stringify([{ text: t('prompts.sampleChunk'), source: 'handbook.pdf', page: 1 }]);
  if (spec.type === 'messages') return '[]';
  if (spec.type === 'enum') return spec.values?.[0] ?? '';
  if (spec.type === 'number') return String(spec.min ?? 1);
  if (spec.type === 'boolean') return 'true';
  return name === 'question' ? t('prompts.sampleQuestion') : t('prompts.sampleText');
}

function parse(spec: VariableSpec, raw: string): unknown {
  if (spec.type === 'number') return Number(raw);
  if (spec.type === 'boolean') return raw === 'true';
  if (spec.type === 'chunks' || spec.type === 'messages') return JSON.parse(raw);
  return raw;
}

type Specs = Record<string, VariableSpec>;

/**
 * After a preview of an edited source: the panel follows the variables that source declares (the
 * answer lists them), or, when it did not render, drops the ones it called unknown and offers the
 * missing ones as text fields.
 */
function followSpecs(specs: Specs, error: unknown): Specs | null {
  const problems = error instanceof ApiError ? (error.details as { variables?: Array<{ variable: string; problem: string }> } | undefined)?.variables : undefined;
  if (!problems) return null;
  const next = { ...specs };
  let changed = false;
  for (const { variable, problem } of problems) {
    if (problem.startsWith('unknown variable') && variable in next) {
      delete next[variable];
      changed = true;
    } else if (problem.startsWith('missing') && !(variable in next)) {
      next[variable] = { type: 'string', required: true };
      changed = true;
    }
  }
  return changed ? next : null;
}

const sameSpecs = (a: Specs, b: Specs) => JSON.stringify(a) === JSON.stringify(b);

/**
 * The variables panel and the rendered messages, re-rendered (debounced) as values change. With
 * `source` (an editor's unsaved text) it previews that text (POST /api/prompts/preview); without, the
 * saved version.
 */
export function PromptPreview({ prompt, source }: { prompt: Prompt; source: string | null }) {
  const [specs, setSpecs] = useState<Specs>(prompt.variables);
  const names = Object.keys(specs);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(Object.entries(prompt.variables).map(([n, spec]) => [n, sample(n, spec)])));
  const [rendered, setRendered] = useState<RenderedPrompt | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const adopt = (next: Specs) => {
    setSpecs(next);
    setValues((old) => Object.fromEntries(Object.entries(next).map(([n, spec]) => [n, old[n] ?? sample(n, spec)])));
  };
  // Back to the saved version's variables when the edit is discarded or saved.
  useEffect(() => {
    if (source === null && !sameSpecs(specs, prompt.variables)) adopt(prompt.variables);
  }, [source === null]);
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        const variables = Object.fromEntries(names.map((n) => [n, parse(specs[n], values[n] ?? '')]));
        if (source === null) {
          setRendered(await post<RenderedPrompt>(`/api/prompts/${encodeURIComponent(prompt.name)}/render`, { variables, version: prompt.version }));
        } else {
          const previewed = await post<RenderedPrompt & { variables: Specs }>('/api/prompts/preview', { source, variables });
          setRendered(previewed);
          if (!sameSpecs(previewed.variables, specs)) adopt(previewed.variables);
        }
        setError(undefined);
      } catch (e) {
        const next = source === null ? null : followSpecs(specs, e);
        if (next) adopt(next);
        setError(e instanceof SyntaxError ? new Error(t('prompts.badJson')) : e);
      }
    }, 400);
    return () => clearTimeout(timer);
  }, [values, specs, source, prompt.name, prompt.version]);
  return (
    <div class="split">
      <div>
        <h2>{t('prompts.variables')}</h2>
        {names.map((n) => {
          const spec = specs[n];
          const set = (v: string) => setValues({ ...values, [n]: v });
          return (
            <Field key={n} label={`${n} · ${spec.type}${spec.required ? ` · ${t('prompts.required')}` : ''}`} hint={spec.description}>
              {spec.type === 'enum' ? (
                <select value={values[n]} onChange={(e) => set(e.currentTarget.value)}>
                  {spec.values?.map((v) => <option key={v}>{v}</option>)}
                </select>
              ) : spec.type === 'boolean' ? (
                <select value={values[n]} onChange={(e) => set(e.currentTarget.value)}>
                  <option value="true">true</option>
                  <option value="false">false</option>
                </select>
              ) : (
                <textarea class={spec.type === 'chunks' || spec.type === 'messages' ? 'code' : ''} rows={spec.type === 'string' ? 2 : 4} value={values[n] ?? ''} onInput={(e) => set(e.currentTarget.value)} />
              )}
            </Field>
          );
        })}
      </div>
      <div aria-live="polite">
        <h2>
          {t(source === null ? 'prompts.preview' : 'prompts.previewEdited')} {rendered?.tokens !== undefined && <span class="muted small">≈ {rendered.tokens} tokens</span>}
        </h2>
        <ErrorBox error={error} />
        {rendered?.messages.map((m, i) => (
          <div key={i} class="stack" style={{ marginBottom: '.75rem' }}>
            <strong class="small">{m.role}</strong>
            <pre data-testid="preview">{m.content}</pre>
          </div>
        ))}
      </div>
    </div>
  );
}
