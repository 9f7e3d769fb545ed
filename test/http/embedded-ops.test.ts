import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminSocketPath } from '../../src/server/ops/admin-channel';
import { adminChannelCommands } from '../../src/server/ops/admin-commands';
import { LOCK_FILE } from '../../src/server/db/data-dir-lock';
import { generateTotpCode } from '../../src/server/twofactor/totp';
import { bundleForNode, serverBundle } from '../../tools/build/server-bundle';
import { freePort, startChildServer, type ChildServer } from '../support/processes';
import { testDatabaseKind } from '../support/test-database';
import { TEST_APP_ENC_KEY } from '../support/test-server';

/**
 * The embedded database has one owner (the contract of the issue "the README's 'make an
 * admin' step silently does nothing while the server runs"): real server processes, and the
 * real CLI as a separate process, on one DATA_DIR.
 */
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
// The CLI bundled like the server (esbuild, well under a second): a tsx start-up costs seconds under load.
const cliBundle = path.join(repoRoot, 'dist', 'server', `cli.test-${process.pid}.js`);
const PASSWORD = 'a long passphrase of eve';

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** `npm run cli -- …` as a child process; bounded so a hung CLI fails the test instead of the run. */
function cli(dataDir: string, args: string[], stdin = '', env: Record<string, string> = {}): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [cliBundle, ...args], {
      env: { ...process.env, NODE_ENV: 'test', DATA_DIR: dataDir, APP_ENC_KEY: TEST_APP_ENC_KEY, LOG_LEVEL: 'warn', DATABASE_URL: '', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(stdin);
  });
}

function serverEnv(dataDir: string): Record<string, string> {
  return { DATA_DIR: dataDir, APP_ENC_KEY: TEST_APP_ENC_KEY, DATABASE_URL: '' };
}

async function post(url: string, body: unknown, cookie?: string) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown>, cookie: cookieOf(response) };
}

function cookieOf(response: Response): string | undefined {
  const session = response.headers.getSetCookie().find((c) => c.includes('session='));
  return session?.split(';')[0];
}

/** A code the server accepts now and that is not the step already burnt (±1 step is accepted). */
function totpAfter(secret: string, burntStep: number): { code: string; step: number } {
  const step = Math.max(Math.floor(Date.now() / 30_000), burntStep + 1);
  return { code: generateTotpCode(secret, step * 30_000), step };
}

function tempDataDir(): string {
  // Short: a Unix socket path is limited to about 100 characters.
  return fs.mkdtempSync(path.join(os.tmpdir(), 'pg-ops-'));
}

