/**
 * Where a request came from: what every service records with its security events and what the
 * throttles key on. Built once per request by the HTTP layer (http/request-context.ts); the CLI
 * builds its own. Services receive it as a plain value and never see Express.
 */
export interface RequestOrigin {
  requestId: string;
  /** The client address as Express resolves it under TRUST_PROXY, IPv4-mapped IPv6 unwrapped. */
  ip: string;
  userAgent: string | undefined;
}
