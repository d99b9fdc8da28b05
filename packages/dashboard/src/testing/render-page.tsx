import { render, screen, type RenderResult } from '@testing-library/react';
import type { ReactNode } from 'react';
import { Router } from 'wouter';
import { memoryLocation } from 'wouter/memory-location';
import type { Session } from '../api/types';
import { LiveProvider } from '../live/live';
import { SessionProvider, useSession } from '../session/session';
import type { FakeApi } from './fake-api';

// Renders a page as a signed-in user sees it: a session for the given role
// (answered by the fake API), the live stream, and a router at `path`.

export interface RenderPageOptions {
  role?: Session['role'];
  stages?: string[] | null;
  /** The URL the router starts at, e.g. /promotions/123?tab=logs. */
  path?: string;
}

export async function renderPage(
  api: FakeApi,
  page: ReactNode,
  options: RenderPageOptions = {},
): Promise<RenderResult & { navigate: (to: string) => void; location: () => string }> {
  const session: Session = { name: 'alice', role: options.role ?? 'admin', stages: options.stages ?? null };
  api.on('GET /api/v1/session', session);
  sessionStorage.setItem('gantry.token', 'test-token');
  const memory = memoryLocation({ path: options.path ?? '/', record: true });
  const result = render(
    <SessionProvider>
      <SignedIn>
        <LiveProvider>
          <Router hook={memory.hook} searchHook={memory.searchHook}>
            {page}
          </Router>
        </LiveProvider>
      </SignedIn>
    </SessionProvider>,
  );
  await screen.findByTestId('signed-in');
  return { ...result, navigate: memory.navigate, location: () => memory.history.at(-1) ?? '' };
}

function SignedIn({ children }: { children: ReactNode }) {
  const { session } = useSession();
  if (!session) return null;
  return <div data-testid="signed-in">{children}</div>;
}
