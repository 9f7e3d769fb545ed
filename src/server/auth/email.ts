import { z } from 'zod';

/** One spelling per mailbox: trimmed, Unicode NFC, lower-case (so Alice@X and alice@x are one account). */
export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFC').toLowerCase();
}

export const emailSchema = z
  .string()
  .max(254, { error: 'must be at most 254 characters' })
  .transform(normalizeEmail)
  .pipe(z.email({ error: 'must be a valid email address' }));
