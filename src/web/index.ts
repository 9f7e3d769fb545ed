/**
 * proofgate/react: the typed API client, TanStack Query hooks and the ready screens of the
 * standalone UI, for a host's React app (docs/embedding.md). Wrap them in the host's
 * QueryClientProvider (createQueryClient works) and router; the settings card also needs
 * <ReauthProvider>. Styles: import 'proofgate/react/styles.css', or let the host's Tailwind
 * scan the package (@source) and keep its own shadcn tokens.
 */
import './styles.css';

export { api, apiRequest, ApiError, isApiError, type ClientErrorCode } from './lib/api';
export type * from './lib/api-types';
export { createQueryClient, meQueryKey } from './lib/query-client';
export { describeSecurityEvent } from './lib/security-events';
export { useMe } from './hooks/use-me';
export {
  systemStatusKey,
  useIntegrationsStatus,
  useSecurityEvents,
  useSendTestSms,
  useSignOut,
  useSystemStatus,
  useTwoFactorStatus,
} from './hooks/queries';
export { twoFactorStatusKey, securityEventsKey, TwoFactorCard } from './features/two-factor/two-factor-card';
export { SecurityActivity } from './features/two-factor/security-activity';
export { SignInPage, type SignInLocationState } from './pages/sign-in';
export { OpsAlertsPage } from './pages/ops-alerts';
export { integrationsKey } from './features/ops/recent-sends';
export { ReauthProvider, ReauthCancelledError, useWithFreshSession } from './components/reauth-provider';
