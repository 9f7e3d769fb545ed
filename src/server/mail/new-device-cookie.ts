import type { DeviceCookie } from '../http/device-cookie';
import type { Notices } from './notices';

/**
 * Credential changes move the epoch a device cookie is signed over, so a browser that signed in
 * before a password or factor change no longer holds a cookie valid for the current epoch. For
 * "is this a new device" it still counts as known if its cookie was valid under one of the
 * recent epochs: otherwise turning on 2FA would be followed by a "new sign-in" email.
 */
const EPOCHS_LOOKED_BACK = 50;

/**
 * The device cookie, telling the account owner by email when a full sign-in comes from a browser
 * that never signed in to the account before. Only the HTTP edge knows the browser, so this
 * wraps the cookie the auth and 2FA routes already issue after every full sign-in.
 */
export function withNewDeviceNotice(inner: DeviceCookie, deps: { findUserId: (email: string) => Promise<string | undefined>; notices: Notices }): DeviceCookie {
  return {
    deviceIdFor: (req, email, epoch) => inner.deviceIdFor(req, email, epoch),
    issue(req, res, email, credentialEpoch) {
      let known = !deps.notices.enabled;
      for (let epoch = credentialEpoch; epoch >= Math.max(0, credentialEpoch - EPOCHS_LOOKED_BACK) && !known; epoch -= 1) {
        known = inner.deviceIdFor(req, email, epoch) !== undefined;
      }
      inner.issue(req, res, email, credentialEpoch);
      if (known || !deps.notices.enabled) return;
      const origin = { ip: req.context.ip, userAgent: req.context.userAgent, requestId: req.context.requestId };
      deps.notices.later(async () => {
        const userId = await deps.findUserId(email);
        if (userId) await deps.notices.notify(userId, 'new_device_sign_in', origin);
      });
    },
  };
}
