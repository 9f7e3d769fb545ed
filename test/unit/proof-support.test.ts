import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { afterEach, describe, expect, it } from 'vitest';
import { displayCurlCommand, parseCurlResponse } from '../../tools/proof/curl';
import { groupCommitsByScope, parseGitLog, GIT_LOG_FORMAT } from '../../tools/proof/git-changes';
import { planRun } from '../../tools/proof/plan';
import { buildReport } from '../../tools/proof/report/build';
import { renderHtml } from '../../tools/proof/report/html';
import { renderMarkdown } from '../../tools/proof/report/markdown';
import type { ProofReport } from '../../tools/proof/report/model';
import { MASK_CSS, SENSITIVE_SCREENS } from '../../tools/proof/screenshot-masks';
import { maskHeader, maskJsonSecrets, maskSecret, maskUrlCredentials, REDACTED, SecretRegistry } from '../../tools/proof/redact';

/** The plumbing the checks rely on: curl parsing, masking, the git grouping and the run plan. */

describe('curl output', () => {
  it('splits status line, headers and body, skipping an interim 100 Continue', () => {
    const raw = 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 429 Too Many Requests\r\nRetry-After: 900\r\nContent-Type: application/problem+json\r\n\r\n{"error_code":"TWO_FACTOR_LOCKED"}';
    const parsed = parseCurlResponse(raw);
    expect(parsed.status).toBe(429);
    expect(parsed.statusLine).toBe('HTTP/1.1 429 Too Many Requests');
    expect(parsed.headers).toEqual([
      ['Retry-After', '900'],
      ['Content-Type', 'application/problem+json'],
    ]);
    expect(parsed.bodyText).toBe('{"error_code":"TWO_FACTOR_LOCKED"}');
  });

  it('shows the command with the jar label and the masked body on stdin, never in argv', () => {
    const command = displayCurlCommand({ method: 'POST', url: 'http://127.0.0.1:1/api/auth/login', body: { password: 'x' } }, 'ada.jar', '{"password":"[redacted]"}');
    expect(command).toBe(
      "curl -sS -i --max-time 30 -X POST -b ada.jar -c ada.jar -H 'content-type: application/json' --data-binary @- http://127.0.0.1:1/api/auth/login <<'JSON'\n{\"password\":\"[redacted]\"}\nJSON",
    );
  });
});

