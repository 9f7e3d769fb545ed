/**
 * Belt and braces for the logs: request lines and telemetry are built by allow-list, and this
 * censors any field that still names a secret, wherever it sits in a plain object or array.
 *
 * It replaces pino's `redact` paths, which did the same for the names below: with wildcard
 * paths, pino 10's redactor parses every path again for every field of every line, and that
 * was about a fifth of all memory allocated per request (npm run bench, docs/performance.md).
 * This is one pass over the object's own keys, and it copies only what it censors.
 */
export const CENSORED = '[redacted]';

/** Field names (compared in lower case) whose values never reach a log line. */
export const SECRET_FIELD_NAMES: ReadonlySet<string> = new Set([
  'password',
  'code',
  'backup_code',
  'backup_codes',
  'secret',
  'token',
  'temp_token',
  'authtoken',
  'auth_token',
  'to',
  'body',
  'cookie',
  'authorization',
  'set-cookie',
  'x-twilio-signature',
]);

/** Deep enough for `req.headers.cookie`; logged objects are flat by design. */
const MAX_DEPTH = 4;

function isPlainObject(value: object): value is Record<string, unknown> {
  const prototype = Object.getPrototypeOf(value) as unknown;
  return prototype === Object.prototype || prototype === null;
}

/**
 * Only plain objects and arrays are walked: a request, response or error is turned into a plain
 * object by its allow-list serializer, which builds it from named fields only.
 */
function censorValue(value: unknown, depth: number): unknown {
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const censored = censorValue(value[i], depth + 1);
      if (censored !== value[i]) (copy ??= [...value])[i] = censored;
    }
    return copy ?? value;
  }
  if (!isPlainObject(value)) return value;
  let copy: Record<string, unknown> | undefined;
  for (const key of Object.keys(value)) {
    const field = value[key];
    const censored = SECRET_FIELD_NAMES.has(key.toLowerCase()) ? CENSORED : censorValue(field, depth + 1);
    if (censored !== field) (copy ??= { ...value })[key] = censored;
  }
  return copy ?? value;
}

/** The object with every secret-named field replaced; the caller's object is never changed. */
export function censorSecrets<T extends Record<string, unknown>>(fields: T): T {
  return censorValue(fields, 0) as T;
}
