import { z } from 'zod';

/** `?refresh=1`: re-run a cached check now. One spelling for every route that offers it. */
export function refreshQueryFlag(description: string) {
  return z.enum(['1', '0', 'true', 'false'], { error: 'must be 1 or 0' }).optional().describe(description);
}

export function wantsRefresh(value: string | undefined): boolean {
  return value === '1' || value === 'true';
}
