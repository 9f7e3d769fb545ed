import fs from 'node:fs';
import path from 'node:path';
import type { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePostgres } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import { acquireDataDirLock, type DataDirLock } from './data-dir-lock';
import * as schema from './schema';

export type Schema = typeof schema;
export type Database = PgDatabase<PgQueryResultHKT, Schema>;
/** The database or an open transaction: what a store method that may join a caller's transaction takes. */
export type Executor = Pick<Database, 'select' | 'insert' | 'update' | 'delete'>;
export type DatabaseDriver = 'pglite' | 'postgres';

export interface DatabaseHandle {
  db: Database;
  driver: DatabaseDriver;
  /** The PostgreSQL schema holding Proofgate's tables: every connection's search_path is this schema alone. */
  schema: string;
  /** Present for the postgres driver: shared with the PostgreSQL limiter store. */
  pool: pg.Pool | undefined;
  /**
   * Runs `work` in one transaction. For node-postgres this does not use drizzle's
   * `db.transaction`, whose BEGIN sits outside its try/finally: a connection killed at that
   * moment was never released, and the pool drained until every request hung.
   */
  transaction<T>(work: (tx: Database) => Promise<T>): Promise<T>;
  /**
   * Calls `listener` after every transaction ends (committed or rolled back). The session
   * cache forgets what it holds then, because a session a transaction revoked is revoked from
   * its commit on, and nothing read before that may be served after it (auth/session-cache.ts).
   */
  onTransactionEnd(listener: () => void): void;
  /** Raw parameterised SQL, for diagnostics (readiness, proof) only; capabilities go through their stores. */
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
  /**
   * A fixed hot-path statement that the query builder cannot express (a data-modifying CTE):
   * on PostgreSQL it is sent as a named prepared statement (parsed and planned once per
   * connection). Only stores use it, and only for their own SQL.
   */
  prepare<Row = Record<string, unknown>>(name: string, text: string): PreparedStatement<Row>;
  /** The embedded database itself (pglite driver only): backups dump its folder. */
  pglite?: PGlite;
  close(): Promise<void>;
}

export type PreparedStatement<Row> = (params: unknown[]) => Promise<Row[]>;

export interface DatabaseOptions {
  databaseUrl: string | undefined;
  dataDir: string;
  poolMax: number;
  /** DATABASE_SCHEMA: Proofgate's own schema, so a host database's tables (public.users, ...) are never seen or touched. */
  schema?: string;
  /** An already-open PGlite (tests clone a migrated template into memory instead of initialising a folder). */
  pglite?: PGlite;
  /** Called with pool-level errors (a killed connection) so they are logged instead of crashing the process. */
  onPoolError?: (error: Error) => void;
  /** Who opens DATA_DIR ('server', 'cli user:create'): written into its lock, named when another opener is refused. */
  lockRole?: string;
}

export const DEFAULT_DATABASE_SCHEMA = 'proofgate';
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  const schemaName = options.schema ?? DEFAULT_DATABASE_SCHEMA;
  // Config validates it already; checked again because it is spliced into SQL and connection options.
  if (!SCHEMA_NAME.test(schemaName)) throw new Error('database schema name must be lower-case letters, digits and _');
  const handle = options.databaseUrl
    ? await openPostgres(options.databaseUrl, options.poolMax, schemaName, options.onPoolError)
    : await openPglite(options, schemaName);
  return withTransactionListeners(handle);
}

function withTransactionListeners(handle: Omit<DatabaseHandle, 'onTransactionEnd'>): DatabaseHandle {
  const listeners: (() => void)[] = [];
  const transaction = handle.transaction.bind(handle);
  return Object.assign(handle, {
    async transaction<T>(work: (tx: Database) => Promise<T>): Promise<T> {
      try {
        return await transaction(work);
      } finally {
        for (const listener of listeners) listener();
      }
    },
    onTransactionEnd(listener: () => void) {
      listeners.push(listener);
    },
  });
}

