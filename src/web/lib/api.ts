import type {
  BackupCodesResult,
  IntegrationStatus,
  LoginResult,
  RecentSend,
  Me,
  SecondFactor,
  SecurityEvent,
  SessionInfo,
  SessionsOverview,
  SmsTestResult,
  SystemStatus,
  TwoFactorSetup,
  TwoFactorStatus,
  User,
} from './api-types';

/**
 * The one door to the API. Same origin, so the httpOnly SameSite=Strict session cookie rides
 * along; bodies are JSON (the API refuses anything else on state-changing calls); every failure
 * becomes an ApiError carrying the problem document's stable error_code.
 */

/** Codes the client itself produces when there is no problem document to read. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'UNEXPECTED_RESPONSE' | 'PASSKEY_CANCELLED' | 'PASSKEY_UNSUPPORTED';

export class ApiError extends Error {
  readonly status: number;
  readonly errorCode: string;
  readonly detail: string | undefined;
  /** Seconds, on 429 answers. */
  readonly retryAfterSeconds: number | undefined;
  /** SMS answers carry the trace id of the attempt, success or not. */
  readonly traceId: string | undefined;
  readonly providerErrorCode: string | undefined;
  readonly requestId: string | undefined;
  /** A refused second-factor code: wrong codes left before the lock (or, at login, before the attempt ends). */
  readonly attemptsRemaining: number | undefined;
  /** The refused code that used the last try: two-factor is locked from now for this long. */
  readonly lockedForSeconds: number | undefined;

  constructor(status: number, errorCode: string, problem: Record<string, unknown> = {}) {
    super(typeof problem.title === 'string' ? problem.title : errorCode);
    this.name = 'ApiError';
    this.status = status;
    this.errorCode = errorCode;
    this.detail = typeof problem.detail === 'string' ? problem.detail : undefined;
    this.retryAfterSeconds = typeof problem.retry_after === 'number' ? problem.retry_after : undefined;
    this.traceId = typeof problem.trace_id === 'string' ? problem.trace_id : undefined;
    this.providerErrorCode =
      typeof problem.provider_error_code === 'string' || typeof problem.provider_error_code === 'number'
        ? String(problem.provider_error_code)
        : undefined;
    this.requestId = typeof problem.request_id === 'string' ? problem.request_id : undefined;
    this.attemptsRemaining = typeof problem.attempts_remaining === 'number' ? problem.attempts_remaining : undefined;
    this.lockedForSeconds = typeof problem.locked_for_seconds === 'number' ? problem.locked_for_seconds : undefined;
  }
}

export function isApiError(error: unknown, code?: string): error is ApiError {
  return error instanceof ApiError && (code === undefined || error.errorCode === code);
}

async function readProblem(response: Response): Promise<ApiError> {
  let problem: Record<string, unknown> = {};
  try {
    const parsed: unknown = await response.json();
    if (parsed && typeof parsed === 'object') problem = parsed as Record<string, unknown>;
  } catch {
    // Not JSON (a proxy's error page): fall through to a generic code.
  }
  const code = typeof problem.error_code === 'string' ? problem.error_code : 'UNEXPECTED_RESPONSE';
  if (problem.retry_after === undefined) {
    const header = Number(response.headers.get('retry-after'));
    if (Number.isFinite(header) && header > 0) problem.retry_after = header;
  }
  return new ApiError(response.status, code, problem);
}

export async function apiRequest<T>(method: 'GET' | 'POST' | 'PATCH' | 'DELETE', path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json, application/problem+json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'NETWORK_ERROR');
  }
  if (!response.ok) throw await readProblem(response);
  if (response.status === 204) return undefined as T;
  try {
    return (await response.json()) as T;
  } catch {
    throw new ApiError(response.status, 'UNEXPECTED_RESPONSE');
  }
}

const get = <T>(path: string) => apiRequest<T>('GET', path);
const post = <T>(path: string, body?: unknown) => apiRequest<T>('POST', path, body);
const del = (path: string) => apiRequest<void>('DELETE', path);

export const api = {
  register: (email: string, password: string) => post<{ user: User }>('/api/auth/register', { email, password }),
  login: (email: string, password: string) => post<LoginResult>('/api/auth/login', { email, password }),
  verifySecondFactor: (tempToken: string, factor: SecondFactor, rememberDevice = false) =>
    post<{ user: User; session: SessionInfo; remembered_until: string | null }>('/api/auth/2fa/verify', {
      temp_token: tempToken,
      ...factor,
      ...(rememberDevice ? { remember_device: true } : {}),
    }),
  logout: () => post<void>('/api/auth/logout'),
  forgotPassword: (email: string) => post<{ status: 'accepted'; message: string }>('/api/auth/password/forgot', { email }),
  resetPassword: (token: string, newPassword: string) => post<void>('/api/auth/password/reset', { token, new_password: newPassword }),
  me: () => get<Me>('/api/auth/me'),
  reauthenticate: (password: string) => post<{ session: SessionInfo }>('/api/auth/reauthenticate', { password }),
  changePassword: (currentPassword: string, newPassword: string) =>
    post<{ session: SessionInfo; sessions_revoked: number }>('/api/auth/password', {
      current_password: currentPassword,
      new_password: newPassword,
    }),
  securityEvents: (limit = 50) => get<{ events: SecurityEvent[] }>(`/api/auth/security-events?limit=${limit}`),

  sessions: () => get<SessionsOverview>('/api/auth/sessions'),
  revokeSession: (id: string) => del(`/api/auth/sessions/${encodeURIComponent(id)}`),
  revokeOtherSessions: () =>
    post<{ sessions_revoked: number; remembered_devices_forgotten: number }>('/api/auth/sessions/revoke-others'),
  forgetRememberedDevice: (id: string) => del(`/api/auth/remembered-devices/${encodeURIComponent(id)}`),

  twoFactorStatus: () => get<TwoFactorStatus>('/api/auth/2fa/status'),
  startTwoFactorSetup: () => post<TwoFactorSetup>('/api/auth/2fa/setup'),
  confirmTwoFactor: (code: string) => post<BackupCodesResult & { enabled: true }>('/api/auth/2fa/confirm', { code }),
  disableTwoFactor: (factor: SecondFactor) => post<{ enabled: false; session: SessionInfo }>('/api/auth/2fa/disable', factor),
  regenerateBackupCodes: (factor: SecondFactor) => post<BackupCodesResult>('/api/auth/2fa/backup-codes/regenerate', factor),

  sendTestSms: (to: string, note?: string) => post<SmsTestResult>('/api/alerts/sms/test', note ? { to, note } : { to }),
  integrationsStatus: (refresh = false) =>
    get<{ integrations: IntegrationStatus[] }>(`/api/integrations/status${refresh ? '?refresh=1' : ''}`),
  systemStatus: () => get<SystemStatus>('/api/system/status'),
  recentSmsSends: (limit = 10) => get<{ sends: RecentSend[] }>(`/api/integrations/twilio/sends?limit=${limit}`),
};
