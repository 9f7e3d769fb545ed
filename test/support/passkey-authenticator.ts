import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import { isoCBOR } from '@simplewebauthn/server/helpers';

/**
 * A test-only software authenticator (never product code): enough of WebAuthn to produce real
 * attestation ("none") and assertion responses, signed with a P-256 key, so HTTP tests can drive
 * the server's ceremonies and forge the bad cases (wrong origin, wrong RP ID, old counter, replay).
 * CBOR comes from the library's own encoder.
 */
export interface StoredCredential {
  id: Buffer;
  privateKey: KeyObject;
  publicJwk: { x: string; y: string };
  userHandle: string | undefined;
  rpId: string;
  counter: number;
}

const b64url = (data: Buffer | Uint8Array | string) => Buffer.from(data).toString('base64url');
const sha256 = (data: Buffer | string) => createHash('sha256').update(data).digest();

const FLAG_UP = 0x01;
const FLAG_UV = 0x04;
const FLAG_BE = 0x08;
const FLAG_BS = 0x10;
const FLAG_AT = 0x40;

export interface CeremonyOverrides {
  origin?: string;
  rpId?: string;
  challenge?: string;
  type?: string;
  userVerified?: boolean;
  /** Counter to put in the authenticator data (default: the next one). */
  counter?: number;
}

export class SoftwareAuthenticator {
  readonly credentials: StoredCredential[] = [];

  constructor(
    readonly origin: string,
    readonly options: { backupEligible?: boolean; userVerification?: boolean } = {},
  ) {}

  private flags(base: number, userVerified: boolean) {
    let flags = base | FLAG_UP;
    if (userVerified) flags |= FLAG_UV;
    if (this.options.backupEligible) flags |= FLAG_BE | FLAG_BS;
    return flags;
  }

  private clientData(type: string, challenge: string, origin: string) {
    return Buffer.from(JSON.stringify({ type, challenge, origin, crossOrigin: false }));
  }

  /** navigator.credentials.create(): answers PublicKeyCredentialCreationOptionsJSON. */
  create(options: any, overrides: CeremonyOverrides = {}) {
    const rpId = overrides.rpId ?? options.rp.id;
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = publicKey.export({ format: 'jwk' }) as { x: string; y: string };
    const id = randomBytes(16);
    const cose = new Map<number, number | Uint8Array>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, new Uint8Array(Buffer.from(jwk.x, 'base64url'))],
      [-3, new Uint8Array(Buffer.from(jwk.y, 'base64url'))],
    ]);
    const counter = overrides.counter ?? 0;
    const length = Buffer.alloc(2);
    length.writeUInt16BE(id.length);
    const authData = Buffer.concat([
      sha256(rpId),
      Buffer.from([this.flags(FLAG_AT, overrides.userVerified ?? this.options.userVerification ?? true)]),
      u32(counter),
      Buffer.alloc(16),
      length,
      id,
      Buffer.from(isoCBOR.encode(cose)),
    ]);
    const attestationObject = isoCBOR.encode(new Map<string, unknown>([['fmt', 'none'], ['attStmt', new Map()], ['authData', new Uint8Array(authData)]]) as never);
    const clientDataJSON = this.clientData(overrides.type ?? 'webauthn.create', overrides.challenge ?? options.challenge, overrides.origin ?? this.origin);
    this.credentials.push({ id, privateKey, publicJwk: jwk, userHandle: options.user?.id, rpId: options.rp.id, counter });
    return {
      id: b64url(id),
      rawId: b64url(id),
      type: 'public-key',
      clientExtensionResults: {},
      response: { clientDataJSON: b64url(clientDataJSON), attestationObject: b64url(attestationObject), transports: ['internal'] },
    };
  }

  /** navigator.credentials.get(): answers PublicKeyCredentialRequestOptionsJSON with `credential` (default: the first allowed or stored). */
  get(options: any, overrides: CeremonyOverrides = {}, credential?: StoredCredential) {
    const allowed: string[] = (options.allowCredentials ?? []).map((c: { id: string }) => c.id);
    const chosen = credential ?? this.credentials.find((c) => allowed.length === 0 || allowed.includes(b64url(c.id)));
    if (!chosen) throw new Error('no matching credential');
    const counter = overrides.counter ?? chosen.counter + 1;
    chosen.counter = Math.max(chosen.counter, counter);
    const authData = Buffer.concat([
      sha256(overrides.rpId ?? options.rpId ?? chosen.rpId),
      Buffer.from([this.flags(0, overrides.userVerified ?? this.options.userVerification ?? true)]),
      u32(counter),
    ]);
    const clientDataJSON = this.clientData(overrides.type ?? 'webauthn.get', overrides.challenge ?? options.challenge, overrides.origin ?? this.origin);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), chosen.privateKey);
    return {
      id: b64url(chosen.id),
      rawId: b64url(chosen.id),
      type: 'public-key',
      clientExtensionResults: {},
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(authData),
        signature: b64url(signature),
        ...(chosen.userHandle ? { userHandle: chosen.userHandle } : {}),
      },
    };
  }
}

function u32(value: number) {
  const buffer = Buffer.alloc(4);
  buffer.writeUInt32BE(value);
  return buffer;
}
