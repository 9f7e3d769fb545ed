import type { Server } from 'node:http';
import { createStandaloneProofgate, type StandaloneProofgate } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { listenGuarded } from './http/listen';
import { startAdminChannel, type AdminChannel } from './ops/admin-channel';
import { adminChannelCommands } from './ops/admin-commands';
import { DataDirLockedError, describeOwner } from './db/data-dir-lock';
import { recordedThreadpoolPriority } from './boot/threadpool-priority';

/** Binds the port, or ends the process saying why, and says where the server listens. */
async function listenOrExit(proofgate: StandaloneProofgate, config: Config): Promise<Server> {
  const { logger } = proofgate;
  const server: Server = await listenGuarded(proofgate.app, config.port, config.host).catch((error: NodeJS.ErrnoException) => {
    console.error(`Cannot listen on ${config.host}:${config.port}: ${error.code ?? error.message}`);
    process.exit(1);
  });
  // After the port is bound an error is the server's (an accept failure): end, logged, not an uncaught throw.
  server.on('error', (error: NodeJS.ErrnoException) => {
    logger.fatal({ cause_code: error.code }, 'server error');
    process.exit(1);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  logger.info({ url, database: proofgate.database.driver }, 'proofgate listening');
  console.error(`Proofgate is listening on ${url} (database: ${proofgate.database.driver === 'pglite' ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'})`);
  return server;
}

/** env → config → the library's gate in a standalone app (+ the admin channel for an embedded database) → listen → graceful shutdown. Nothing else lives here. */
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

  let proofgate;
  try {
    proofgate = await createStandaloneProofgate(config);
  } catch (error) {
    if (error instanceof DataDirLockedError) {
      // PGlite has a single owner: a second server on the folder would lose and damage data.
      console.error(
        `Proofgate cannot start: the embedded database in ${config.dataDir} is already in use by ${describeOwner(error.owner)}.\n` +
          `${error.owner?.role.startsWith('cli') ? 'Let that command finish, then start again' : 'Stop that process first'}, or give this server its own DATA_DIR (or a DATABASE_URL). The lock is ${error.lockPath}.`,
      );
      process.exit(1);
    }
    throw error;
  }
  const { logger } = proofgate;
  // Left by npm start's preload (boot/threadpool.ts), which runs before any logger exists.
  const threadpool = recordedThreadpoolPriority();
  if (threadpool) {
    logger.info({ threadpool_priority: threadpool }, threadpool.lowered ? 'thread pool runs below the main thread' : 'thread pool left at the process priority');
  }

  // The embedded database's owner serves the CLI (ops/admin-channel.ts): `npm run cli` works beside it.
  let adminChannel: AdminChannel | undefined;
  if (proofgate.database.driver === 'pglite') {
    try {
      adminChannel = await startAdminChannel({ dataDir: config.dataDir, services: proofgate.services, commands: adminChannelCommands, logger });
    } catch (error) {
      logger.warn({ reason: (error as Error).message }, 'admin channel unavailable');
      console.error(`Admin channel unavailable (${(error as Error).message}): \`npm run cli\` will refuse while this server runs.`);
    }
  }

  process.on('unhandledRejection', (reason) => {
    logger.fatal({ name: (reason as Error | undefined)?.name, cause_code: (reason as { code?: unknown } | undefined)?.code }, 'unhandled rejection');
    process.exitCode = 1;
  });

  const server = await listenOrExit(proofgate, config);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    // Stop accepting, let in-flight requests finish, then release the database.
    server.close(async () => {
      await adminChannel?.close().catch(() => undefined);
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
