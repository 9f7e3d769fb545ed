import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { normalizeIp } from '../core/client-address';

/** A caller-supplied X-Request-Id is kept only if it is short and plain, so it cannot inject into logs. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{8,64}$/;

export function requestContext(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const requestId = incoming && SAFE_REQUEST_ID.test(incoming) ? incoming : randomUUID();
    const userAgent = req.get('user-agent');
    req.context = {
      requestId,
      ip: normalizeIp(req.ip),
      userAgent: userAgent ? userAgent.slice(0, 512) : undefined,
    };
    res.setHeader('X-Request-Id', requestId);
    next();
  };
}
