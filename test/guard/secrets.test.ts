import { afterAll, describe, expect, it } from 'vitest';
import { secretsCheckName } from '../../tools/guard/checks/secrets';
import { formatResults } from '../../tools/guard/report';
import { encryptionKeyLine, hex32, pemPrivateKey, randomEncryptionKey, twilioLikeSid } from './support/fixtures';
import { createScratchRepo, guardRange, guardTree, loadProjectPolicy, removeScratchDirs, resultNamed } from './support/scratch-repo';

afterAll(removeScratchDirs);

function secretsResultForTree(files: Record<string, string>, policy = loadProjectPolicy()) {
  const repo = createScratchRepo();
  repo.commit('feat: add files', files);
  return resultNamed(guardTree(repo.dir, policy), secretsCheckName);
}

describe('no committed secrets', () => {
  it('passes a clean tree, including .env.example with empty values', () => {
    const result = secretsResultForTree({ 'src/server/config.ts': 'export const key = process.env.APP_ENC_KEY;\n' });
    expect(result).toMatchObject({ passed: true, findings: [] });
  });

  it('fails a PEM private key and names the file and line', () => {
    const result = secretsResultForTree({ 'deploy/server.pem': `# staging\n${pemPrivateKey()}` });
    expect(result.passed).toBe(false);
    expect(result.findings).toEqual([expect.objectContaining({ path: 'deploy/server.pem', line: 2, detail: 'PEM private key' })]);
  });

  it('fails a Twilio Account SID committed together with an auth token, without printing either', () => {
    const sid = twilioLikeSid('AC');
    const token = hex32();
    const result = secretsResultForTree({ 'src/server/twilio.ts': `const accountSid = '${sid}';\nconst authToken = '${token}';\n` });
    expect(result.passed).toBe(false);
    expect(result.findings.map((finding) => finding.line)).toEqual([1, 2]);
    const printed = formatResults([result]).join('\n');
    expect(printed).toContain('src/server/twilio.ts:2:');
    expect(printed).not.toContain(token);
    expect(printed).not.toContain(sid);
  });

  it('fails an API key SID with its secret in an env-style file', () => {
    const result = secretsResultForTree({ 'config/twilio.txt': `TWILIO_API_KEY=${twilioLikeSid('SK')}\nTWILIO_API_SECRET=${hex32()}\n` });
    expect(result.passed).toBe(false);
  });

  it('passes a SID on its own (an identifier, not a credential)', () => {
    expect(secretsResultForTree({ 'docs/twilio.md': `Account ${twilioLikeSid('AC')}\n` }).passed).toBe(true);
  });

  it('fails APP_ENC_KEY with a value, but not empty or shell-expanded ones', () => {
    const key = randomEncryptionKey();
    const result = secretsResultForTree({ 'deploy/app.conf': encryptionKeyLine(key) });
    expect(result.findings).toEqual([expect.objectContaining({ path: 'deploy/app.conf', line: 1 })]);
    expect(formatResults([result]).join('\n')).not.toContain(key);
    expect(secretsResultForTree({ 'deploy/app.conf': encryptionKeyLine('') + encryptionKeyLine('""') }).passed).toBe(true);
    expect(secretsResultForTree({ 'docs/ops.md': encryptionKeyLine('$(openssl rand -base64 32) npm start') }).passed).toBe(true);
  });

  it('fails an .env.example that carries a real key', () => {
    expect(secretsResultForTree({ '.env.example': encryptionKeyLine(randomEncryptionKey()) }).passed).toBe(false);
  });

  it('fails any committed .env or .env.* file except .env.example, even with harmless content', () => {
    const result = secretsResultForTree({ '.env': 'PORT=3000\n', 'config/.env.production': 'PORT=80\n' });
    expect(result.findings.map((finding) => finding.path)).toEqual(['.env', 'config/.env.production']);
  });

  it('ignores an untracked .env (git ls-files decides what is scanned)', () => {
    const repo = createScratchRepo();
    repo.commit('chore: ignore env', { '.gitignore': '.env\n' });
    repo.write('.env', encryptionKeyLine(randomEncryptionKey()));
    expect(resultNamed(guardTree(repo.dir), secretsCheckName).passed).toBe(true);
  });

  it('lets an explicit allow-list entry (exact path + literal) pass a documented fake fixture, and nothing else', () => {
    const fakeSid = twilioLikeSid('AC');
    const files = { 'test/fixtures/twilio.ts': `export const sid = '${fakeSid}';\nexport const authToken = '${hex32()}';\n` };
    const policy = loadProjectPolicy();
    const allowed = { ...policy, secrets: { allow: [{ path: 'test/fixtures/twilio.ts', contains: fakeSid, reason: 'fake SID for tests' }] } };
    expect(secretsResultForTree(files, allowed).passed).toBe(true);
    const otherPath = { ...policy, secrets: { allow: [{ path: 'test/other.ts', contains: fakeSid, reason: 'wrong file' }] } };
    expect(secretsResultForTree(files, otherPath).passed).toBe(false);
  });

  it('in range mode, fails a secret that a later commit in the range deleted (it is still pushed)', () => {
    const repo = createScratchRepo();
    const base = repo.git('rev-parse', 'HEAD').trim();
    const adding = repo.commit('chore: local settings', { 'config/app.conf': encryptionKeyLine(randomEncryptionKey()) });
    repo.git('rm', '--quiet', 'config/app.conf');
    repo.commit('chore: oops, remove settings');
    const result = resultNamed(guardRange(repo.dir, `${base}..HEAD`, 'dev'), secretsCheckName);
    expect(result.findings).toEqual([expect.objectContaining({ path: 'config/app.conf', line: 1, commit: adding })]);
  });

  it('in range mode, only scans what the range changed', () => {
    const repo = createScratchRepo();
    repo.commit('chore: old mistake', { 'config/app.conf': encryptionKeyLine(randomEncryptionKey()) });
    const base = repo.git('rev-parse', 'HEAD').trim();
    repo.commit('feat: unrelated', { 'src/server/app.ts': 'export const app = 5;\n' });
    expect(resultNamed(guardRange(repo.dir, `${base}..HEAD`, 'dev'), secretsCheckName).passed).toBe(true);
  });
});
