import { Router } from 'express';
import { z } from 'zod';
import { mountRoute, type RouteRegistry } from '../http/route';
import { emailSchema } from './email';
import type { PasswordResetService } from './password-reset-service';

const forgotBody = z.strictObject({ email: emailSchema });
const resetBody = z.strictObject({
  token: z.string().min(1, { error: 'is required' }).max(200, { error: 'must be at most 200 characters' }),
  new_password: z.string().min(1, { error: 'is required' }).max(1024, { error: 'must be at most 1024 characters' }),
});
const FORGOT_ANSWER = { status: 'accepted', message: 'If an account uses this email, a password reset link is on its way.' } as const;

/** Password reset by email: public routes, throttled; the link's token is the only proof. */
export function createPasswordResetRoutes(deps: { registry: RouteRegistry; resets: PasswordResetService }): Router {
  const { registry, resets } = deps;
  const router = Router();

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/password/forgot',
      tag: 'auth',
      summary: 'Email a single-use password reset link',
      description:
        'Answers the same 202 and body whether or not an account uses the email, at the same speed (the lookup and the mail happen after the answer). Throttled per IP (PASSWORD_FORGOT_IP_MAX_PER_HOUR) and per email (PASSWORD_FORGOT_EMAIL_MAX_PER_HOUR). Without SMTP_URL and MAIL_FROM nothing is sent.',
      access: 'public',
      body: forgotBody,
      responses: { 202: { description: 'Accepted (also for unknown emails)', schema: z.object({ status: z.literal('accepted'), message: z.string() }) } },
      errorCodes: ['RATE_LIMITED', 'SERVICE_UNAVAILABLE'],
    },
    [],
    async ({ req, res, body }) => {
      const startFollowUp = await resets.requestReset(body.email, req.context);
      // The lookup and the mail begin once the answer is complete ('close' also fires when the
      // client went away), so nothing of them can delay or shape the 202.
      res.once('close', startFollowUp);
      res.status(202).json(FORGOT_ANSWER);
    },
  );

  mountRoute(
    router,
    registry,
    {
      method: 'post',
      path: '/api/auth/password/reset',
      tag: 'auth',
      summary: 'Set a new password with the token from a reset link',
      description:
        'The token works once, for PASSWORD_RESET_TTL seconds, and only while the password and second factor are unchanged since it was sent. Signs out every session; an account with two-factor still needs its second factor at the next sign-in.',
      access: 'public',
      body: resetBody,
      responses: { 204: { description: 'Password set; sign in with it' } },
      errorCodes: ['RESET_TOKEN_INVALID', 'RESET_TOKEN_EXPIRED', 'PASSWORD_TOO_SHORT', 'PASSWORD_TOO_LONG', 'PASSWORD_TOO_COMMON', 'SERVICE_UNAVAILABLE'],
    },
    [],
    async ({ req, res, body }) => {
      await resets.reset({ token: body.token, newPassword: body.new_password }, req.context);
      res.status(204).end();
    },
  );

  return router;
}
