import { createCodeChecker } from './code-check';
import { createTwoFactorEnrolment } from './enrolment';
import { createTwoFactorLoginStep } from './login-step';
import type { Executor } from './store';
import { createAttemptThrottle } from './throttle';
import type { TwoFactorDeps, TwoFactorService } from './types';

export { totpSecretContext } from './code-check';
export type { SecondFactorInput, SetupResult, TwoFactorLimits, TwoFactorService, TwoFactorStatus } from './types';

/** The twofactor capability's logic: enrolment and the second login step, sharing one code checker and throttle. */
export function createTwoFactorService(deps: TwoFactorDeps): TwoFactorService {
  const parts = {
    codes: createCodeChecker(deps),
    throttle: createAttemptThrottle(deps.limits),
    hasOtherFactor: async (userId: string, executor?: Executor) =>
      ((await deps.otherFactors?.factorSummary(userId, executor))?.passkeys ?? 0) > 0,
  };
  return { ...createTwoFactorEnrolment(deps, parts), ...createTwoFactorLoginStep(deps, parts) };
}
