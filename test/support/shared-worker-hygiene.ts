import { afterAll, vi } from 'vitest';

/**
 * The HTTP files of a project share their worker process (`isolate: false` in vitest.config.ts).
 * Whatever one file leaves in vitest's own process-wide state — fake timers, spies, stubbed
 * environment variables or globals — is undone when that file ends, passing or failing, so it
 * can never reach the next file in the same worker. (Today's HTTP files use none of them: their
 * clocks and randomness are injected. This keeps it so for the next file that does.)
 */
afterAll(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  vi.unstubAllGlobals();
});
