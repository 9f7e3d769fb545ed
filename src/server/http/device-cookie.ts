import { createHmac, hkdfSync } from 'node:crypto';
import type { Request, Response } from 'express';
import type { RandomBytes } from '../lib/random';
import { timingSafeEqualStrings } from '../lib/tokens';

/**
 * OWASP "slow brute force protection using device cookies": a browser that completed a full
 * sign-in to an account gets a signed cookie naming that account. Password attempts carrying
 * it skip the per-account throttle (they have their own per-device one), so an attacker who
 * hammers a victim's email from elsewhere cannot lock the victim out of their own devices
 * (ASVS 5.0 6.1.1 / 6.3.1: no malicious lockout).
 *
 * The cookie is signed over the account's credential epoch too: a password or factor change
 * voids every device cookie issued before it, so cookies collected with an old password buy no
 * extra guesses against the new one.
 */
export const DEVICE_COOKIE_DEV = 'proofgate_device';
export const DEVICE_COOKIE_PRODUCTION = '__Host-proofgate_device';
const DEVICE_COOKIE_MAX_AGE_SECONDS = 180 * 24 * 3600;

export interface DeviceCookie {
  /** The device id when the cookie is present, intact and issued for this email under this credential epoch. */
  deviceIdFor(req: Request, email: string, credentialEpoch: number): string | undefined;
  /**
   * Marks the browser as a known device after a full sign-in. A browser that already holds a
   * valid cookie for this account and epoch keeps it: one browser is one device, however often
   * it signs in, so signing in again and again cannot multiply per-device guesses.
   */
  issue(req: Request, res: Response, email: string, credentialEpoch: number): void;
}

export function createDeviceCookie(options: { isProduction: boolean; masterKey: Buffer; randomBytes: RandomBytes }): DeviceCookie {
  const name = options.isProduction ? DEVICE_COOKIE_PRODUCTION : DEVICE_COOKIE_DEV;
  const macKey = Buffer.from(hkdfSync('sha256', options.masterKey, Buffer.alloc(0), 'proofgate device cookie v2', 32));
  const mac = (deviceId: string, email: string, credentialEpoch: number) =>
    createHmac('sha256', macKey).update(`v2\u0000${deviceId}\u0000${email}\u0000${credentialEpoch}`).digest('base64url');

  function deviceIdFor(req: Request, email: string, credentialEpoch: number): string | undefined {
    const value = (req.cookies as Record<string, unknown> | undefined)?.[name];
    if (typeof value !== 'string' || value.length > 200) return undefined;
    const [version, deviceId, signature] = value.split('.');
    if (version !== 'v2' || !deviceId || !signature || !/^[A-Za-z0-9_-]{22}$/.test(deviceId)) return undefined;
    return timingSafeEqualStrings(signature, mac(deviceId, email, credentialEpoch)) ? deviceId : undefined;
  }

  return {
    deviceIdFor,
    issue(req, res, email, credentialEpoch) {
      if (deviceIdFor(req, email, credentialEpoch)) return;
      const deviceId = options.randomBytes(16).toString('base64url');
      res.cookie(name, `v2.${deviceId}.${mac(deviceId, email, credentialEpoch)}`, {
        httpOnly: true,
        sameSite: 'strict',
        secure: options.isProduction,
        path: '/',
        maxAge: DEVICE_COOKIE_MAX_AGE_SECONDS * 1000,
      });
    },
  };
}