async function openPglite(options: DatabaseOptions, schemaName: string): Promise<Omit<DatabaseHandle, 'onTransactionEnd'>> {
  // Loaded only for the embedded database: the PGlite module alone holds about 45 MB of
  // resident memory, which a server on DATABASE_URL should not carry (measured by npm run bench).
  const [{ PGlite: PGliteClass }, { drizzle: drizzlePglite }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
  ]);
  // A PGlite handed in is owned by the caller (tests share one between servers): do not close it.
  const owned = !options.pglite;
  let client = options.pglite;
  let lock: DataDirLock | undefined;
  if (!client) {
    // One owner per folder (db/data-dir-lock.ts): taken before PGlite reads a single file.
    lock = acquireDataDirLock(options.dataDir, options.lockRole ?? 'server');
    try {
      const folder = path.join(options.dataDir, 'pglite');
      fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
      client = await PGliteClass.create(folder);
    } catch (error) {
      lock.release();
      throw error;
    }
  }
  const pglite = client;
  // PGlite is one session: the search_path set here holds for every later statement. The
  // schema itself is created by the migrations (db/migrate.ts).
  await pglite.exec(`set search_path to "${schemaName}"`);
  const db = drizzlePglite(pglite, { schema }) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    schema: schemaName,
    pool: undefined,
    transaction: (work) => db.transaction((tx) => work(tx as unknown as Database)),
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await pglite.query<Row>(text, params);
      return result.rows;
    },
    prepare<Row>(_name: string, text: string): PreparedStatement<Row> {
      return async (params) => (await pglite.query<Row>(text, params)).rows;
    },
    pglite,
    async close() {
      try {
        if (owned && !pglite.closed) await pglite.close();
      } finally {
        lock?.release();
      }
    },
  };
}

async function openPostgres(
  url: string,
  poolMax: number,
  schemaName: string,
  onPoolError?: (error: Error) => void,
): Promise<Omit<DatabaseHandle, 'onTransactionEnd'>> {
  const pool = new pg.Pool({
    connectionString: url,
    // Set at connection start-up, so no statement ever runs with the host's search_path.
    options: `-c search_path=${schemaName}`,
    max: poolMax,
    // Fail fast when the server is gone instead of queueing requests forever.
    connectionTimeoutMillis: 5_000,
    idleTimeoutMillis: 30_000,
    application_name: 'proofgate',
  });
  // An idle client whose connection is killed emits 'error' on the pool; unhandled, that ends the process.
  pool.on('error', (error) => onPoolError?.(error));
  // A checked-out client has no listener at all (pg-pool removes its idle listener), so a
  // connection killed between two statements of a transaction would throw an uncaught
  // 'error' event. The statement in flight fails on its own and maps to DATABASE_UNAVAILABLE;
  // this listener only keeps the process alive. pg-pool discards the broken client on release.
  pool.on('connect', (client) => {
    client.on('error', (error) => onPoolError?.(error));
  });
  const db = drizzlePostgres(pool, { schema }) as unknown as Database;
  return {
    db,
    driver: 'postgres',
    schema: schemaName,
    pool,
    async transaction(work) {
      const client = await pool.connect();
      // A client whose connection broke must be destroyed, not returned to the pool.
      let broken: Error | undefined;
      try {
        await client.query('begin');
        const result = await work(drizzlePostgres(client, { schema }) as unknown as Database);
        await client.query('commit');
        return result;
      } catch (error) {
        await client.query('rollback').catch((rollbackError: Error) => {
          broken = rollbackError;
        });
        throw error;
      } finally {
        client.release(broken);
      }
    },
    async query<Row>(text: string, params: unknown[] = []) {
      const result = await pool.query(text, params);
      return result.rows as Row[];
    },
    prepare<Row>(name: string, text: string): PreparedStatement<Row> {
      return async (values) => (await pool.query({ name, text, values })).rows as Row[];
    },
    async close() {
      if (!pool.ended) await pool.end();
    },
  };
}
