import { useEffect, useState } from 'preact/hooks';
import { upload } from '../api/client';
import type { DocumentView } from '../api/types';
import { formatBytes, t } from '../i18n/i18n';
import { describeError } from '../ui/errors';
import { Badge, Progress } from '../ui/parts';

interface PendingUpload {
  id: number;
  name: string;
  size: number;
  sent: number;
  state: 'uploading' | 'done' | 'failed';
  error?: string;
}

let nextId = 1;

/**
 * Drag-and-drop (or pick) many files; each goes in its own request so each has its own upload
 * progress and its own error. Once stored, a file's status comes from the documents list.
 */
export function UploadQueue({ knowledgeBaseId, onUploaded }: { knowledgeBaseId: string; onUploaded: (docs: DocumentView[]) => void }) {
  const [items, setItems] = useState<PendingUpload[]>([]);
  const [over, setOver] = useState(false);
  const [password, setPassword] = useState('');
  // Bytes still on their way exist only in this tab: leaving now would lose them, so the browser asks.
  const sending = items.some((i) => i.state === 'uploading');
  useEffect(() => {
    if (!sending) return;
    const warn = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [sending]);
  const patch = (id: number, change: Partial<PendingUpload>) => setItems((list) => list.map((i) => (i.id === id ? { ...i, ...change } : i)));

  const send = (files: File[]) => {
    for (const file of files) {
      const item: PendingUpload = { id: nextId++, name: file.name, size: file.size, sent: 0, state: 'uploading' };
      setItems((list) => [item, ...list]);
      const form = new FormData();
      form.append('files', file, file.name);
      if (password) form.append('password', password);
      upload<{ documents: DocumentView[] }>(`/api/knowledge-bases/${knowledgeBaseId}/documents`, form, (f) => patch(item.id, { sent: f }))
        .then((res) => {
          patch(item.id, { state: 'done', sent: 1 });
          onUploaded(res.documents);
          // A stored file shows in the documents table from here on; keep the list short.
          setTimeout(() => setItems((list) => list.filter((i) => i.id !== item.id)), 1500);
        })
        .catch((e) => {
          const { title, detail } = describeError(e);
          patch(item.id, { state: 'failed', error: `${title} ${detail}` });
        });
    }
  };

  return (
    <div class="card">
      <div
        class={over ? 'dropzone over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          send(Array.from(e.dataTransfer?.files ?? []));
        }}
      >
        <p>{t('upload.drop')}</p>
        <label class="button secondary">
          {t('upload.pick')}
          <input
            type="file"
            multiple
            class="sr-only"
            data-testid="upload-input"
            onChange={(e) => {
              send(Array.from(e.currentTarget.files ?? []));
              e.currentTarget.value = '';
            }}
          />
        </label>
        <p class="small muted">{t('upload.formats')}</p>
        <details>
          <summary class="small">{t('upload.passwordToggle')}</summary>
          <input type="password" autoComplete="off" value={password} onInput={(e) => setPassword(e.currentTarget.value)} placeholder={t('upload.password')} />
        </details>
      </div>
      {items.length > 0 && (
        <ul class="stack" aria-live="polite" style={{ listStyle: 'none', padding: 0 }}>
          {items.map((i) => (
            <li key={i.id}>
              <div class="row" style={{ alignItems: 'center' }}>
                <span style={{ flex: 1 }}>
                  {i.name} <span class="muted small">{formatBytes(i.size)}</span>
                </span>
                <Badge kind={i.state}>{t(`upload.state.${i.state}`)}</Badge>
              </div>
              {i.state === 'uploading' && <Progress value={i.sent * 100} label={i.name} />}
              {i.error && <p class="error small">{i.error}</p>}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
