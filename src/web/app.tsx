import { QueryClientProvider } from '@tanstack/react-query';
import { useEffect, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, Outlet, RouterProvider, useLocation } from 'react-router-dom';
import { ErrorAlert } from './components/error-alert';
import { AppLayout } from './components/layout';
import { ReauthProvider } from './components/reauth-provider';
import { useMe } from './hooks/use-me';
import { createQueryClient } from './lib/query-client';
import { NotAllowed } from './pages/not-allowed';
import { NotFoundPage } from './pages/not-found';
import { ForgotPasswordPage } from './pages/forgot-password';
import { OpsAlertsPage } from './pages/ops-alerts';
import { ResetPasswordPage } from './pages/reset-password';
import { SettingsSecurityPage } from './pages/settings-security';
import { SignInPage } from './pages/sign-in';
import { SignUpPage } from './pages/sign-up';
import { SystemStatusPage } from './pages/system-status';

function Loading() {
  return (
    <p className="p-8 text-center text-sm text-muted-foreground" role="status">
      Loading…
    </p>
  );
}

/** Pages that need a session: signed-out visitors go to sign-in and come back after. */
function RequireSession() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.error) {
    return (
      <div className="mx-auto max-w-md p-8">
        <ErrorAlert error={me.error} title="Proofgate is unavailable" />
      </div>
    );
  }
  if (!me.data) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return (
    <ReauthProvider>
      <AppLayout />
    </ReauthProvider>
  );
}

/** Sign-in and sign-up: someone already signed in goes to their settings. */
function RequireSignedOut() {
  const me = useMe();
  if (me.isPending) return <Loading />;
  if (me.data) return <Navigate to="/settings/security" replace />;
  return <Outlet />;
}

/** Admin pages: hidden from the navigation of others, and refused here too (the API says 403 anyway). */
function AdminOnly({ page, children }: { page: string; children: ReactNode }) {
  const me = useMe();
  if (!me.data?.user.is_admin) return <NotAllowed page={page} />;
  return children;
}

function Title({ title, children }: { title: string; children: ReactNode }) {
  useEffect(() => {
    document.title = `${title} · Proofgate`;
  }, [title]);
  return children;
}

const router = createBrowserRouter([
  {
    element: <RequireSignedOut />,
    children: [
      { path: '/sign-in', element: <Title title="Sign in"><SignInPage /></Title> },
      { path: '/sign-up', element: <Title title="Create an account"><SignUpPage /></Title> },
      { path: '/forgot-password', element: <Title title="Forgot password"><ForgotPasswordPage /></Title> },
    ],
  },
  // Public: a reset link works whether or not this browser is signed in (the reset ends every session).
  { path: '/reset-password', element: <Title title="Set a new password"><ResetPasswordPage /></Title> },
  {
    element: <RequireSession />,
    children: [
      { path: '/', element: <Navigate to="/settings/security" replace /> },
      { path: '/settings', element: <Navigate to="/settings/security" replace /> },
      { path: '/settings/security', element: <Title title="Security settings"><SettingsSecurityPage /></Title> },
      {
        path: '/ops/alerts',
        element: (
          <Title title="OpsAlerts">
            <AdminOnly page="OpsAlerts">
              <OpsAlertsPage />
            </AdminOnly>
          </Title>
        ),
      },
      {
        path: '/ops/status',
        element: (
          <Title title="System status">
            <AdminOnly page="System status">
              <SystemStatusPage />
            </AdminOnly>
          </Title>
        ),
      },
      { path: '*', element: <Title title="Not found"><NotFoundPage /></Title> },
    ],
  },
]);

const queryClient = createQueryClient();

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
