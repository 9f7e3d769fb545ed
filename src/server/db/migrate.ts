import path from 'node:path';
import { readMigrationFiles } from 'drizzle-orm/migrator';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import { migrate as migratePostgres } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import type { PgliteDatabase } from 'drizzle-orm/pglite';
import { projectRoot } from '../lib/project-root';
import type { DatabaseHandle } from './client';
import { adoptLegacyLayout, type Run } from './legacy-schema';

export const migrationsFolder = path.join(projectRoot, 'src', 'server', 'db', 'migrations');

/** Arbitrary constant: instances starting together take turns instead of racing to create tables. */
const MIGRATION_LOCK_KEY = 7_240_413_001;

/**
 * Creates the schema, moves a pre-schema database into it (db/legacy-schema.ts), and returns.
 * The migration SQL names no schema: it lands in the connection's search_path (the schema).
 */
async function prepareSchema(run: Run, schemaName: string): Promise<void> {
  await run('begin');
  try {
    await run(`create schema if not exists "${schemaName}"`);
    await adoptLegacyLayout(run, schemaName);
    await run('commit');
  } catch (error) {
    await run('rollback').catch(() => undefined);
    throw error;
  }
}

/**
 * Applies every pending migration in one transaction (drizzle's migrator), idempotently:
 * applied migrations are recorded in <schema>.__drizzle_migrations and skipped next time. On
 * PostgreSQL all of it runs under an advisory lock, so instances starting together take turns.
 */
export async function runMigrations(handle: DatabaseHandle): Promise<void> {
  const config = { migrationsFolder, migrationsSchema: handle.schema };
  if (handle.driver === 'pglite') {
    const pglite = handle.pglite!;
    await prepareSchema(async (text) => (await pglite.query<Record<string, unknown>>(text)).rows, handle.schema);
    await migratePglite(handle.db as unknown as PgliteDatabase<Record<string, never>>, config);
    return;
  }
  const pool = handle.pool!;
  // Lock and migrate on one connection, so a pool of any size (even 1) cannot deadlock.
  const lockClient = await pool.connect();
  try {
    await lockClient.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await prepareSchema(async (text) => (await lockClient.query<Record<string, unknown>>(text)).rows, handle.schema);
    await migratePostgres(drizzlePostgres(lockClient), config);
  } finally {
    await lockClient.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    lockClient.release();
  }
}

/** Number of migrations shipped with this build that the database has not applied yet. */
export async function countPendingMigrations(handle: DatabaseHandle): Promise<number> {
  const shipped = readMigrationFiles({ migrationsFolder });
  const journal = `"${handle.schema}".__drizzle_migrations`;
  const exists = await handle.query<{ present: boolean }>(`select to_regclass('${journal}') is not null as present`);
  if (!exists[0]?.present) return shipped.length;
  const rows = await handle.query<{ last: string | null }>(`select max(created_at)::text as last from ${journal}`);
  const last = Number(rows[0]?.last ?? 0);
  return shipped.filter((m) => m.folderMillis > last).length;
}
