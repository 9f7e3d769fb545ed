import { Router, type RequestHandler } from 'express';
import { z } from 'zod';
import { refreshQueryFlag, wantsRefresh } from '../http/refresh-query';
import { mountRoute, type RouteRegistry } from '../http/route';
import { evaluateSystemStatus, type StatusCheck } from './status';

const statusQuery = z.strictObject({
  refresh: refreshQueryFlag('1: re-run cached checks (the Twilio credential check)'),
});

const statusView = z.object({
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

/** /api/system/status: what stands between this deployment and real users. Admin only; /readyz stays public. */
export function createSystemStatusRoutes(deps: { registry: RouteRegistry; requireAdmin: RequestHandler; checks: readonly StatusCheck[] }): Router {
  const router = Router();
  mountRoute(
    router,
    deps.registry,
    {
      method: 'get',
      path: '/api/system/status',
      tag: 'system',
      summary: 'System status with blockers and how to fix each',
      description: 'Recomputed on every request, so a blocker disappears once its cause is fixed (environment settings need a restart).',
      access: 'admin',
      query: statusQuery,
      responses: { 200: { description: 'Status report (200 whatever the status)', schema: statusView } },
    },
    [deps.requireAdmin],
    async ({ res, query }) => {
      const report = await evaluateSystemStatus(deps.checks, { refresh: wantsRefresh(query.refresh) });
      res.json(report);
    },
  );
  return router;
}
