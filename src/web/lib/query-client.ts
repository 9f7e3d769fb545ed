import { MutationCache, QueryCache, QueryClient } from '@tanstack/react-query';
import { isApiError } from './api';

export const meQueryKey = ['me'] as const;

/**
 * Server state lives in TanStack Query. A 401 UNAUTHENTICATED anywhere (session expired or
 * revoked) sets the signed-in user to null, which sends every guarded page back to sign-in.
 */
export function createQueryClient(): QueryClient {
  const onError = (error: unknown) => {
    if (isApiError(error, 'UNAUTHENTICATED')) queryClient.setQueryData(meQueryKey, null);
  };
  const queryClient: QueryClient = new QueryClient({
    queryCache: new QueryCache({ onError }),
    mutationCache: new MutationCache({ onError }),
    defaultOptions: {
      queries: {
        // A refused request will be refused again; only network failures are worth one retry.
        retry: (failureCount, error) => isApiError(error, 'NETWORK_ERROR') && failureCount < 1,
        refetchOnWindowFocus: false,
        staleTime: 5_000,
      },
      mutations: { retry: false },
    },
  });
  return queryClient;
}
