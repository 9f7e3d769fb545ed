import pino, { type DestinationStream, type Logger } from 'pino';

/**
 * Belt and braces: request logs are built by allow-list serializers (see http/request-logging.ts),
 * and these redact paths catch anything that still names a secret.
 */
export const REDACT_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-twilio-signature"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  'password',
  '*.password',
  'code',
  '*.code',
  'backup_code',
  '*.backup_code',
  'backup_codes',
  '*.backup_codes',
  'secret',
  '*.secret',
  'token',
  '*.token',
  'temp_token',
  '*.temp_token',
  'authToken',
  '*.authToken',
  'auth_token',
  '*.auth_token',
  'to',
  '*.to',
  'body',
  '*.body',
];

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'proofgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      formatters: { level: (label) => ({ level: label }) },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
