import { useEffect, useState, type ReactNode } from 'react';
import { Link, useLocation } from 'wouter';
import { useConnection } from '../live/live';
import { roleAtLeast } from '../session/permissions';
import { useSession } from '../session/session';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/promotions', label: 'Promotions' },
  { href: '/dora', label: 'DORA' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/dead-letters', label: 'Dead letters' },
  { href: '/audit', label: 'Audit log', role: 'approver' as const },
];

type Theme = 'system' | 'light' | 'dark';
const THEME_KEY = 'gantry.theme';

function useTheme(): [Theme, (theme: Theme) => void] {
  const [theme, setTheme] = useState<Theme>(
    () => (localStorage.getItem(THEME_KEY) as Theme | null) ?? 'system',
  );
  useEffect(() => {
    if (theme === 'system') document.documentElement.removeAttribute('data-theme');
    else document.documentElement.setAttribute('data-theme', theme);
    localStorage.setItem(THEME_KEY, theme);
  }, [theme]);
  return [theme, setTheme];
}

/** The live indicator: says in words whether the page is being kept current. */
export function ConnectionIndicator() {
  const { state, detail, reconnect } = useConnection();
  const words = { live: 'Live', connecting: 'Connecting…', offline: 'Offline' }[state];
  return (
    <span className={`connection ${state}`} role="status" aria-live="polite" title={detail}>
      <span aria-hidden="true" className="dot" /> {words}
      {state === 'offline' && (
        <>
          <span className="visually-hidden">: {detail}. What is shown may be out of date.</span>{' '}
          <button type="button" className="link-button" onClick={reconnect}>
            Reconnect
          </button>
        </>
      )}
    </span>
  );
}

export function Layout({ children }: { children: ReactNode }) {
  const { session, signOut } = useSession();
  const [location] = useLocation();
  const [theme, setTheme] = useTheme();
  const { state } = useConnection();
  return (
    <div className="app">
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <header className="top">
        <Link href="/" className="brand" aria-label="Gantry overview">
          Gantry
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.filter((item) => !item.role || (session && roleAtLeast(session.role, item.role))).map(
              (item) => {
                const current = item.href === '/' ? location === '/' : location.startsWith(item.href);
                return (
                  <li key={item.href}>
                    <Link href={item.href} aria-current={current ? 'page' : undefined}>
                      {item.label}
                    </Link>
                  </li>
                );
              },
            )}
          </ul>
        </nav>
        <div className="top-right">
          <ConnectionIndicator />
          <label className="theme">
            <span className="visually-hidden">Colour scheme</span>
            <select value={theme} onChange={(event) => setTheme(event.target.value as Theme)}>
              <option value="system">System</option>
              <option value="light">Light</option>
              <option value="dark">Dark</option>
            </select>
          </label>
          {session && (
            <span className="who">
              {session.name} <span className="muted">({session.role})</span>
            </span>
          )}
          <button type="button" className="button plain" onClick={() => signOut()}>
            Sign out
          </button>
        </div>
      </header>
      {state === 'offline' && (
        <div className="offline-banner" role="alert">
          Not connected to Gantry: the page is not updating by itself. It reconnects on its own.
        </div>
      )}
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </div>
  );
}
