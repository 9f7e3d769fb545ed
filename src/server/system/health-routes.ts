import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '../core/app-error';
import { sendProblem } from '../http/problem';
import { mountRoute, type RouteRegistry } from '../http/route';
import { evaluateReadiness, type ReadinessCheck } from './readiness';

const checkView = z.record(z.string(), z.object({ ok: z.boolean(), detail: z.string().optional() }));

/** /healthz: the process is up. /readyz: it can serve (database reachable, migrations applied, limiter store up). */
export function createHealthRoutes(deps: { registry: RouteRegistry; checks: readonly ReadinessCheck[] }): Router {
  const router = Router();
  mountRoute(
    router,
    deps.registry,
    {
      method: 'get',
      path: '/healthz',
      tag: 'system',
      summary: 'Liveness: the process is up',
      access: 'public',
      responses: { 200: { description: 'Up', schema: z.object({ status: z.literal('ok') }) } },
    },
    [],
    ({ res }) => {
      res.json({ status: 'ok' });
    },
  );
  mountRoute(
    router,
    deps.registry,
    {
      method: 'get',
      path: '/readyz',
      tag: 'system',
      summary: 'Readiness: database reachable, migrations applied, limiter store reachable',
      access: 'public',
      responses: {
        200: { description: 'Ready', schema: z.object({ status: z.literal('ready'), checks: checkView }) },
      },
      errorCodes: ['SERVICE_UNAVAILABLE'],
    },
    [],
    async ({ req, res }) => {
      const report = await evaluateReadiness(deps.checks);
      res.setHeader('Cache-Control', 'no-store');
      if (report.ready) {
        res.json({ status: 'ready', checks: report.checks });
        return;
      }
      sendProblem(req, res, new AppError('SERVICE_UNAVAILABLE', { extensions: { readiness: 'not_ready', checks: report.checks } }));
    },
  );
  return router;
}
