import fs from 'node:fs';
import { defineConfig } from 'vitest/config';

/**
 * `npm test` runs unit tests, the HTTP suite on embedded PGlite, and the browser tests (real
 * Chromium against a real in-process server serving the built UI). With TEST_DATABASE_URL
 * set (CI does), the same HTTP suite runs a second time against that PostgreSQL server;
 * TEST_REDIS_URL adds the Redis-backed limiter suites.
 */
const withPostgres = Boolean(process.env.TEST_DATABASE_URL);

/**
 * The browser tests need Debian's Chromium (nothing downloads a browser). On a machine without
 * it they are left out with a notice, so `npm install && npm test` still works anywhere;
 * CI sets REQUIRE_BROWSER=1 (after installing Chromium), where a missing browser fails the run.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const withBrowser = fs.existsSync(chromiumPath) || process.env.REQUIRE_BROWSER === '1';
if (!withBrowser) {
  console.warn(
    `\n  Browser tests SKIPPED: no Chromium at ${chromiumPath}. Install it (apt-get install -y chromium) or set CHROMIUM_PATH to run them.\n`,
  );
}

/**
 * Browser files run two at a time, like every other file (each starts its own server and
 * Chromium, and writes only its own screenshots): one at a time, they ran last and alone for
 * about 3 minutes while the second worker stayed idle.
 */
const browserProject = {
  extends: true as const,
  test: {
    name: 'browser',
    include: ['test/browser/**/*.test.ts'],
    env: { PROOFGATE_TEST_DB: 'pglite' },
    globalSetup: ['./test/support/global-setup.ts', './test/browser/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
};

/**
 * The HTTP suite, once per database (the project's name is the PROOFGATE_TEST_DB it runs on).
 * Its files share their worker process instead of each starting a fresh one (`isolate: false`):
 * every file imports the whole server, Express, drizzle and PGlite, about 190 s of CPU per CI
 * run when each of the 96 files did it again. No test relies on module state: each file starts
 * and closes its own servers, databases and clocks; the one process-wide object, the argon2
 * pool, is one per process as in production, and the tests that read its counters read them
 * after their own work settled. What a file could leave in vitest's own state (fake timers,
 * spies, stubs) is undone when it ends, by the setup file.
 */
function httpProject(database: 'pglite' | 'postgres') {
  return {
    extends: true as const,
    test: {
      name: database,
      include: ['test/http/**/*.test.ts'],
      env: { PROOFGATE_TEST_DB: database },
      globalSetup: ['./test/support/global-setup.ts'],
      setupFiles: ['./test/support/shared-worker-hygiene.ts'],
      isolate: false,
    },
  };
}

export default defineConfig({
  test: {
    pool: 'forks',
    maxWorkers: 2,
    // Generous on purpose: the HTTP suites run real argon2 and real servers on two shared cores,
    // next to race tests that stream hundreds of logins. A timeout is a hang detector, never a
    // speed assertion (those live in npm run bench).
    testTimeout: 90_000,
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts', 'test/guard/**/*.test.ts'] } },
      httpProject('pglite'),
      ...(withBrowser ? [browserProject] : []),
      ...(withPostgres ? [httpProject('postgres')] : []),
    ],
  },
});
