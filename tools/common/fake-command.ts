/**
 * What the fakes' command lines (npm run smtp:fake, npm run twilio:fake) share: ports read from
 * the environment, and a process that runs until SIGINT or SIGTERM closes the fake.
 */

/** A port from the environment, `fallback` when unset; a value that is no port ends the command. */
export function portFromEnv(name: string, fallback: number): number {
  const value = process.env[name] ? Number(process.env[name]) : fallback;
  if (!Number.isInteger(value) || value < 0 || value > 65535) {
    console.error(`${name} must be a whole number between 0 and 65535`);
    process.exit(1);
  }
  return value;
}

/** Starts a fake with `start` (which prints how to use it), closes it on a signal, and reports a failed start with exit code 1. */
export function runFakeUntilSignalled(name: string, start: () => Promise<{ close(): Promise<void> }>): void {
  start().then(
    (fake) => {
      const stop = () => {
        fake.close().finally(() => process.exit(0));
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    },
    (error: unknown) => {
      const e = error as { code?: string; message?: string };
      console.error(`${name} failed to start: ${e.code ?? ''} ${e.message ?? String(error)}`);
      process.exit(1);
    },
  );
}
