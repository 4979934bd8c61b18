import { useMemo, useRef, useState } from 'preact/hooks';
import { get } from '../api/client';
import { streamEvents } from '../api/sse';
import type { Prompt, PromptSummary, WriteResult } from '../api/types';
import { getLang, hasKey, t } from '../i18n/i18n';
import type { ScreenProps } from '../routes';
import { KbPicker } from '../ui/kb-picker';
import { useLoad } from '../ui/hooks';
import { copyText, ErrorBox, Field, PageHead } from '../ui/parts';

/** Template variables that POST /api/write/:task takes as options (the others are filled by the server). */
const OPTION_FIELDS = ['tone', 'length', 'language', 'targetLanguage', 'instructions'] as const;
const NOT_WRITING = new Set(['qa', 'condense']);

/** Shipped tasks have a name in the dictionary; a task an admin added shows as it is called. */
const taskLabel = (task: string) => {
  const key = `write.task.${task}`;
  return hasKey(key) ? t(key) : task;
};

/** Shipped option values (formal, short, zh, ...) in words; a value an admin added shows as it is. */
const valueLabel = (value: string) => {
  const key = `write.value.${value}`;
  return hasKey(key) ? t(key) : value;
};

export function WriteScreen(_: ScreenProps) {
  const prompts = useLoad(() => get<PromptSummary[]>('/api/prompts'), []);
  const tasks = useMemo(() => [...new Set((prompts.data ?? []).map((p) => p.task))].filter((x) => !NOT_WRITING.has(x) && !x.startsWith('qa')).sort(), [prompts.data]);
  const [task, setTask] = useState('');
  const current = task || tasks[0] || '';
  // The options come from the task's template in the console's language (both languages declare the same ones).
  const template = useMemo(() => {
    const list = (prompts.data ?? []).filter((p) => p.task === current);
    return list.find((p) => getLang().startsWith(p.language)) ?? list[0];
  }, [prompts.data, current]);
  const detail = useLoad(() => (template ? get<Prompt>(`/api/prompts/${encodeURIComponent(template.name)}`) : Promise.resolve(undefined)), [template?.name]);
  const [options, setOptions] = useState<Record<string, string>>({});
  const [text, setText] = useState('');
  const [kbs, setKbs] = useState<string[]>([]);
  const [output, setOutput] = useState('');
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const [copied, setCopied] = useState(false);
  const source = useRef<HTMLTextAreaElement>(null);
  const abort = useRef<AbortController | null>(null);

  const variables = detail.data?.variables ?? {};
  const fields = OPTION_FIELDS.filter((f) => f in variables);

  const run = async (e: Event) => {
    e.preventDefault();
    setOutput('');
    setError(undefined);
    setStreaming(true);
    abort.current = new AbortController();
    const chosen = Object.fromEntries(fields.filter((f) => options[f]).map((f) => [f, options[f]]));
    let acc = '';
    try {
      await streamEvents(
        `/api/write/${encodeURIComponent(current)}`,
        { text, stream: true, ...chosen, ...(kbs.length ? { knowledgeBases: kbs } : {}) },
        (ev) => {
          if (ev.event === 'token') setOutput((acc += (ev.data as { text: string }).text));
          else if (ev.event === 'done') setOutput((ev.data as WriteResult).text);
          else if (ev.event === 'error') setError(new Error((ev.data as { message: string }).message));
        },
        abort.current.signal,
      );
    } catch (err) {
      if ((err as Error).name !== 'AbortError') setError(err);
    } finally {
      setStreaming(false);
    }
  };

  /** Puts the result in place of the selected source text (or at the end), as an editor's "insert". */
  const insert = () => {
    const el = source.current;
    const start = el?.selectionStart ?? text.length;
    const end = el?.selectionEnd ?? text.length;
    setText(text.slice(0, start) + output + text.slice(end));
  };

  return (
    <section>
      <PageHead title={t('write.title')} intro={t('write.intro')} />
      <ErrorBox error={prompts.error ?? detail.error} />
      <div class="tabs" role="tablist" aria-label={t('write.task')}>
        {tasks.map((x) => (
          <button type="button" role="tab" key={x} aria-selected={x === current} onClick={() => (setTask(x), setOptions({}))}>
            {taskLabel(x)}
          </button>
        ))}
      </div>
      {template && <p class="muted small">{detail.data?.description ?? template.description}</p>}
      <form onSubmit={run}>
        <div class="row">
          {fields.map((f) => {
            const spec = variables[f];
            return (
              <Field key={f} label={t(`write.option.${f}`)} hint={spec.description}>
                {spec.type === 'enum' ? (
                  <select value={options[f] ?? String(spec.default ?? '')} onChange={(e) => setOptions({ ...options, [f]: e.currentTarget.value })}>
                    {spec.values?.map((v) => (
                      <option key={v} value={v}>
                        {valueLabel(v)}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input value={options[f] ?? ''} maxLength={spec.maxLength} onInput={(e) => setOptions({ ...options, [f]: e.currentTarget.value })} />
                )}
              </Field>
            );
          })}
        </div>
        <KbPicker value={kbs} onChange={setKbs} />
        <div class="split">
          <Field label={t('write.text')}>
            <textarea ref={source} rows={14} value={text} onInput={(e) => setText(e.currentTarget.value)} required />
          </Field>
          <div class="field">
            <span class="field-label">{t('write.output')}</span>
            <div class="card" style={{ minHeight: '18rem', margin: 0 }} aria-live="polite" data-testid="write-output">
              <div class={streaming ? 'answer-text caret' : 'answer-text'}>{output}</div>
            </div>
            <div class="actions">
              <button
                type="button"
                class="secondary small"
                disabled={!output || streaming}
                onClick={async () => {
                  setCopied(await copyText(output));
                  setTimeout(() => setCopied(false), 1500);
                }}
              >
                {copied ? t('common.copied') : t('common.copy')}
              </button>
              <button type="button" class="secondary small" disabled={!output || streaming} onClick={insert}>
                {t('write.insert')}
              </button>
            </div>
          </div>
        </div>
        <ErrorBox error={error} />
        <div class="actions">
          <button type="submit" disabled={streaming || !text.trim() || !current}>
            {streaming ? t('write.running') : t('write.run')}
          </button>
          {streaming && (
            <button type="button" class="secondary" onClick={() => abort.current?.abort()}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
    </section>
  );
}
