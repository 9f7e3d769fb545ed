import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabase } from '../../src/server/db/client';
import { runMigrations } from '../../src/server/db/migrate';
import { buildServerBundle } from '../../tools/build/server-bundle';

declare module 'vitest' {
  export interface ProvidedContext {
    pgliteTemplatePath: string;
    postgresTemplateDatabase: string;
  }
}

/**
 * Migrating a fresh PGlite costs seconds, so it happens once: the migrated data folder is
 * dumped to a tarball every test file loads into memory. For PostgreSQL, one migrated
 * template database is cloned with CREATE DATABASE ... TEMPLATE per test file.
 */
export default async function setup(project: TestProject) {
  const runId = `${process.pid}_${randomBytes(3).toString('hex')}`;
  const cleanups: Array<() => Promise<void>> = [];

  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'proofgate-test-'));
  cleanups.push(async () => fs.rmSync(tmp, { recursive: true, force: true }));
  project.provide('pgliteTemplatePath', '');
  project.provide('postgresTemplateDatabase', '');

  // Child-process servers (startChildServer) run what `npm start` runs: the bundle of these sources.
  if (project.name === 'pglite' || project.name === 'postgres') await buildServerBundle();

  // The browser tests run real servers on PGlite too.
  if (project.name === 'pglite' || project.name === 'browser') {
    const pglite = await PGlite.create();
    const handle = await openDatabase({ databaseUrl: undefined, dataDir: tmp, poolMax: 1, pglite });
    await runMigrations(handle);
    const dump = await pglite.dumpDataDir('none');
    const templatePath = path.join(tmp, 'template.tar');
    fs.writeFileSync(templatePath, Buffer.from(await dump.arrayBuffer()));
    await pglite.close();
    project.provide('pgliteTemplatePath', templatePath);
  }

  const url = process.env.TEST_DATABASE_URL;
  if (project.name === 'postgres' && url) {
    const template = `proofgate_tpl_${runId}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    await admin.query(`create database "${template}"`);
    const templateUrl = new URL(url);
    templateUrl.pathname = `/${template}`;
    const tpl = await openDatabase({ databaseUrl: templateUrl.toString(), dataDir: tmp, poolMax: 1 });
    await runMigrations(tpl);
    await tpl.close();
    project.provide('postgresTemplateDatabase', template);
    cleanups.push(async () => {
      const dbs = await admin.query<{ datname: string }>(
        "select datname from pg_database where datname like 'proofgate_t%' and datname like $1",
        [`%${runId}%`],
      );
      for (const { datname } of dbs.rows) {
        await admin.query(`drop database if exists "${datname}" with (force)`).catch(() => undefined);
      }
      await admin.end();
    });
  }

  return async () => {
    for (const cleanup of cleanups.reverse()) await cleanup();
  };
}
