import { QueryClientProvider, useMutation, useQuery } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { apiRequest, createQueryClient, ReauthProvider, SecurityActivity, SignInPage, TwoFactorCard, useMe, useSignOut } from 'proofgate/react';
import 'proofgate/react/styles.css';

/** The host's own page: its orders (GET /api/orders behind requireSession) and a payout (AAL2). */
function OrdersPage() {
  const me = useMe();
  const location = useLocation();
  const orders = useQuery({ queryKey: ['orders'], queryFn: () => apiRequest('GET', '/api/orders'), enabled: Boolean(me.data) });
  const payout = useMutation({ mutationFn: () => apiRequest('POST', '/api/payouts', {}) });
  const signOut = useSignOut();
  if (me.isPending) return <p role="status">Loading…</p>;
  if (!me.data) return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  return (
    <main className="mx-auto grid max-w-2xl gap-6 p-8">
      <h1 className="text-2xl font-semibold">Orders for {me.data.user.email}</h1>
      <p data-testid="order-count">{orders.data ? `${orders.data.orders.length} orders` : 'Loading orders…'}</p>
      <button type="button" className="rounded-md border px-3 py-2" onClick={() => payout.mutate()}>
        Pay out
      </button>
      {payout.data ? <p data-testid="payout">Paid at AAL {payout.data.aal}</p> : null}
      {payout.error ? <p data-testid="payout-error">{payout.error.errorCode ?? 'failed'}</p> : null}
      <ReauthProvider>
        <TwoFactorCard />
        <SecurityActivity />
      </ReauthProvider>
      <button type="button" onClick={() => signOut.mutate()}>
        Sign out
      </button>
    </main>
  );
}

const queryClient = createQueryClient();
createRoot(document.getElementById('root')).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <BrowserRouter>
        <Routes>
          <Route path="/sign-in" element={<SignInPage />} />
          <Route path="*" element={<OrdersPage />} />
        </Routes>
      </BrowserRouter>
    </QueryClientProvider>
  </StrictMode>,
);
