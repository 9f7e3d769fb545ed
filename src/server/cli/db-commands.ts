import fs from 'node:fs';
import path from 'node:path';
import type { ProofgateServices } from '../app';
import type { Config } from '../config';
import { GENERATED_KEY_FILE } from '../lib/encryption-keys';
import { acquireDataDirLock, DataDirLockedError, describeOwner } from '../db/data-dir-lock';
import { CliError, onlyFlags, parseFlags } from './args';
import type { CommandIo, CommandResult } from './command';

const POSTGRES_BACKUP_HINT = 'DATABASE_URL is set: back up PostgreSQL with pg_dump --format=custom (see docs/operations.md)';
const POSTGRES_RESTORE_HINT = 'DATABASE_URL is set: restore PostgreSQL with pg_restore (see docs/operations.md)';

/** `FILE [--force]`: the one positional argument, then flags (parseFlags refuses positionals). */
function fileAndFlags(argv: string[], usage: string): { file: string; force: boolean } {
  const [file, ...rest] = argv;
  if (!file || file.startsWith('--')) throw new CliError(`usage: ${usage}`);
  const flags = parseFlags(rest);
  onlyFlags(flags, ['force']);
  if (flags.force !== undefined && flags.force !== true) throw new CliError('--force takes no value');
  return { file, force: flags.force === true };
}

async function countUsers(query: (text: string) => Promise<Array<{ count: unknown }>>): Promise<number> {
  const rows = await query('select count(*)::int as count from users');
  return Number(rows[0]?.count ?? 0);
}

/**
 * db:backup FILE [--force]: a gzipped tarball of the embedded database folder. Run by the
 * server when it is up (over the admin channel), so it is taken by the database's one owner:
 * PGlite dumps between two statements, never halfway through one, and a CHECKPOINT first
 * puts everything committed into the data files (PostgreSQL's crash recovery replays the rest
 * on restore, as after a power cut).
 */
export async function dbBackup(services: ProofgateServices, argv: string[], io?: CommandIo): Promise<CommandResult> {
  const { file, force } = fileAndFlags(argv, 'db:backup FILE [--force]');
  const pglite = services.database.pglite;
  if (services.database.driver !== 'pglite' || !pglite) throw new CliError(POSTGRES_BACKUP_HINT);
  if (!io) throw new CliError('db:backup needs a terminal to write to');
  await pglite.query('checkpoint');
  const users = await countUsers((text) => services.database.query(text));
  const tarball = new Uint8Array(await (await pglite.dumpDataDir('gzip')).arrayBuffer());
  const written = await io.writeFile(file, tarball, { overwrite: force });
  const lines = [`backed up the embedded database (${users} user(s), ${tarball.byteLength} bytes) to ${written}`];
  if (services.keys.source === 'generated') {
    // The TOTP secrets in the backup are useless without the key that encrypted them.
    lines.push(
      `note: TOTP secrets are encrypted with the development key in ${path.join(services.config.dataDir, GENERATED_KEY_FILE)}, which is not in the backup: keep a copy of it with the backup (or set APP_ENC_KEY)`,
    );
  }
  return { output: lines.join('\n') };
}

/** gzip (what db:backup writes) or a plain tar (what PGlite's dumpDataDir('none') writes). */
function looksLikeBackup(data: Buffer): boolean {
  const gzip = data.length > 2 && data[0] === 0x1f && data[1] === 0x8b;
  const tar = data.length > 262 && data.subarray(257, 262).toString('latin1') === 'ustar';
  return gzip || tar;
}

/**
 * db:restore FILE [--force]: loads a db:backup tarball into DATA_DIR/pglite. Only with no
 * server running: it replaces the folder the server would have open. The tarball is loaded
 * into a fresh folder beside it, checked, and only then renamed into place, so a bad file
 * leaves the current database untouched; with --force the current one is kept, renamed.
 */
export async function dbRestore(config: Config, argv: string[]): Promise<CommandResult> {
  const { file, force } = fileAndFlags(argv, 'db:restore FILE [--force]');
  if (config.databaseUrl) throw new CliError(POSTGRES_RESTORE_HINT);
  const source = path.resolve(file);
  let data: Buffer;
  try {
    data = fs.readFileSync(source);
  } catch (error) {
    throw new CliError(`cannot read ${source}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  if (!looksLikeBackup(data)) throw new CliError(`${source} is not a backup made by db:backup (expected a .tar.gz)`);

  let lock;
  try {
    lock = acquireDataDirLock(config.dataDir, 'cli db:restore');
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      throw new CliError(`DATA_DIR ${path.resolve(config.dataDir)} is in use by ${describeOwner(error.owner)}: stop it, then run db:restore again. Nothing was changed.`, 2);
    }
    throw error;
  }
  const folder = path.resolve(config.dataDir, 'pglite');
  const staging = `${folder}.restoring-${process.pid}`;
  try {
    const existing = fs.existsSync(path.join(folder, 'PG_VERSION'));
    if (existing && !force) {
      throw new CliError(`${folder} already holds a database: pass --force to replace it (the current one is kept as ${path.basename(folder)}.before-restore-<time>)`);
    }
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true, mode: 0o700 });
    let users: number;
    try {
      const { PGlite } = await import('@electric-sql/pglite');
      const restored = await PGlite.create(staging, { loadDataDir: new Blob([data]) });
      try {
        // A backup taken before DATABASE_SCHEMA has its tables in public; the server moves them on start.
        await restored.exec(`set search_path to "${config.databaseSchema}", public`);
        users = await countUsers(async (text) => (await restored.query<{ count: unknown }>(text)).rows);
      } finally {
        await restored.close();
      }
    } catch (error) {
      fs.rmSync(staging, { recursive: true, force: true });
      if (error instanceof CliError) throw error;
      throw new CliError(`${source} could not be loaded as a Proofgate database (${(error as Error).message}). Nothing was changed.`);
    }
    let keptAs: string | undefined;
    if (fs.existsSync(folder)) {
      keptAs = `${folder}.before-restore-${new Date().toISOString().replace(/[:.]/g, '-')}`;
      fs.renameSync(folder, keptAs);
    }
    fs.renameSync(staging, folder);
    const lines = [`restored ${source} into ${folder} (${users} user(s))`];
    if (keptAs) lines.push(`the previous database was kept as ${keptAs} (delete it once the restore is checked)`);
    if (!config.encryption.currentKeyBase64 && !fs.existsSync(path.join(config.dataDir, GENERATED_KEY_FILE))) {
      lines.push(
        `note: no APP_ENC_KEY and no ${GENERATED_KEY_FILE} in DATA_DIR: set the key the backed-up server used, or its TOTP secrets will not decrypt (check with keys:check)`,
      );
    }
    return { output: lines.join('\n') };
  } finally {
    lock.release();
  }
}
