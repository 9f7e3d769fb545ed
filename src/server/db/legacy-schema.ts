/**
 * Before DATABASE_SCHEMA, Proofgate's tables lived in `public` and its migration journal in
 * `drizzle.__drizzle_migrations`. A database in that layout is moved into the configured schema
 * once, in the migration transaction, so an upgrade keeps its users, sessions and factors.
 * Recognised by two tables no host would have under these names and by the journal; a host
 * database without them is never touched.
 */
const PROOFGATE_TABLES = [
  'users',
  'sessions',
  'security_events',
  'two_factor_credentials',
  'two_factor_backup_codes',
  'two_factor_challenges',
  'integration_checks',
  'integration_usage_events',
  'rate_limits',
] as const;

export type Run = (text: string) => Promise<Array<Record<string, unknown>>>;

export async function adoptLegacyLayout(run: Run, schemaName: string): Promise<boolean> {
  const [probe] = await run(
    `select to_regclass('public.two_factor_challenges') is not null
        and to_regclass('public.integration_usage_events') is not null
        and to_regclass('drizzle.__drizzle_migrations') is not null
        and to_regclass('"${schemaName}".__drizzle_migrations') is null as legacy`,
  );
  if (!probe?.legacy) return false;
  for (const table of PROOFGATE_TABLES) {
    // Owned sequences and indexes follow their table.
    await run(`alter table if exists public."${table}" set schema "${schemaName}"`);
  }
  // drizzle's own journal shape; the old journal stays where it was (a host's drizzle may share it).
  await run(`create table "${schemaName}".__drizzle_migrations (id serial primary key, hash text not null, created_at bigint)`);
  await run(
    `insert into "${schemaName}".__drizzle_migrations (hash, created_at) select hash, created_at from drizzle.__drizzle_migrations order by id`,
  );
  return true;
}
