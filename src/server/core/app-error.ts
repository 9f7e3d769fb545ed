import { errorCatalog, type ErrorCode } from './error-codes';

export interface AppErrorOptions {
  /** Human detail for this occurrence; never include secrets or the submitted values. */
  detail?: string;
  /** For throttling answers: whole seconds, at least 1; sent as `retry_after` and `Retry-After`. */
  retryAfterSeconds?: number;
  /** Extra non-secret members of the problem document (e.g. `trace_id`, `errors`). */
  extensions?: Record<string, unknown>;
  cause?: unknown;
}

/** A refusal with a stable error_code; the problem middleware turns it into problem+json. */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | undefined;
  readonly retryAfterSeconds: number | undefined;
  readonly extensions: Record<string, unknown>;

  constructor(code: ErrorCode, options: AppErrorOptions = {}) {
    super(errorCatalog[code].title, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCatalog[code].status;
    this.detail = options.detail;
    this.retryAfterSeconds =
      options.retryAfterSeconds === undefined ? undefined : Math.max(1, Math.ceil(options.retryAfterSeconds));
    this.extensions = options.extensions ?? {};
  }
}

export function isAppError(error: unknown): error is AppError {
  return error instanceof AppError;
}
