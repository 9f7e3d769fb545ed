import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { twoFactorStatusKey, securityEventsKey } from '../features/two-factor/two-factor-card';
import { api } from '../lib/api';
import { meQueryKey } from '../lib/query-client';
import { integrationsKey } from '../features/ops/recent-sends';

/**
 * TanStack Query hooks over the typed API client, for a host app's own screens
 * (proofgate/react). They share their query keys with the ready screens, so a change made in
 * one (2FA enabled, a test SMS sent) refreshes the others.
 */

export const systemStatusKey = ['system-status'] as const;

export function useTwoFactorStatus() {
  return useQuery({ queryKey: twoFactorStatusKey, queryFn: api.twoFactorStatus });
}

export function useSecurityEvents(limit = 50) {
  return useQuery({ queryKey: securityEventsKey, queryFn: () => api.securityEvents(limit) });
}

export function useIntegrationsStatus() {
  return useQuery({ queryKey: integrationsKey, queryFn: () => api.integrationsStatus() });
}

export function useSystemStatus() {
  return useQuery({ queryKey: systemStatusKey, queryFn: api.systemStatus });
}

/** Signs out and forgets every cached answer of the old session. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: api.logout,
    onSuccess: () => {
      queryClient.clear();
      queryClient.setQueryData(meQueryKey, null);
    },
  });
}

export function useSendTestSms() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ to, note }: { to: string; note?: string }) => api.sendTestSms(to, note),
    onSettled: () => queryClient.invalidateQueries({ queryKey: integrationsKey }),
  });
}
