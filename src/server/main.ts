import type { Server } from 'node:http';
import { createProofgate } from './app';
import { ConfigError, loadConfig } from './config';
import { attachServerGuards } from './http/server-guards';

/** config → createProofgate → listen → graceful shutdown. Nothing else lives here. */
async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const proofgate = await createProofgate(config);
  const { logger } = proofgate;

  process.on('unhandledRejection', (reason) => {
    logger.fatal({ name: (reason as Error | undefined)?.name, cause_code: (reason as { code?: unknown } | undefined)?.code }, 'unhandled rejection');
    process.exitCode = 1;
  });

  const server: Server = proofgate.app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    logger.info({ url, database: proofgate.database.driver }, 'proofgate listening');
    console.error(`Proofgate is listening on ${url} (database: ${proofgate.database.driver === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`);
  });
  attachServerGuards(server);
  server.on('error', (error: NodeJS.ErrnoException) => {
    console.error(`Cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
    process.exit(1);
  });

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then release the database.
    server.close(async () => {
      await proofgate.close().catch(() => undefined);
      logger.flush?.();
      process.exit(0);
    });
    server.closeIdleConnections();
    setTimeout(() => process.exit(1), 10_000).unref();
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

main().catch((error: unknown) => {
  const e = error as { name?: string; code?: string; message?: string };
  console.error(`Proofgate failed to start: ${e.name ?? 'Error'}${e.code ? ` (${e.code})` : ''}: ${e.message ?? String(error)}`);
  process.exit(1);
});
