import { describeUserAgent } from '../../common/user-agent';
import type { SessionRow } from '../auth/session-store';
import type { RememberedDeviceRow } from './device-store';

export function sessionItemToView(session: SessionRow & { current: boolean }) {
  return {
    id: session.id,
    device: describeUserAgent(session.userAgent),
    user_agent: session.userAgent,
    ip: session.ip,
    created_at: session.createdAt.toISOString(),
    last_seen_at: session.lastSeenAt.toISOString(),
    aal: session.aal === 2 ? (2 as const) : (1 as const),
    second_factor_remembered: session.secondFactorRemembered,
    current: session.current,
  };
}

export function rememberedDeviceToView(device: RememberedDeviceRow & { current: boolean }) {
  return {
    id: device.id,
    device: describeUserAgent(device.userAgent),
    user_agent: device.userAgent,
    ip: device.ip,
    created_at: device.createdAt.toISOString(),
    last_used_at: device.lastUsedAt?.toISOString() ?? null,
    expires_at: device.expiresAt.toISOString(),
    current: device.current,
  };
}
