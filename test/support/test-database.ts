import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { inject } from 'vitest';

export type TestDatabaseKind = 'pglite' | 'postgres';

export interface TestDatabase {
  kind: TestDatabaseKind;
  /** Set for postgres: a fresh database cloned from the migrated template. */
  databaseUrl: string | undefined;
  /** Set for pglite: an in-memory instance loaded from the migrated template dump. */
  pglite: PGlite | undefined;
  drop(): Promise<void>;
}

export function testDatabaseKind(): TestDatabaseKind {
  return process.env.PROOFGATE_TEST_DB === 'postgres' ? 'postgres' : 'pglite';
}

/** A fresh, migrated database for one test file (or one server of a multi-instance test). */
export async function createTestDatabase(): Promise<TestDatabase> {
  if (testDatabaseKind() === 'postgres') {
    const url = process.env.TEST_DATABASE_URL;
    const template = inject('postgresTemplateDatabase');
    if (!url || !template) throw new Error('postgres test project needs TEST_DATABASE_URL');
    const name = `${template.replace('proofgate_tpl_', 'proofgate_t_')}_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database "${name}" template "${template}"`);
    await admin.end();
    const databaseUrl = new URL(url);
    databaseUrl.pathname = `/${name}`;
    return {
      kind: 'postgres',
      databaseUrl: databaseUrl.toString(),
      pglite: undefined,
      async drop() {
        const client = new pg.Client({ connectionString: url });
        await client.connect();
        await client.query(`drop database if exists "${name}" with (force)`).catch(() => undefined);
        await client.end();
      },
    };
  }
  const templatePath = inject('pgliteTemplatePath');
  const pglite = await PGlite.create({ loadDataDir: new Blob([fs.readFileSync(templatePath)]) });
  return {
    kind: 'pglite',
    databaseUrl: undefined,
    pglite,
    async drop() {
      if (!pglite.closed) await pglite.close();
    },
  };
}
