/** The frame of every page: navigation, who the console acts as, and the page itself. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { useSession } from '../api.tsx';
import { forgetToken, keepToken, startSignIn } from '../auth/session.ts';
import { Link, useLocation } from '../router.tsx';

const PAGES = [
  { path: '/overview', label: 'Overview' },
  { path: '/recommendations', label: 'Recommendations' },
  { path: '/experiments', label: 'Experiments' },
  { path: '/audience', label: 'Audience' },
  { path: '/videos', label: 'Videos' },
];

export function Layout({ children }: { children: ComponentChildren }) {
  const { path } = useLocation();
  return (
    <>
      <a class="skip" href="#main">
        Skip to the page
      </a>
      <header class="top">
        <span class="brand">Marquee</span>
        <nav aria-label="Console pages">
          {PAGES.map((page) => (
            <Link
              key={page.path}
              href={page.path}
              current={path === page.path || path.startsWith(`${page.path}/`)}
            >
              {page.label}
            </Link>
          ))}
          <a href="/docs">API reference</a>
        </nav>
        <Identity />
      </header>
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

/** The token the console acts with: paste one (local --auth), or sign in with the issuer (AWS). */
function Identity() {
  const session = useSession();
  const { auth } = session.config;
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState('');
  if (auth.mode === 'none') return <span class="identity">No sign-in needed (local, auth off)</span>;
  const scopes = [...session.scopes].sort().join(', ') || 'none';
  const signedIn = session.scopes.size > 0;
  return (
    <div class="identity">
      <span data-testid="scopes">Scopes: {scopes}</span>
      {auth.mode === 'oauth' && !signedIn && (
        <button type="button" onClick={() => void startSignIn(auth, location.pathname + location.search)}>
          Sign in
        </button>
      )}
      {(auth.mode === 'token' || signedIn) && !editing && (
        <button type="button" onClick={() => setEditing(true)}>
          {auth.mode === 'token' ? 'Paste token' : 'Use another token'}
        </button>
      )}
      {signedIn && (
        <button
          type="button"
          onClick={() => {
            forgetToken();
            session.refresh();
            if (auth.mode === 'oauth' && auth.logoutUrl) {
              const url = new URL(auth.logoutUrl);
              url.searchParams.set('client_id', auth.clientId);
              url.searchParams.set('logout_uri', `${location.origin}/console/overview`);
              location.assign(url.toString());
            }
          }}
        >
          Sign out
        </button>
      )}
      {editing && (
        <form
          class="token-form"
          onSubmit={(event) => {
            event.preventDefault();
            if (draft.trim()) keepToken(draft.replace(/^Bearer\s+/i, ''));
            setEditing(false);
            setDraft('');
            session.refresh();
          }}
        >
          <label>
            Bearer token
            <input
              name="token"
              type="password"
              autocomplete="off"
              value={draft}
              onInput={(e) => setDraft((e.target as HTMLInputElement).value)}
            />
          </label>
          <button type="submit">Use token</button>
          <button type="button" onClick={() => setEditing(false)}>
            Cancel
          </button>
        </form>
      )}
    </div>
  );
}
