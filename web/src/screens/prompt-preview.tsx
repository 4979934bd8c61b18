import { useEffect, useState } from 'preact/hooks';
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

/** The variables panel and the rendered messages of one version, re-rendered as values change. */
export function PromptPreview({ prompt }: { prompt: Prompt }) {
  const names = Object.keys(prompt.variables);
  const [values, setValues] = useState<Record<string, string>>(() => Object.fromEntries(names.map((n) => [n, sample(n, prompt.variables[n])])));
  const [rendered, setRendered] = useState<RenderedPrompt | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  useEffect(() => {
    const timer = setTimeout(async () => {
      try {
        const variables = Object.fromEntries(names.map((n) => [n, parse(prompt.variables[n], values[n])]));
        setRendered(await post<RenderedPrompt>(`/api/prompts/${encodeURIComponent(prompt.name)}/render`, { variables, version: prompt.version }));
        setError(undefined);
      } catch (e) {
        setError(e instanceof SyntaxError ? new Error(t('prompts.badJson')) : e);
      }
    }, 300);
    return () => clearTimeout(timer);
  }, [values, prompt.name, prompt.version]);
  return (
    <div class="split">
      <div>
        <h2>{t('prompts.variables')}</h2>
        {names.map((n) => {
          const spec = prompt.variables[n];
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
                <textarea class={spec.type === 'chunks' || spec.type === 'messages' ? 'code' : ''} rows={spec.type === 'string' ? 2 : 4} value={values[n]} onInput={(e) => set(e.currentTarget.value)} />
              )}
            </Field>
          );
        })}
      </div>
      <div aria-live="polite">
        <h2>
          {t('prompts.preview')} {rendered?.tokens !== undefined && <span class="muted small">≈ {rendered.tokens} tokens</span>}
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
