import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * Proofgate's tables live in their own schema (DATABASE_SCHEMA, default proofgate) so a host's
 * PostgreSQL database keeps its own `public` tables. The migrations therefore name no schema and
 * land in the connection's search_path; drizzle-kit writes `"public".` into foreign keys, which
 * must be removed from every generated file.
 */
const migrationsDir = path.resolve(import.meta.dirname, '../../src/server/db/migrations');

describe('migrations', () => {
  it.each(fs.readdirSync(migrationsDir).filter((name) => name.endsWith('.sql')))('%s names no schema', (name) => {
    const sql = fs.readFileSync(path.join(migrationsDir, name), 'utf8');
    expect(sql).not.toMatch(/"public"\s*\./);
  });
});
