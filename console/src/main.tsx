import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import './style.css';
import { apiFor } from './api.js';
import { locale, t } from './i18n.js';
import { CategoriesAndSettings, Directory, Health } from './pages/admin.js';
import { Chain } from './pages/chain.js';
import { History } from './pages/history.js';
import { LockerAsOf } from './pages/locker-as-of.js';
import { Rollover } from './pages/rollover.js';
import { Timeline } from './pages/timeline.js';
import { completeSignIn, signIn, type OidcConfig } from './oidc.js';
import { endSession, takeSession, type Session } from './session.js';

type Page = 'timeline' | 'locker' | 'history' | 'chain' | 'directory' | 'categories' | 'rollover' | 'health';
const PAGES: { id: Page; group: 'auditors' | 'admins'; label: string }[] = [
  { id: 'timeline', group: 'auditors', label: t.timeline },
  { id: 'locker', group: 'auditors', label: t.lockerAsOf },
  { id: 'history', group: 'auditors', label: t.history },
  { id: 'chain', group: 'auditors', label: t.chain },
  { id: 'directory', group: 'admins', label: t.directory },
  { id: 'categories', group: 'admins', label: t.categoriesPage },
  { id: 'rollover', group: 'admins', label: t.rollover },
  { id: 'health', group: 'admins', label: t.health },
];

/**
 * The console: which page is shown lives in this tab's state, never in the address, so nothing
 * personal (a document, a person) ends up in a URL, a history or a server log.
 */
const App = () => {
  const [session, setSession] = useState<Session | undefined>(() => takeSession());
  const [expired, setExpired] = useState(false);
  const [oidc, setOidc] = useState<OidcConfig | null>(null);
  const [signInError, setSignInError] = useState<string | null>(null);
  useEffect(() => {
    // How this deployment signs people in; back from the identity provider, the code becomes a session.
    void fetch('/console/config.json')
      .then((r) => r.json() as Promise<{ oidc: OidcConfig | null }>)
      .then(async ({ oidc: config }) => {
        setOidc(config);
        if (config && !session) {
          const back = await completeSignIn(config);
          if (back) setSession(back);
        }
      })
      .catch((e: unknown) => setSignInError((e as Error).message));
  }, []);
  const [page, setPage] = useState<Page>('timeline');
  const api = useMemo(() => (session ? apiFor(session) : undefined), [session]);
  useEffect(() => {
    if (!session) return;
    // Dropped the moment it expires, whatever the page is doing.
    const timer = window.setTimeout(() => {
      endSession();
      setSession(undefined);
      setExpired(true);
    }, Math.max(session.expiresAt - Date.now(), 0));
    return () => window.clearTimeout(timer);
  }, [session]);
  useEffect(() => {
    document.documentElement.lang = locale;
    document.title = t.title;
  }, []);

  if (!session || !api) {
    return (
      <main id="main">
        <h1>{t.title}</h1>
        <p role="status">{expired ? t.expired : t.signedOut}</p>
        {signInError && (
          <p role="alert" class="error">
            {t.error} {signInError}
          </p>
        )}
        {oidc && (
          <button type="button" class="primary" onClick={() => void signIn(oidc).catch((e: unknown) => setSignInError((e as Error).message))}>
            {t.signIn}
          </button>
        )}
      </main>
    );
  }
  return (
    <>
      <header>
        <h1>{t.title}</h1>
        <p>
          {t.signedInAs(session.userId, session.tenant)}{' '}
          <button
            type="button"
            onClick={() => {
              endSession();
              setSession(undefined);
            }}
          >
            {t.signOut}
          </button>
        </p>
        <nav aria-label={t.title}>
          {(['auditors', 'admins'] as const).map((group) => (
            <div key={group} class="nav-group">
              <h2 class="nav-title">{group === 'auditors' ? t.auditors : t.admins}</h2>
              <ul>
                {PAGES.filter((p) => p.group === group).map((p) => (
                  <li key={p.id}>
                    <button type="button" aria-current={page === p.id ? 'page' : undefined} onClick={() => setPage(p.id)}>
                      {p.label}
                    </button>
                  </li>
                ))}
              </ul>
            </div>
          ))}
        </nav>
      </header>
      <main id="main">
        {page === 'timeline' && <Timeline api={api} />}
        {page === 'locker' && <LockerAsOf api={api} />}
        {page === 'history' && <History api={api} />}
        {page === 'chain' && <Chain api={api} />}
        {page === 'directory' && <Directory api={api} />}
        {page === 'categories' && <CategoriesAndSettings api={api} />}
        {page === 'rollover' && <Rollover api={api} />}
        {page === 'health' && <Health api={api} />}
      </main>
    </>
  );
};

render(<App />, document.getElementById('app')!);
