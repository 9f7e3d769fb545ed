import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STRONG_PASSWORD, startTestServer, uniqueEmail, type TestServer } from '../support/test-server';
import { launchChromium, openPage, type ConsoleWatch } from './support/browser';
import { reportSceneOnFailure } from './support/failure-report';

/**
 * Real WebAuthn ceremonies in Chromium, with the DevTools protocol's virtual authenticator
 * (ctap2, internal, resident keys, user verification) standing in for a phone or a laptop's
 * screen lock: add a passkey, sign in with password + passkey, sign in with the passkey alone,
 * see an assertion made on another origin refused, remove the passkey.
 *
 * The page is opened on http://localhost:PORT: WebAuthn refuses IP addresses as RP IDs, and
 * without PUBLIC_URL the server's RP ID is `localhost`.
 */
let server: TestServer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let watch: ConsoleWatch;
let cdp: CDPSession;
let origin = '';
let elsewhere: http.Server;
let elsewhereOrigin = '';

const email = uniqueEmail('passkey');

async function signOut() {
  await page.getByRole('button', { name: 'Sign out' }).click();
  await page.getByRole('heading', { name: 'Sign in' }).waitFor();
}

async function expectSettingsPage() {
  await page.getByRole('heading', { name: 'Security settings' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/settings/security');
}

async function credentialCount(authenticatorId: string) {
  const { credentials } = await cdp.send('WebAuthn.getCredentials', { authenticatorId });
  return credentials;
}

let authenticatorId = '';

beforeAll(async () => {
  server = await startTestServer({ env: { SERVE_WEB: 'true' } });
  origin = server.url.replace('127.0.0.1', 'localhost');
  // Another origin with the same RP ID (localhost on another port): what a look-alike page could ask for.
  elsewhere = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html');
    res.end('<!doctype html><title>elsewhere</title><p>elsewhere</p>');
  });
  await new Promise<void>((resolve) => elsewhere.listen(0, '127.0.0.1', resolve));
  elsewhereOrigin = `http://localhost:${(elsewhere.address() as AddressInfo).port}`;

  const registered = await server.client().post('/api/auth/register', { email, password: STRONG_PASSWORD });
  expect(registered.status).toBe(201);

  browser = await launchChromium();
  ({ context, page, watch } = await openPage(browser, origin));
  cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  ({ authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  }));
}, 120_000);

reportSceneOnFailure(() => ({ page, server, watch }));

afterAll(async () => {
  await browser?.close();
  await new Promise((resolve) => elsewhere?.close(resolve));
  await server?.close();
});

describe('passkeys in the browser', () => {
  it('adds a passkey from Settings → Security: backup codes once, the passkey listed', async () => {
    await page.goto(`${origin}/sign-in`);
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSettingsPage();

    await page.getByRole('button', { name: 'Add a passkey' }).click();
    await page.getByText('I have saved these backup codes somewhere safe').waitFor();
    await page.getByLabel('I have saved these backup codes somewhere safe').check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByTestId('passkey-item').waitFor();
    expect(await page.getByTestId('passkey-name').textContent()).toBe('Passkey 1');
    const credentials = await credentialCount(authenticatorId);
    expect(credentials).toHaveLength(1);
    expect(credentials[0]!.isResidentCredential).toBe(true);
    expect(credentials[0]!.rpId).toBe('localhost');
  });

  it('renames it', async () => {
    await page.getByRole('button', { name: 'Rename Passkey 1' }).click();
    await page.getByLabel('Name').fill('Virtual laptop');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.getByText('Renamed to "Virtual laptop".').waitFor();
  });

  it('signs in with password, then "Use a passkey" (AAL2)', async () => {
    await signOut();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication' }).waitFor();
    await page.getByRole('button', { name: 'Use a passkey' }).click();
    await expectSettingsPage();
    const me = await page.evaluate('fetch("/api/auth/me").then((r) => r.json())');
    expect((me as { session: { aal: number } }).session.aal).toBe(2);
    await page.getByText(/Last used/).first().waitFor();
    expect(await page.getByTestId('passkey-item').textContent()).not.toContain('Last used Never');
  });

  it('signs in with the passkey alone: "Sign in with a passkey"', async () => {
    await signOut();
    await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
    await expectSettingsPage();
    const me = (await page.evaluate('fetch("/api/auth/me").then((r) => r.json())')) as { user: { email: string }; session: { aal: number } };
    expect(me.user.email).toBe(email);
    expect(me.session.aal).toBe(2);
  });

  it('refuses an assertion the same authenticator made for another origin', async () => {
    const options = await server.client().post('/api/auth/passkeys/authentication/options', {});
    expect(options.status).toBe(200);
    await page.goto(`${elsewhereOrigin}/`);
    // The authenticator signs happily for another localhost origin (same RP ID): only the server's origin check stands in the way.
    const response = await page.evaluate(`(async () => {
      const b64 = (s) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/')), (c) => c.charCodeAt(0));
      const credential = await navigator.credentials.get({ publicKey: { challenge: b64(${JSON.stringify(options.body.challenge)}), rpId: 'localhost', userVerification: 'required' } });
      return credential.toJSON();
    })()`);
    const refused = await server.client().post('/api/auth/passkeys/authentication/verify', { response });
    expect(refused.status).toBe(400);
    expect(refused.body.error_code).toBe('PASSKEY_VERIFICATION_FAILED');
    await page.goto(`${origin}/settings/security`);
    await expectSettingsPage();
  });

  it('removes the last passkey: two-factor turns off', async () => {
    await page.getByRole('button', { name: 'Remove Virtual laptop' }).click();
    await page.getByRole('button', { name: 'Confirm removal' }).click();
    await page.getByText(/two-factor authentication is now off/).waitFor();
    await page.getByText('No passkeys yet.').waitFor();
    await signOut();
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(STRONG_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expectSettingsPage();
    expect(watch.errors).toEqual([]);
    expect(watch.cspViolations).toEqual([]);
  });
});
