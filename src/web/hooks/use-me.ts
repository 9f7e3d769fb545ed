import { useQuery } from '@tanstack/react-query';
import { api, isApiError } from '../lib/api';
import type { Me } from '../lib/api-types';
import { meQueryKey } from '../lib/query-client';

/** The signed-in user and session, or null when signed out. */
export function useMe() {
  return useQuery<Me | null>({
    queryKey: meQueryKey,
    queryFn: async () => {
      try {
        return await api.me();
      } catch (error) {
        if (isApiError(error, 'UNAUTHENTICATED')) return null;
        throw error;
      }
    },
    staleTime: 30_000,
  });
}
