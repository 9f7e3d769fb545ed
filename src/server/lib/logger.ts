import pino, { type DestinationStream, type Logger } from 'pino';
import { CENSORED, censorSecrets, SECRET_FIELD_NAMES } from './log-censor';

/**
 * Where log lines go unless a destination is given: stdout, written synchronously (pino's own
 * default mode). An asynchronous destination hands every line to libuv's thread pool, which here
 * belongs to argon2: during sign-ins a line waited behind a hash, and every write cost a hand-off
 * to a pool thread and back (alternated A/B of 2FA verifies: 0.93 -> 0.89 ms of server CPU each).
 * A synchronous write also cannot lose the last lines before an exit or a crash. The cost is
 * backpressure: a stdout reader that stops reading stalls the server, as with pino's default.
 */
function stdoutDestination(): DestinationStream {
  return pino.destination({ dest: 1, sync: true });
}

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
    destination ?? stdoutDestination(),
  );
}
