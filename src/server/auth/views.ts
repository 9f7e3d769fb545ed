import type { SecurityEventRow } from '../audit/store';
import type { AuthContext } from '../core/auth-context';
import { isAdminRole, type UserRow } from './user-store';

export function userToView(user: Pick<UserRow, 'id' | 'email' | 'role' | 'createdAt'>) {
  return {
    id: user.id,
    email: user.email,
    role: user.role,
    is_admin: isAdminRole(user.role),
    created_at: user.createdAt.toISOString(),
  };
}

export function sessionToView(session: { aal: number; authenticatedAt: Date; secondFactorRemembered?: boolean }, freshSeconds: number) {
  return {
    aal: session.aal === 2 ? (2 as const) : (1 as const),
    authenticated_at: session.authenticatedAt.toISOString(),
    fresh_until: new Date(session.authenticatedAt.getTime() + freshSeconds * 1000).toISOString(),
    second_factor_remembered: session.secondFactorRemembered === true,
  };
}

export function meToView(auth: AuthContext, freshSeconds: number) {
  return {
    user: { id: auth.user.id, email: auth.user.email, role: auth.user.role, is_admin: auth.user.isAdmin },
    session: sessionToView(auth.session, freshSeconds),
  };
}

export function securityEventToView(event: SecurityEventRow) {
  return {
    id: event.id,
    type: event.type,
    created_at: event.createdAt.toISOString(),
    ip: event.ip,
    user_agent: event.userAgent,
    details: event.details,
  };
}
