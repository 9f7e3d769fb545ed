import pino, { type DestinationStream, type Logger } from 'pino';
import { CENSORED, censorSecrets, SECRET_FIELD_NAMES } from './log-censor';

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { service: 'proofgate' },
      timestamp: pino.stdTimeFunctions.isoTime,
      // Request logs are built by allow-list serializers (http/request-logging.ts); any field that
      // still names a secret is censored: at any depth of a line by the log formatter, and at the
      // top level of a child logger's bindings (which pino never passes to that formatter) by
      // redact paths without wildcards, a cheap per-key lookup.
      formatters: { level: (label) => ({ level: label }), log: censorSecrets },
      redact: { paths: [...SECRET_FIELD_NAMES], censor: CENSORED },
    },
    destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
