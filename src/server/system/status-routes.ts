import { Router, type RequestHandler } from 'express';
import { wantsRefresh } from '../http/refresh-query';
import { mountJsonGet } from '../http/json-get';
import type { RouteRegistry } from '../http/route';
import { statusQuery, statusView } from './schemas';
import { evaluateSystemStatus, type StatusCheck } from './status';

/** /api/system/status: what stands between this deployment and real users. Admin only; /readyz stays public. */
export function createSystemStatusRoutes(deps: { registry: RouteRegistry; requireAdmin: RequestHandler; checks: readonly StatusCheck[] }): Router {
  const router = Router();
  mountJsonGet(
    router,
    deps.registry,
    {
      path: '/api/system/status',
      tag: 'system',
      summary: 'System status with blockers and how to fix each',
      description: 'Recomputed on every request, so a blocker disappears once its cause is fixed (environment settings need a restart).',
      access: 'admin',
      query: statusQuery,
      responses: { 200: { description: 'Status report (200 whatever the status)', schema: statusView } },
    },
    [deps.requireAdmin],
    ({ query }) => evaluateSystemStatus(deps.checks, { refresh: wantsRefresh(query.refresh) }),
  );
  return router;
}
