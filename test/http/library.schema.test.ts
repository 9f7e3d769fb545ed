import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrationsFolder } from '../../src/server/db/migrate';
import { startHostServer } from '../support/host-app';
import { registerAndLogin } from '../support/test-server';
import { testDatabaseKind, type TestDatabase } from '../support/test-database';

/**
 * A host's database already has its own tables, one of them named like Proofgate's (`users`):
 * Proofgate migrates into its own schema under the advisory lock and never touches them.
 */

type Sql = (text: string, params?: unknown[]) => Promise<Array<Record<string, unknown>>>;

/** An empty database (not the migrated template), so the migrations run here against the host's tables. */
async function emptyDatabase(): Promise<{ database: TestDatabase; sql: Sql; close(): Promise<void> }> {
  if (testDatabaseKind() === 'pglite') {
    const pglite = await PGlite.create();
    const sql: Sql = async (text, params) => (await pglite.query<Record<string, unknown>>(text, params)).rows;
    const database: TestDatabase = { kind: 'pglite', databaseUrl: undefined, pglite, drop: async () => undefined };
    return { database, sql, close: () => pglite.close() };
  }
  const url = process.env.TEST_DATABASE_URL!;
  const name = `proofgate_host_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: url });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  await admin.end();
  const databaseUrl = new URL(url);
  databaseUrl.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: databaseUrl.toString() });
  await client.connect();
  const sql: Sql = async (text, params) => (await client.query(text, params)).rows as Array<Record<string, unknown>>;
  const drop = async () => {
    const dropper = new pg.Client({ connectionString: url });
    await dropper.connect();
    await dropper.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
    await dropper.end();
  };
  const database: TestDatabase = { kind: 'postgres', databaseUrl: databaseUrl.toString(), pglite: undefined, drop };
  return { database, sql, close: async () => { await client.end(); await drop(); } };
}

async function createHostTables(sql: Sql) {
  await sql('create table public.users (id serial primary key, login text not null, plan text)');
  await sql("insert into public.users (login, plan) values ('host-alice', 'pro'), ('host-bob', 'free')");
  await sql('create table public.orders (id serial primary key, user_login text not null, total_cents integer not null)');
  await sql("insert into public.orders (user_login, total_cents) values ('host-alice', 1250)");
}

async function hostTablesSnapshot(sql: Sql) {
  return {
    users: await sql('select * from public.users order by id'),
    orders: await sql('select * from public.orders order by id'),
    columns: await sql(
      "select table_name, column_name, data_type from information_schema.columns where table_schema = 'public' order by table_name, ordinal_position",
    ),
  };
}

describe('Proofgate in a host database', () => {
  it('migrates into its own schema and leaves the host tables (one named users) untouched', async () => {
    const { database, sql, close } = await emptyDatabase();
    try {
      await createHostTables(sql);
      const before = await hostTablesSnapshot(sql);
      const host = await startHostServer({ database });
      try {
        const { email } = await registerAndLogin(host);
        const own = await sql('select email from proofgate.users');
        expect(own).toEqual([{ email }]);
        expect(await hostTablesSnapshot(sql)).toEqual(before);
        const publicTables = await sql("select table_name from information_schema.tables where table_schema = 'public' order by table_name");
        expect(publicTables.map((row) => row.table_name)).toEqual(['orders', 'users']);
        const journal = await sql("select to_regclass('drizzle.__drizzle_migrations') is null as absent");
        expect(journal[0]?.absent).toBe(true);
      } finally {
        await host.close();
      }
    } finally {
      await close();
    }
  }, 120_000);

  it('a database from before DATABASE_SCHEMA (tables in public) is moved into the schema with its users', async () => {
    if (testDatabaseKind() !== 'pglite') return;
    const pglite = await PGlite.create();
    try {
      // The old layout, as earlier versions migrated it: public tables, drizzle.__drizzle_migrations.
      await migratePglite(drizzlePglite(pglite), { migrationsFolder });
      await pglite.query("insert into public.users (email, password_hash) values ('legacy@example.test', 'x')");
      const host = await startHostServer({ database: { kind: 'pglite', databaseUrl: undefined, pglite, drop: async () => undefined } });
      try {
        expect((await pglite.query("select email from proofgate.users")).rows).toEqual([{ email: 'legacy@example.test' }]);
        expect((await pglite.query("select to_regclass('public.users') is null as gone")).rows).toEqual([{ gone: true }]);
        const ready = await host.client().get('/readyz');
        expect(ready.body.checks.migrations.ok).toBe(true);
      } finally {
        await host.close();
      }
    } finally {
      await pglite.close();
    }
  }, 120_000);
});
