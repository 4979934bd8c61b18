import { useEffect, useState } from 'preact/hooks';
import { get } from './api/client';
import { getKey, onKeyChange, takeRefused } from './api/session';
import type { Me } from './api/types';
import { onLangChange, t } from './i18n/i18n';
import { navigate, usePath } from './router';
import { ROUTES } from './routes';
import { allowed, Layout } from './ui/layout';
import { ErrorBox, Loading } from './ui/parts';
import { LoginScreen } from './screens/login';

export function App() {
  const [, setTick] = useState(0);
  const [me, setMe] = useState<Me | null>(null);
  const [checking, setChecking] = useState(!!getKey());
  const [expired, setExpired] = useState(false);
  const [startError, setStartError] = useState<unknown>(undefined);
  const path = usePath();

  useEffect(() => onLangChange(() => setTick((n) => n + 1)), []);
  useEffect(
    () =>
      onKeyChange(() => {
        if (!getKey()) {
          setExpired(takeRefused());
          setMe(null);
        }
      }),
    [],
  );
  // A reload keeps the tab's key: check it again rather than ask for it.
  useEffect(() => {
    if (!getKey()) return;
    get<Me>('/api/keys/me')
      .then(setMe, setStartError)
      .finally(() => setChecking(false));
  }, []);
  useEffect(() => {
    if (me && (path === '/' || path === '/login')) navigate('/kb', true);
  }, [me, path]);

  if (checking) return <Loading when />;
  if (!me)
    return (
      <>
        {startError && getKey() ? <ErrorBox error={startError} /> : null}
        <LoginScreen onLogin={(m) => (setExpired(false), setMe(m))} expired={expired} />
      </>
    );
  const route = ROUTES.find((r) => r.match(path));
  const params = route?.match(path) ?? {};
  return (
    <Layout me={me} path={path}>
      {!route ? (
        <p>{t('common.notFound')}</p>
      ) : !allowed(me, route.role) ? (
        <ErrorBox error={new Error(t('common.needRole', { role: t(`role.${route.role}`) }))} />
      ) : (
        // Keyed by path: /prompts/a → /prompts/b starts the screen afresh (tabs, notices, drafts).
        <route.screen key={path} params={params} me={me} />
      )}
    </Layout>
  );
}
