/**
 * Who the passkeys belong to (the WebAuthn relying party) and which page origins may use them.
 * Both come from PUBLIC_URL: a passkey is bound to its RP ID by the authenticator, so a phishing
 * site on another name gets nothing it can replay here. Without PUBLIC_URL (development only)
 * the RP ID is `localhost` and the origin is the server's own port on localhost.
 */
export interface RelyingParty {
  rpID: string;
  rpName: string;
  /** Origins a client response may name; `localPort` is the port the request arrived on. */
  expectedOrigins(localPort: number | undefined): string[];
}

export function relyingPartyFrom(config: { publicUrl: string | undefined; isProduction: boolean; name: string }): RelyingParty {
  if (config.publicUrl) {
    const url = new URL(config.publicUrl);
    return { rpID: url.hostname, rpName: config.name, expectedOrigins: () => [url.origin] };
  }
  return {
    rpID: 'localhost',
    rpName: config.name,
    // A production deployment without PUBLIC_URL accepts no origin at all: nothing to guess from.
    expectedOrigins: (localPort) => (config.isProduction || localPort === undefined ? [] : [`http://localhost:${localPort}`]),
  };
}
