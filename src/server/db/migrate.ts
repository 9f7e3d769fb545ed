import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { projectRoot } from '../lib/project-root';
import type { DatabaseHandle } from './client';

export const migrationsFolder = path.join(projectRoot, 'src', 'server', 'db', 'migrations');

/** Arbitrary constant: instances starting together take turns instead of racing to create tables. */
const MIGRATION_LOCK_KEY = 7_240_413_001;

/**
 * Applies every pending migration in one transaction (drizzle's migrator), idempotently:
 * applied migrations are recorded in drizzle.__drizzle_migrations and skipped next time.
 */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  if (handle.driver === 'pglite') {
    await migratePglite(handle.db as unknown as PgliteDatabase<Record<string, never>>, { migrationsFolder });
    return;
  }
  const pool = handle.pool!;
  // Lock and migrate on one connection, so a pool of any size (even 1) cannot deadlock.
  const lockClient = await pool.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await migratePostgres(drizzlePostgres(lockClient), { migrationsFolder });
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    lockClient.release();
  }
}

/** Number of migrations shipped with this build that the database has not applied yet. */
export async function countPendingMigrations(handle: DatabaseHandle): Promise<number> {
  const shipped = readMigrationFiles({ migrationsFolder });
  const exists = await handle.query<{ present: boolean }>(
    "select to_regclass('drizzle.__drizzle_migrations') is not null as present",
  );
  if (!exists[0]?.present) return shipped.length;
  const rows = await handle.query<{ last: string | null }>('select max(created_at)::text as last from drizzle.__drizzle_migrations');
  const last = Number(rows[0]?.last ?? 0);
  return shipped.filter((m) => m.folderMillis > last).length;
}
