import helmet from 'helmet';
import type { RequestHandler } from 'express';

/**
 * Response headers for Proofgate's own answers (the API and the built UI): a strict CSP (the UI
 * loads nothing from elsewhere; QR codes are data: URLs), no framing, no referrer, and HSTS in
 * production. Mounted in a host app they cover only Proofgate's routes; the host's pages keep
 * the host's own policy.
 */
export function securityHeaders(options: { isProduction: boolean }): RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: true,
      directives: {
        'default-src': ["'self'"],
        'script-src': ["'self'"],
        'style-src': ["'self'"],
        // QR codes are PNG data URLs.
        'img-src': ["'self'", 'data:'],
        'connect-src': ["'self'"],
        'frame-ancestors': ["'none'"],
        'form-action': ["'self'"],
        'upgrade-insecure-requests': options.isProduction ? [] : null,
      },
    },
    strictTransportSecurity: options.isProduction ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    referrerPolicy: { policy: 'no-referrer' },
  });
}
