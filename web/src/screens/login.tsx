import { useState } from 'preact/hooks';
import { ApiError } from '../api/api-error';
import { get } from '../api/client';
import { setKey } from '../api/session';
import type { Me } from '../api/types';
import { t } from '../i18n/i18n';
import { LanguageSwitch } from '../ui/layout';
import { ErrorBox, valueOf } from '../ui/parts';

/** Asks for the API key, checks it with /api/keys/me, keeps it for this browser tab only. */
export function LoginScreen({ onLogin, expired }: { onLogin: (me: Me) => void; expired: boolean }) {
  const [key, setValue] = useState('');
  // A refused key gets one sentence of its own; anything else (server down, 429) the usual wording.
  const [refused, setRefused] = useState<'login.expired' | 'login.rejected' | null>(expired ? 'login.expired' : null);
  const [error, setError] = useState<unknown>(undefined);
  const [pending, setPending] = useState(false);
  const submit = async (e: Event) => {
    e.preventDefault();
    setPending(true);
    setError(undefined);
    setRefused(null);
    setKey(key.trim());
    try {
      onLogin(await get<Me>('/api/keys/me'));
    } catch (err) {
      setKey(null);
      if (err instanceof ApiError && err.status === 401) setRefused('login.rejected');
      else setError(err);
    } finally {
      setPending(false);
    }
  };
  return (
    <div class="login">
      <form class="card login-card" onSubmit={submit}>
        <div class="login-head">
          <h1>
            智库 <span>Zhiku</span>
          </h1>
          <LanguageSwitch />
        </div>
        <p class="muted">{t('login.intro')}</p>
        <label class="field">
          <span class="field-label">{t('login.key')}</span>
          <input
            type="password"
            name="apiKey"
            autoComplete="off"
            required
            autoFocus
            placeholder="zk_…"
            value={key}
            onInput={(e) => setValue(valueOf(e))}
          />
        </label>
        {refused && (
          <div class="error" role="alert">
            {t(refused)}
          </div>
        )}
        <ErrorBox error={error} />
        <button type="submit" disabled={pending || !key.trim()}>
          {pending ? t('common.checking') : t('login.submit')}
        </button>
        <p class="muted small">{t('login.where')}</p>
      </form>
    </div>
  );
}
