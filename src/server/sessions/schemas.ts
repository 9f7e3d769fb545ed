import { z } from 'zod';

/** Wire shapes of /api/auth/sessions and /api/auth/remembered-devices. */

export const sessionItemView = z.object({
  id: z.uuid().describe("The session row's random id: not the cookie token, not its hash"),
  device: z.string().describe('A short name for the browser, from its User-Agent ("Chrome on Linux")'),
  user_agent: z.string().nullable(),
  ip: z.string().nullable(),
  created_at: z.string(),
  last_seen_at: z.string(),
  aal: z.union([z.literal(1), z.literal(2)]),
  second_factor_remembered: z.boolean().describe('AAL2 reached through a remembered browser, not a code typed at this sign-in'),
  current: z.boolean(),
});

export const rememberedDeviceItemView = z.object({
  id: z.uuid(),
  device: z.string(),
  user_agent: z.string().nullable(),
  ip: z.string().nullable(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string(),
  current: z.boolean().describe('This browser holds the remembered-device cookie'),
});

export const sessionsOverviewView = z.object({
  sessions: z.array(sessionItemView),
  remembered_devices: z.array(rememberedDeviceItemView),
  remember_device_days: z.number().int().describe('TWO_FACTOR_REMEMBER_DAYS; 0 when remembering browsers is off'),
});

export const revokeOthersView = z.object({
  sessions_revoked: z.number().int(),
  remembered_devices_forgotten: z.number().int(),
});