describe.skipIf(testDatabaseKind() !== 'pglite')('embedded database: one owner, the CLI beside the server, backup and restore', () => {
  const children: ChildServer[] = [];
  const dirs: string[] = [];

  beforeAll(async () => {
    await bundleForNode(path.join(repoRoot, 'src', 'server', 'cli', 'main.ts'), cliBundle);
  });

  afterAll(async () => {
    await Promise.all(children.map((c) => c.stop()));
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
    fs.rmSync(cliBundle, { force: true });
  });

  async function server(dataDir: string): Promise<ChildServer> {
    const child = await startChildServer(serverEnv(dataDir));
    children.push(child);
    // The admin channel opens before the server listens, so a CLI started now can reach it.
    expect(fs.existsSync(adminSocketPath(dataDir))).toBe(true);
    return child;
  }

  it('user:create --admin while the server runs: the new admin signs in at once', { timeout: 180_000 }, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const child = await server(dataDir);

    const created = await cli(dataDir, ['user:create', '--email', 'eve@example.com', '--admin'], `${PASSWORD}\n`);
    expect(created, created.stderr).toMatchObject({ code: 0 });
    expect(created.stdout).toContain('created admin eve@example.com');

    const login = await post(`${child.url}/api/auth/login`, { email: 'eve@example.com', password: PASSWORD });
    expect(login.status, JSON.stringify(login.body)).toBe(200);
    expect(login.body.user).toMatchObject({ email: 'eve@example.com', role: 'admin' });

    // The socket is the owner's alone.
    expect(fs.statSync(adminSocketPath(dataDir)).mode & 0o777).toBe(0o600);
    expect(fs.statSync(path.dirname(adminSocketPath(dataDir))).mode & 0o777).toBe(0o700);

    // Bad input over the channel is a clear message and exit 1, not a trace.
    const bad = await cli(dataDir, ['user:grant-admin', '--email', 'not-an-email']);
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim()).toBe('--email must be a valid email address');

    // keys:rotate runs with the server's keys: a different APP_ENC_KEY in the shell is refused, not silently ignored.
    const otherKey = Buffer.alloc(32, 9).toString('base64');
    const rotate = await cli(dataDir, ['keys:rotate'], '', { APP_ENC_KEY: otherKey, APP_ENC_KEYS_OLD: TEST_APP_ENC_KEY });
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toContain('restart the server with the new APP_ENC_KEY');

    // db:restore never runs beside a server: refused with the next step, exit 2.
    const restore = await cli(dataDir, ['db:restore', path.join(dataDir, 'nothing.tar.gz')]);
    expect(restore.code).toBe(2);
    expect(restore.stderr).toContain('stop the server');

    // SIGTERM releases the lock and removes the socket.
    await child.stop();
    expect(child.process.exitCode).toBe(0);
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
    expect(fs.existsSync(adminSocketPath(dataDir))).toBe(false);
  });

  it('a second server on the same DATA_DIR refuses to start, naming the process that holds it', { timeout: 180_000 }, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const first = await server(dataDir);

    const second = spawn(process.execPath, [serverBundle], {
      env: { ...process.env, NODE_ENV: 'test', HOST: '127.0.0.1', PORT: String(await freePort()), LOG_LEVEL: 'warn', SERVE_WEB: 'false', ...serverEnv(dataDir) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => second.once('exit', resolve));
    let output = '';
    second.stdout.on('data', (d) => (output += String(d)));
    second.stderr.on('data', (d) => (output += String(d)));
    const code = await exited;
    expect(code, output).toBe(1);
    expect(output).toContain(`already in use by server (pid ${first.process.pid} on host ${os.hostname()}`);
    expect(output).not.toMatch(/\n\s+at /); // no stack trace

    // The first server is unharmed.
    expect((await fetch(`${first.url}/readyz`)).status).toBe(200);
  });

  it('DATA_DIR held by a process without a channel: the CLI refuses with exit 2 and writes nothing', { timeout: 120_000 }, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    // This test process is alive and on this host: a lock naming it is not stale.
    fs.writeFileSync(
      path.join(dataDir, LOCK_FILE),
      JSON.stringify({ pid: process.pid, host: os.hostname(), started_at: new Date().toISOString(), role: 'server' }),
    );
    const run = await cli(dataDir, ['user:create', '--email', 'eve@example.com', '--admin'], `${PASSWORD}\n`);
    expect(run.code, run.stderr).toBe(2);
    expect(run.stderr).toContain(`is in use by server (pid ${process.pid}`);
    expect(run.stderr).toContain('Nothing was written');
    expect(run.stderr).toContain('Next step');
    expect(fs.existsSync(path.join(dataDir, 'pglite'))).toBe(false);

    // A lock left by a process that is gone is stale: the CLI takes DATA_DIR and works.
    fs.writeFileSync(
      path.join(dataDir, LOCK_FILE),
      JSON.stringify({ pid: 2 ** 22 + 1, host: os.hostname(), started_at: new Date().toISOString(), role: 'server' }),
    );
    const stale = await cli(dataDir, ['user:create', '--email', 'eve@example.com', '--admin'], `${PASSWORD}\n`);
    expect(stale.code, stale.stderr).toBe(0);
    expect(fs.existsSync(path.join(dataDir, LOCK_FILE))).toBe(false);
  });

  it('backup while running → wipe → restore: a 2FA user signs in with a TOTP code and a backup code; secrets decrypt', { timeout: 240_000 }, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const backupDir = tempDataDir();
    dirs.push(backupDir);
    const backupFile = path.join(backupDir, 'proofgate.tar.gz');
    let child = await server(dataDir);

    const email = 'totp@example.com';
    const register = await post(`${child.url}/api/auth/register`, { email, password: PASSWORD });
    expect(register.status, JSON.stringify(register.body)).toBe(201);
    const login = await post(`${child.url}/api/auth/login`, { email, password: PASSWORD });
    expect(login.cookie).toBeDefined();
    const setup = await post(`${child.url}/api/auth/2fa/setup`, {}, login.cookie);
    expect(setup.status, JSON.stringify(setup.body)).toBe(200);
    const secret = setup.body.secret as string;
    const confirmCode = totpAfter(secret, -1);
    const confirm = await post(`${child.url}/api/auth/2fa/confirm`, { code: confirmCode.code }, login.cookie);
    expect(confirm.status, JSON.stringify(confirm.body)).toBe(200);
    const backupCodes = confirm.body.backup_codes as string[];

    // Taken by the running server, written where the operator asked.
    const backup = await cli(dataDir, ['db:backup', backupFile]);
    expect(backup.code, backup.stderr).toBe(0);
    expect(backup.stdout).toContain('1 user(s)');
    expect(fs.statSync(backupFile).mode & 0o777).toBe(0o600);
    // An existing file is not overwritten without --force.
    const again = await cli(dataDir, ['db:backup', backupFile]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');

    await child.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });

    // A file that is not a backup is refused and changes nothing.
    fs.writeFileSync(path.join(backupDir, 'junk.tar.gz'), 'not a tarball');
    const junk = await cli(dataDir, ['db:restore', path.join(backupDir, 'junk.tar.gz')]);
    expect(junk.code).toBe(1);
    expect(junk.stderr).toContain('is not a backup made by db:backup');
    expect(fs.existsSync(path.join(dataDir, 'pglite', 'PG_VERSION'))).toBe(false);

    const restored = await cli(dataDir, ['db:restore', backupFile]);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('(1 user(s))');

    child = await server(dataDir);
    // The encrypted TOTP secret still decrypts (checked by the server, over the channel).
    const check = await cli(dataDir, ['keys:check']);
    expect(check.code, check.stdout + check.stderr).toBe(0);
    expect(check.stdout).toContain('secrets: 1');
    expect(check.stdout).toContain('OK: every secret decrypts');

    const first = await post(`${child.url}/api/auth/login`, { email, password: PASSWORD });
    expect(first.body.requires_2fa).toBe(true);
    const totp = totpAfter(secret, confirmCode.step);
    const verified = await post(`${child.url}/api/auth/2fa/verify`, { temp_token: first.body.temp_token, code: totp.code });
    expect(verified.status, JSON.stringify(verified.body)).toBe(200);
    expect(verified.cookie).toBeDefined();

    const second = await post(`${child.url}/api/auth/login`, { email, password: PASSWORD });
    const withBackupCode = await post(`${child.url}/api/auth/2fa/verify`, { temp_token: second.body.temp_token, backup_code: backupCodes[0] });
    expect(withBackupCode.status, JSON.stringify(withBackupCode.body)).toBe(200);
  });

  it('every CLI command that works on services is served by the admin channel', { timeout: 60_000 }, async () => {
    const dataDir = tempDataDir();
    dirs.push(dataDir);
    const help = await cli(dataDir, []);
    const listed = [...help.stderr.matchAll(/^ {2}([a-z0-9-]+:[a-z0-9-]+)\b/gm)].map((m) => m[1]);
    expect(listed.length).toBeGreaterThan(0);
    expect(listed.filter((name) => name !== 'db:restore').sort()).toEqual(Object.keys(adminChannelCommands).sort());
  });
});