describe('masking', () => {
  it('every mask is the same fixed marker: no prefix, no length, nothing of the value', () => {
    expect(REDACTED).toBe('[redacted]');
    for (const value of ['A'.repeat(43), 'SFGTJBSWY3DPEHPK3PXPJBSWY3DPEHPK', '123456', 'abcde-fghjk-mnpqr', 'x']) {
      expect(maskSecret(value)).toBe('[redacted]');
    }
  });

  it('replaces every recorded secret, the base32 secret in any case, a code only as a token of its own', () => {
    const secrets = new SecretRegistry();
    secrets.add('totp_secret', 'secret', 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP');
    secrets.add('totp_code', 'code', '123456');
    secrets.add('backup_code', 'backup', 'abcde-fghjk-mnpqr');
    const text = 'jbswy3dpehpk3pxpjbswy3dpehpk3pxp code 123456 in 91234567 ABCDEFGHJKMNPQR';
    expect(secrets.redactText(text)).toBe('[redacted] code [redacted] in 91234567 [redacted]');
  });

  it('masks secret JSON fields by name even when they were never recorded', () => {
    const masked = maskJsonSecrets({
      password: 'hunter2-hunter2-hunter2',
      temp_token: 'T'.repeat(43),
      backup_codes: ['abcde-fghjk-mnpqr'],
      otpauth_url: 'otpauth://totp/P:a?issuer=P&secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&digits=6',
      qr_data_url: `data:image/png;base64,${'i'.repeat(100)}`,
      nested: { code: '123456', email: 'a@b.test' },
    });
    expect(masked).toEqual({
      password: '[redacted]',
      temp_token: '[redacted]',
      backup_codes: ['[redacted]'],
      otpauth_url: 'otpauth://totp/P:a?issuer=P&secret=[redacted]&digits=6',
      qr_data_url: 'data:image/png;base64,[redacted]',
      nested: { code: '[redacted]', email: 'a@b.test' },
    });
  });

  it('masks cookie values in headers and passwords in URLs', () => {
    expect(maskHeader('Set-Cookie', `proofgate_session=${'s'.repeat(43)}; Path=/; HttpOnly`)).toBe('proofgate_session=[redacted]; Path=/; HttpOnly');
    expect(maskHeader('Set-Cookie', 'proofgate_session=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT')).toContain('proofgate_session=;');
    expect(maskUrlCredentials('postgres://postgres:very-secret-password-1@db:5432/x')).toBe('postgres://postgres:[redacted]@db:5432/x');
    expect(maskUrlCredentials('redis://127.0.0.1:6379')).toBe('redis://127.0.0.1:6379');
  });
});

describe('report.html stands alone', () => {
  let dir = '';
  afterEach(() => {
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
    dir = '';
  });

  function reportWithScreenshots(copied: string[]): ProofReport {
    return {
      folderName: 'test-run',
      items: [],
      run: { startedAt: '', finishedAt: '', durationMs: 0, command: 'npm run proof', nodeVersion: 'v20', curlVersion: 'curl', database: 'db', limiterStore: 'memory', twilio: 'fake', servers: [], notes: [] },
      git: { isGit: false, reason: 'not a git checkout' },
      guard: undefined,
      browser: { run: { command: 'npx vitest run --project browser', exitCode: 0, output: '', durationMs: 1 }, skipped: false, copied },
      transcripts: [],
      scan: undefined,
    };
  }

  it('embeds every screenshot as a data: URI and links to no .png file; report.md keeps relative links', () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'proof-html-test-'));
    fs.mkdirSync(path.join(dir, 'screenshots'));
    const shots = ['setup-qr.desktop.png', 'setup-qr.mobile.png', 'sign-in.desktop.png'];
    const bytes = new Map<string, Buffer>();
    shots.forEach((name, i) => {
      const png = new PNG({ width: 4, height: 3 });
      png.data.fill(40 * (i + 1));
      bytes.set(name, PNG.sync.write(png));
      fs.writeFileSync(path.join(dir, 'screenshots', name), bytes.get(name)!);
    });
    const blocks = buildReport(reportWithScreenshots(shots), new SecretRegistry());
    const html = renderHtml('proof', blocks, (src) => (fs.existsSync(path.join(dir, src)) ? fs.readFileSync(path.join(dir, src)) : undefined));

    const sources = [...html.matchAll(/<img src="([^"]+)"/g)].map((m) => m[1]!);
    expect(sources).toHaveLength(3);
    for (const src of sources) expect(src).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);
    // The very bytes of each file, in the story's order.
    expect(sources.map((src) => Buffer.from(src.split(',')[1]!, 'base64'))).toEqual([bytes.get('sign-in.desktop.png'), bytes.get('setup-qr.desktop.png'), bytes.get('setup-qr.mobile.png')]);
    expect(html).not.toMatch(/\.png["')]/);
    expect(html).not.toMatch(/(?:href|src)="(?!data:|#)/);

    expect(renderMarkdown(blocks)).toContain('(screenshots/setup-qr.desktop.png)');
  });

  it('a screenshot missing when the report is written says so instead of a broken link', () => {
    const blocks = buildReport(reportWithScreenshots(['lockout.desktop.png']), new SecretRegistry());
    const html = renderHtml('proof', blocks, () => undefined);
    expect(html).toContain('the picture was missing when this report was written');
    expect(html).not.toMatch(/<img /);
  });
});

