import { login } from './login';
import { backupCode, verify } from './second-factor';
import { hostSession, session } from './session';
import type { Scenario, ScenarioId } from './types';

export const SCENARIOS: Record<ScenarioId, Scenario> = { session, 'host-session': hostSession, verify, login, 'backup-code': backupCode };
export { FLOOD_KINDS, roundRatio, runFlood, type FloodPhase, type FloodKind } from './flood';
export * from './types';
