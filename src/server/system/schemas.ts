import { z } from 'zod';
import { refreshQueryFlag } from '../http/refresh-query';

export const statusQuery = z.strictObject({
  refresh: refreshQueryFlag('1: re-run cached checks (the Twilio credential check)'),
});

export const statusView = z.object({
  status: z.enum(['ok', 'degraded', 'blocked']).describe('blocked: do not serve real users as is; degraded: a capability is off or weaker'),
  blockers: z.array(
    z.object({
      code: z.string(),
      severity: z.enum(['blocked', 'degraded']),
      message: z.string(),
      fix: z.string(),
    }),
  ),
  checks: z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() })),
});
