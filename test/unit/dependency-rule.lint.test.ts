import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rule is enforced by `npm run lint` (eslint.config.js, docs/architecture.md).
 * These cases plant a wrong-way import into a real file path and check that lint refuses it,
 * so a loosened config cannot pass unnoticed; the right-way imports must stay allowed.
 */
const root = path.resolve(import.meta.dirname, '../..');
const eslint = new ESLint({ cwd: root });

async function restrictedImportErrors(filePath: string, source: string): Promise<string[]> {
  const [result] = await eslint.lintText(source, { filePath: path.join(root, filePath) });
  return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
}

describe('dependency rule (npm run lint)', () => {
  it.each([
    ['a service importing from http/', 'src/server/auth/account-service.ts', "import { mountRoute } from '../http/route';\nexport const x = mountRoute;\n"],
    ['a store importing express', 'src/server/twofactor/store.ts', "import type { Request } from 'express';\nexport type X = Request;\n"],
    ['limits importing a capability port', 'src/server/limits/limit-gate.ts', "import type { LoginThrottle } from '../auth/account-service';\nexport type X = LoginThrottle;\n"],
    ['the foundation importing the composition root', 'src/server/lib/clock.ts', "import { createThrottles } from '../composition/throttle-policy';\nexport const x = createThrottles;\n"],
    ['integrations importing alerts', 'src/server/integrations/service.ts', "import type { SmsTestLimits } from '../alerts/service';\nexport type X = SmsTestLimits;\n"],
    ['a capability importing app.ts', 'src/server/alerts/service.ts', "import { createServices } from '../app';\nexport const x = createServices;\n"],
  ])('refuses %s', async (_name, filePath, source) => {
    expect(await restrictedImportErrors(filePath, source)).not.toEqual([]);
  });

  it.each([
    ['a route importing http/', 'src/server/auth/routes.ts', "import { mountRoute } from '../http/route';\nexport const x = mountRoute;\n"],
    ['a service importing core and lib', 'src/server/auth/account-service.ts', "import { AppError } from '../core/app-error';\nimport type { Clock } from '../lib/clock';\nexport type X = [AppError, Clock];\n"],
    ['alerts importing integrations', 'src/server/alerts/service.ts', "import type { SmsProvider } from '../integrations/sms-provider';\nexport type X = SmsProvider;\n"],
    ['the composition root importing everything', 'src/server/composition/throttle-policy.ts', "import type { LoginThrottle } from '../auth/account-service';\nexport type X = LoginThrottle;\n"],
  ])('allows %s', async (_name, filePath, source) => {
    expect(await restrictedImportErrors(filePath, source)).toEqual([]);
  });
});

describe('unit sizes (npm run lint)', () => {
  async function ruleIds(filePath: string, source: string): Promise<string[]> {
    const [result] = await eslint.lintText(source, { filePath: path.join(root, filePath) });
    return (result?.messages ?? []).map((message) => message.ruleId ?? '');
  }
  const functionOf = (lines: number) => `export function long(): number {\n${'  let x = 1;\n'.repeat(lines - 3)}  return 1;\n}\n`;

  it('refuses a server function over 80 lines and allows one of 80', async () => {
    expect(await ruleIds('src/server/auth/account-service.ts', functionOf(81))).toContain('max-lines-per-function');
    expect(await ruleIds('src/server/auth/account-service.ts', functionOf(80))).not.toContain('max-lines-per-function');
  });

  it('refuses a source file over 300 lines, except the generated shadcn primitives', async () => {
    const longFile = `${'export const a = 1;\n'.repeat(301)}`.replace(/export const a = 1;/g, (_m, offset: number) => `export const a${offset} = 1;`);
    expect(await ruleIds('src/web/lib/security-events.ts', longFile)).toContain('max-lines');
    expect(await ruleIds('src/server/auth/routes.ts', longFile)).toContain('max-lines');
    expect(await ruleIds('src/web/components/ui/button.tsx', longFile)).not.toContain('max-lines');
  });
});
