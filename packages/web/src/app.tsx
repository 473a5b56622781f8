// Signed out: the sign-in form. Signed in: the live connection, the frame, and the page the
// URL names.

import { useEffect } from 'preact/hooks';
import { live } from './api/live';
import { Layout } from './components/layout';
import { AgentPage, AgentsPage } from './pages/agents';
import { AlertsPage } from './pages/alerts';
import { BudgetsPage } from './pages/budgets';
import { CohortsPage } from './pages/cohorts';
import { DecisionsPage } from './pages/decisions';
import { DoctorPage } from './pages/doctor';
import { LivePage } from './pages/live';
import { OverviewPage } from './pages/overview';
import { SessionPage, SessionsPage } from './pages/sessions';
import { SignIn } from './pages/sign-in';
import { TracePage } from './pages/trace';
import { TracesPage } from './pages/traces';
import { useAuth } from './state/auth';
import { useRoute } from './state/route';

/** A path segment decoded, or null when its percent-encoding is malformed ("%E0%A4%A"). */
function decodeSegment(segment: string): string | null {
  try {
    return decodeURIComponent(segment);
  } catch {
    return null;
  }
}

function Page() {
  const { path } = useRoute();
  const decoded = path.split('/').filter(Boolean).map(decodeSegment);
  // A malformed address is a page that does not exist, not an exception that blanks the app.
  if (decoded.includes(null)) return <NotFound path={path} />;
  const parts = decoded as string[];
  switch (parts[0]) {
    case undefined:
      return <OverviewPage />;
    case 'agents':
      return parts[1] ? <AgentPage agent={parts[1]} /> : <AgentsPage />;
    case 'decisions':
      return <DecisionsPage />;
    case 'cohorts':
      return <CohortsPage />;
    case 'traces':
      return parts[1] ? <TracePage id={parts[1]} /> : <TracesPage />;
    case 'sessions':
      return parts[1] ? <SessionPage id={parts[1]} /> : <SessionsPage />;
    case 'alerts':
      return <AlertsPage />;
    case 'budgets':
      return <BudgetsPage />;
    case 'live':
      return <LivePage />;
    case 'doctor':
      return <DoctorPage />;
    default:
      return <NotFound path={path} />;
  }
}

function NotFound({ path }: { path: string }) {
  return (
    <section class="panel wide">
      <h1>Page not found</h1>
      <p>
        There is no page at <code>{path}</code>. <a href="/">Go to the overview</a>.
      </p>
    </section>
  );
}

export function App() {
  const { key, notice } = useAuth();
  useEffect(() => {
    if (key) live.start(key);
    else live.stop();
  }, [key]);
  if (!key) return <SignIn notice={notice} />;
  return (
    <Layout>
      <Page />
    </Layout>
  );
}