describe('the screenshot masks: one helper, opaque blocks, the attribute in the UI', () => {
  const repo = path.resolve(import.meta.dirname, '../..');
  const read = (file: string) => fs.readFileSync(path.join(repo, file), 'utf8');

  it('no browser test takes a screenshot except through snap() in test/browser/support/browser.ts', () => {
    const files = fs.readdirSync(path.join(repo, 'test/browser'), { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts'));
    const takers = files.filter((f) => /\.screenshot\(/.test(read(path.join('test/browser', f))));
    expect(takers).toEqual([path.join('support', 'browser.ts')]);
  });

  it('the mask is an opaque solid block, not a blur', () => {
    expect(MASK_CSS).toContain('background: rgb(0 0 0) !important');
    expect(MASK_CSS).toContain('filter: brightness(0) !important');
    expect(MASK_CSS).not.toMatch(/blur|opacity:\s*0?\.|transparent/);
  });

  it('the UI marks every kind the scan expects on the screens that show secrets', () => {
    const ui = read('src/web/features/two-factor/setup-panel.tsx') + read('src/web/features/two-factor/backup-codes-once.tsx');
    for (const kind of new Set(Object.values(SENSITIVE_SCREENS).flat())) expect(ui).toContain(`data-sensitive="${kind}"`);
  });
});

describe('changes by scope', () => {
  const log = [
    `${GIT_LOG_FORMAT.replace('%h', 'aaa1111').replace('%s', 'feat(2fa): TOTP')}\n\nsrc/server/twofactor/totp.ts\nsrc/server/app.ts\n`,
    `${GIT_LOG_FORMAT.replace('%h', 'bbb2222').replace('%s', 'fix(auth)!: sessions')}\n\nsrc/server/auth/routes.ts\n`,
    `${GIT_LOG_FORMAT.replace('%h', 'ccc3333').replace('%s', 'docs(2fa): explain')}\n\nREADME.md\nsrc/server/app.ts\n`,
    `${GIT_LOG_FORMAT.replace('%h', 'ddd4444').replace('%s', 'Merge branch x')}\n\n`,
  ].join('');

  it('parses hash, subject, scope and files, and groups by scope in the design order', () => {
    const commits = parseGitLog(log);
    expect(commits.map((c) => [c.hash, c.type, c.scope, c.files.length])).toEqual([
      ['aaa1111', 'feat', '2fa', 2],
      ['bbb2222', 'fix', 'auth', 1],
      ['ccc3333', 'docs', '2fa', 2],
      ['ddd4444', undefined, undefined, 0],
    ]);
    const groups = groupCommitsByScope(commits);
    expect(groups.map((g) => g.scope)).toEqual(['auth', '2fa', '(no scope)']);
    expect(groups[1]!.files).toEqual(['README.md', 'src/server/app.ts', 'src/server/twofactor/totp.ts']);
  });
});

describe('run plan', () => {
  it('no keys: embedded database, the Twilio fake', () => {
    expect(planRun({})).toEqual({ databaseUrl: undefined, redisUrl: undefined, twilio: { kind: 'fake' } });
  });

  it('real keys with a destination: real Twilio', () => {
    const plan = planRun({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test',
      TWILIO_ACCOUNT_SID: `AC${'0a'.repeat(16)}`,
      TWILIO_AUTH_TOKEN: 'token',
      TWILIO_FROM_NUMBER: '+15005550006',
      PROOF_SMS_TO: '+14155550100',
    });
    expect(plan.databaseUrl).toBe('postgres://postgres@127.0.0.1:5432/test');
    expect(plan.twilio).toMatchObject({ kind: 'real', destination: '+14155550100' });
  });

  it('real keys without a destination are still real (B4 then fails), incomplete keys never fall back to the fake', () => {
    const keys = { TWILIO_ACCOUNT_SID: `AC${'0a'.repeat(16)}`, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM_NUMBER: '+15005550006' };
    expect(planRun(keys).twilio).toMatchObject({ kind: 'real', destination: undefined });
    expect(planRun({ TWILIO_ACCOUNT_SID: keys.TWILIO_ACCOUNT_SID }).twilio).toMatchObject({ kind: 'incomplete' });
    expect(planRun({ ...keys, PROOF_SMS_TO: '555' }).twilio).toMatchObject({ kind: 'incomplete', problems: [expect.stringMatching(/PROOF_SMS_TO/)] });
  });

  it('a PROOF_SMS_TO the SMS geo permissions refuse is named before anything starts; SMS_ALLOWED_COUNTRIES travels to the server', () => {
    const keys = { TWILIO_ACCOUNT_SID: `AC${'0a'.repeat(16)}`, TWILIO_AUTH_TOKEN: 'token', TWILIO_FROM_NUMBER: '+15005550006' };
    expect(planRun({ ...keys, PROOF_SMS_TO: '+2347010000000' }).twilio).toMatchObject({
      kind: 'incomplete',
      problems: [expect.stringMatching(/PROOF_SMS_TO is refused by the SMS geo permissions: Numbers in NG are refused; allowed: US/)],
    });
    expect(planRun({ ...keys, PROOF_SMS_TO: '+19005550100', SMS_ALLOWED_COUNTRIES: 'US' }).twilio).toMatchObject({ kind: 'incomplete' });
    const opened = planRun({ ...keys, PROOF_SMS_TO: '+2347010000000', SMS_ALLOWED_COUNTRIES: 'US,NG' }).twilio;
    expect(opened).toMatchObject({ kind: 'real', env: { SMS_ALLOWED_COUNTRIES: 'US,NG' } });
  });
});
