import { lazy, Suspense, type ComponentType } from 'react';
import { Route, Switch } from 'wouter';
import { Layout } from './components/layout';
import { LiveProvider } from './live/live';
import { OverviewPage } from './pages/overview/overview-page';
import { SignInPage } from './pages/sign-in/sign-in-page';
import { SessionProvider, useSession } from './session/session';

// The overview is the first page and ships in the main bundle; every other
// page (and the charting library) loads when it is opened.

function page<K extends string, P>(load: () => Promise<Record<K, ComponentType<P>>>, name: K) {
  return lazy(async () => ({ default: (await load())[name] }));
}

const ServicePage = page(() => import('./pages/service/service-page'), 'ServicePage');
const PromotionPage = page(() => import('./pages/promotion/promotion-page'), 'PromotionPage');
const PromotionsPage = page(() => import('./pages/promotions/promotions-page'), 'PromotionsPage');
const DoraPage = page(() => import('./pages/dora/dora-page'), 'DoraPage');
const IncidentsPage = page(() => import('./pages/incidents/incidents-page'), 'IncidentsPage');
const DeadLettersPage = page(() => import('./pages/dead-letters/dead-letters-page'), 'DeadLettersPage');
const AuditPage = page(() => import('./pages/audit/audit-page'), 'AuditPage');

export function Routes() {
  return (
    <Suspense fallback={<p className="muted">Loading…</p>}>
      <Switch>
        <Route path="/" component={OverviewPage} />
        <Route path="/services/:service">
          {(params) => <ServicePage service={decodeURIComponent(params.service)} />}
        </Route>
        <Route path="/promotions/:id">{(params) => <PromotionPage id={params.id} />}</Route>
        <Route path="/promotions" component={PromotionsPage} />
        <Route path="/dora" component={DoraPage} />
        <Route path="/incidents/:id">{(params) => <IncidentsPage selected={params.id} />}</Route>
        <Route path="/incidents">{() => <IncidentsPage />}</Route>
        <Route path="/dead-letters/:id">{(params) => <DeadLettersPage selected={params.id} />}</Route>
        <Route path="/dead-letters">{() => <DeadLettersPage />}</Route>
        <Route path="/audit" component={AuditPage} />
        <Route>
          <h1>Not found</h1>
          <p>
            There is no page here. The overview is at <a href="/">/</a>.
          </p>
        </Route>
      </Switch>
    </Suspense>
  );
}

function SignedIn() {
  const { session, restoring } = useSession();
  if (restoring) return <p className="muted">Signing in…</p>;
  if (!session) return <SignInPage />;
  return (
    <LiveProvider>
      <Layout>
        <Routes />
      </Layout>
    </LiveProvider>
  );
}

export function App() {
  return (
    <SessionProvider>
      <SignedIn />
    </SessionProvider>
  );
}
