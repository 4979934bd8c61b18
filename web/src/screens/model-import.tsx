import { useState } from 'preact/hooks';
import { get, post } from '../api/client';
import type { ModelView } from '../api/types';
import { formatBytes, t } from '../i18n/i18n';
import { useAction, useLoad } from '../ui/hooks';
import { ErrorBox, Field } from '../ui/parts';

const BITS = [4, 8, 3, 2, 16, 32] as const;
const OTHER = '\u0000other';

interface CheckpointFolder {
  path: string;
  modelType: string | null;
  sizeBytes: number;
}

/** Import a checkpoint folder at a chosen bit width, or register an OpenAI-compatible endpoint. */
export function ModelImportForm({ onStarted }: { onStarted: () => void }) {
  const [kind, setKind] = useState<'import' | 'external'>('import');
  const [f, setF] = useState({ checkpoint: '', name: '', bits: '4', group: '32', baseUrl: '', apiKey: '', remoteModel: '' });
  const set = (k: keyof typeof f) => (e: { currentTarget: { value: string } }) => setF({ ...f, [k]: e.currentTarget.value });
  const folders = useLoad(() => get<CheckpointFolder[]>('/api/models/checkpoints'), []);
  const [typed, setTyped] = useState(false);
  const pickFolder = (value: string) => {
    if (value === OTHER) return setTyped(true);
    // The folder's last segment is a fair first name for the model; the user can change it.
    setF({ ...f, checkpoint: value, name: f.name || (value.split(/[\\/]/).pop() ?? '').replace(/[^A-Za-z0-9._-]/g, '-') });
  };
  const start = useAction(async () => {
    if (kind === 'import') await post<ModelView>('/api/models/import', { checkpoint: f.checkpoint, name: f.name, bits: Number(f.bits), group: Number(f.group) });
    else await post<ModelView>('/api/models', { name: f.name, provider: 'openai-compatible', baseUrl: f.baseUrl, apiKey: f.apiKey || undefined, remoteModel: f.remoteModel || undefined });
    onStarted();
    await folders.reload();
  });
  return (
    <form
      class="card"
      onSubmit={(e) => {
        e.preventDefault();
        void start.run();
      }}
    >
      <div class="tabs" role="tablist">
        <button type="button" role="tab" aria-selected={kind === 'import'} onClick={() => setKind('import')}>
          {t('models.import')}
        </button>
        <button type="button" role="tab" aria-selected={kind === 'external'} onClick={() => setKind('external')}>
          {t('models.external')}
        </button>
      </div>
      {kind === 'import' ? (
        <>
          <p class="small muted">{t('models.importIntro')}</p>
          <div class="row">
            <Field label={t('models.checkpoint')} hint={t('models.checkpointHint')}>
              {folders.data?.length && !typed ? (
                <select required value={f.checkpoint} onChange={(e) => pickFolder(e.currentTarget.value)}>
                  <option value="">{t('models.chooseFolder')}</option>
                  {folders.data.map((c) => (
                    <option key={c.path} value={c.path}>
                      {c.path} · {c.modelType ?? '?'} · {formatBytes(c.sizeBytes)}
                    </option>
                  ))}
                  <option value={OTHER}>{t('models.otherFolder')}</option>
                </select>
              ) : (
                <input required value={f.checkpoint} onInput={set('checkpoint')} placeholder="my-moe" />
              )}
            </Field>
            <Field label={t('models.name')}>
              <input required value={f.name} onInput={set('name')} pattern="[A-Za-z0-9][A-Za-z0-9._-]*" />
            </Field>
            <Field label={t('models.bits')} hint={t(`models.bitsHint.${f.bits}` as 'models.bitsHint.4')}>
              <select value={f.bits} onChange={set('bits')}>
                {BITS.map((b) => (
                  <option key={b} value={b}>
                    {b === 32 ? 'FP32' : b === 16 ? 'FP16' : `INT${b}`}
                  </option>
                ))}
              </select>
            </Field>
            <Field label={t('models.group')} hint={t('models.groupHint')}>
              <select value={f.group} onChange={set('group')}>
                {[32, 64, 128].map((g) => (
                  <option key={g}>{g}</option>
                ))}
              </select>
            </Field>
          </div>
        </>
      ) : (
        <div class="row">
          <Field label={t('models.name')}>
            <input required value={f.name} onInput={set('name')} />
          </Field>
          <Field label={t('models.baseUrl')} hint="http://vllm:8000/v1">
            <input required type="url" value={f.baseUrl} onInput={set('baseUrl')} />
          </Field>
          <Field label={t('models.remoteModel')}>
            <input value={f.remoteModel} onInput={set('remoteModel')} />
          </Field>
          <Field label={t('models.remoteKey')} hint={t('models.remoteKeyHint')}>
            <input type="password" autoComplete="off" value={f.apiKey} onInput={set('apiKey')} />
          </Field>
        </div>
      )}
      <ErrorBox error={start.error} />
      <button type="submit" disabled={start.pending}>
        {kind === 'import' ? t('models.startImport') : t('models.register')}
      </button>
    </form>
  );
}
