import type { ProofgateServices } from '../app';
import { checkTotpSecrets, rotateTotpSecrets } from '../twofactor/key-rotation';
import { CliError, onlyFlags, parseFlags } from './args';
import type { CommandResult } from './command';

const CLI_ORIGIN = { ip: 'cli', userAgent: 'proofgate-cli', requestId: 'cli' };

function failureLines(failed: Array<{ userId: string; keyId: string | undefined; reason: string }>): string[] {
  return failed.slice(0, 20).map((f) => `  user ${f.userId}: ${f.reason} (key ${f.keyId ?? 'none'})`);
}

/** keys:rotate [--limit N]: re-encrypts every TOTP secret under APP_ENC_KEY (old keys from APP_ENC_KEYS_OLD). */
export async function keysRotate(services: ProofgateServices, argv: string[]): Promise<CommandResult> {
  const flags = parseFlags(argv);
  onlyFlags(flags, ['limit']);
  let limit: number | undefined;
  if (flags.limit !== undefined) {
    limit = Number(flags.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new CliError('--limit must be a positive whole number');
  }
  if (services.keys.source === 'generated') {
    throw new CliError('APP_ENC_KEY is not set: set the new key in APP_ENC_KEY and the previous one(s) in APP_ENC_KEYS_OLD');
  }
  const report = await rotateTotpSecrets(
    { store: services.twoFactorStore, keys: services.keys.ring, randomBytes: services.randomBytes },
    limit === undefined ? {} : { limit },
  );
  await services.audit.record('keys.rotated', {
    origin: CLI_ORIGIN,
    details: { key_id: services.keys.ring.current.id, count: report.rotated, remaining: report.failed.length },
  });
  services.telemetry.emit('keys.rotated', { rotated: report.rotated, skipped: report.alreadyCurrent, failed: report.failed.length });
  const lines = [
    `current key id: ${services.keys.ring.current.id}`,
    `scanned ${report.scanned}, rotated ${report.rotated}, already current ${report.alreadyCurrent}, changed meanwhile ${report.changedMeanwhile}, failed ${report.failed.length}`,
    ...failureLines(report.failed),
    ...(report.stoppedEarly ? ['stopped at --limit; run keys:rotate again to continue'] : []),
  ];
  return { output: lines.join('\n'), exitCode: report.failed.length > 0 ? 1 : 0 };
}

/** keys:check: every stored secret must decrypt under the configured keys; lists key ids in use. */
export async function keysCheck(services: ProofgateServices, argv: string[]): Promise<CommandResult> {
  onlyFlags(parseFlags(argv), []);
  const report = await checkTotpSecrets({ store: services.twoFactorStore, keys: services.keys.ring });
  const lines = [
    `current key id: ${services.keys.ring.current.id} (${services.keys.source === 'generated' ? 'generated development key' : 'APP_ENC_KEY'})`,
    `secrets: ${report.total}`,
    ...Object.entries(report.byKeyId).map(
      ([keyId, entry]) => `  key ${keyId}: ${entry.count} ${entry.current ? '(current)' : entry.configured ? '(old, configured)' : '(NOT CONFIGURED)'}`,
    ),
    report.failed.length === 0 ? 'OK: every secret decrypts' : `FAIL: ${report.failed.length} secret(s) do not decrypt`,
    ...failureLines(report.failed),
  ];
  return { output: lines.join('\n'), exitCode: report.failed.length > 0 ? 1 : 0 };
}
