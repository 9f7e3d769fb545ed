type WebAuthn = typeof import('@simplewebauthn/server');
type WebAuthnHelpers = typeof import('@simplewebauthn/server/helpers');

let server: Promise<WebAuthn> | undefined;
let helpers: Promise<WebAuthnHelpers> | undefined;

/**
 * @simplewebauthn/server, with its ASN.1, COSE and certificate dependencies (several MB of
 * memory), is loaded by the first passkey ceremony rather than at start: a server whose users
 * never touch passkeys does not carry it (docs/performance.md, memory).
 */
export function loadWebAuthn(): Promise<WebAuthn> {
  server ??= import('@simplewebauthn/server');
  return server;
}

export function loadWebAuthnHelpers(): Promise<WebAuthnHelpers> {
  helpers ??= import('@simplewebauthn/server/helpers');
  return helpers;
}
