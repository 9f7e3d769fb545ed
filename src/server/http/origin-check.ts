import type { Request, RequestHandler } from 'express';
import ipaddr from 'ipaddr.js';
import { AppError } from '../core/app-error';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface OriginPolicy {
  /** PUBLIC_URL's origin and ALLOWED_ORIGINS: exact `scheme://host[:port]` strings. */
  allowedOrigins: readonly string[];
  /**
   * Development only: also allow the address this server is listening on, as
   * http://127.0.0.1:PORT, http://localhost:PORT, http://[::1]:PORT and the socket's own IP.
   */
  allowOwnAddress: boolean;
}

/**
 * The origins under which the server itself is reachable, from the accepted socket: its local
 * port and local address are facts of the connection, not headers the client chose. The Host
 * header never counts: a DNS-rebinding page at http://evil.example:PORT whose name now points
 * at 127.0.0.1 sends Origin and Host that agree with each other, but its Origin is a host
 * name, and only loopback names and IP literals of the socket are accepted here.
 */
export function ownOrigins(req: Request): string[] {
  const port = req.socket.localPort;
  if (port === undefined) return [];
  const origins = [`http://127.0.0.1:${port}`, `http://localhost:${port}`, `http://[::1]:${port}`];
  const local = req.socket.localAddress;
  if (local && ipaddr.isValid(local)) {
    let address = ipaddr.parse(local);
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) address = (address as ipaddr.IPv6).toIPv4Address();
    // The URL parser spells hosts the way browsers put them in Origin (IPv6 compressed, in brackets).
    const host = address.kind() === 'ipv6' ? `[${address.toString()}]` : address.toString();
    origins.push(new URL(`http://${host}:${port}`).origin);
  }
  return origins;
}

/**
 * CSRF defence in depth beside SameSite=Strict cookies: a state-changing request whose
 * Origin is not in the allow-list (PUBLIC_URL's origin, ALLOWED_ORIGINS, and in development
 * the server's own listening address) is refused. Requests with no Origin at all (curl,
 * servers, Twilio callbacks) carry no ambient browser credentials and pass, unless the
 * browser says the request is cross-site (Sec-Fetch-Site).
 */
export function originCheck(policy: OriginPolicy): RequestHandler {
  const allowed = new Set(policy.allowedOrigins);
  return (req, _res, next) => {
    if (SAFE_METHODS.has(req.method)) return next();
    const origin = req.get('origin');
    if (origin === undefined) {
      if (req.get('sec-fetch-site') === 'cross-site') return next(new AppError('ORIGIN_REJECTED'));
      return next();
    }
    if (allowed.has(origin)) return next();
    if (policy.allowOwnAddress && ownOrigins(req).includes(origin)) return next();
    return next(new AppError('ORIGIN_REJECTED', { detail: 'This origin may not make state-changing requests' }));
  };
}
